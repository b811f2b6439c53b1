/* internal.h -- declarations shared by the policy files of libvstack.
 * Internal symbols carry the vs_ prefix and are not exported. */
#ifndef VSTACK_INTERNAL_H
#define VSTACK_INTERNAL_H

#include "os.h"
#include "vstack.h"

#include <stddef.h>
#include <stdint.h>

#if defined(__MINGW32__) /* the C99 printf of MinGW's ANSI stdio (VS_HOST_CPPFLAGS), not msvcrt's */
#define VS_PRINTF(a, b) __attribute__((format(gnu_printf, a, b)))
#elif defined(__GNUC__)
#define VS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define VS_PRINTF(a, b)
#endif

/* Larger sizes are clamped, so that doubling and alignment cannot overflow. */
#define VS_SIZE_CLAMP (SIZE_MAX / 4)
#define VS_MSG_LEN 256
#define VS_NWARN 4
#define VS_NINFO 2

/* ---- report.c: what a call has to say, and who hears it -------------------
 * Helpers never call a handler: they record a failure and warnings in a
 * struct vs_out, and the public entry point delivers it. */
struct vs_out {
    int code;                      /* VSTACK_OK, or the code of the failure */
    char msg[VS_MSG_LEN];          /* the failure's sentence */
    int nwarn;
    int warn_code[VS_NWARN];
    char warn[VS_NWARN][VS_MSG_LEN];
    int ninfo;                     /* verbose lines ("increasing stack size to N") */
    char info[VS_NINFO][VS_MSG_LEN];
};
/* Record the failure; returns code. */
int vs_failf(struct vs_out *o, int code, const char *fmt, ...) VS_PRINTF(3, 4);
/* Record the failure of an OS verb: the sentence is fmt's, then ": call:
 * reason".  Returns its VSTACK_E* code. */
int vs_fail_os(struct vs_out *o, const struct vs_os_err *e, const char *fmt, ...) VS_PRINTF(3, 4);
void vs_warnf(struct vs_out *o, int code, const char *fmt, ...) VS_PRINTF(3, 4);
/* vs_fail_os's twin for a warning: fmt's sentence, then ": call: reason",
 * with the VSTACK_E* code of e's errno. */
void vs_warn_os(struct vs_out *o, const struct vs_os_err *e, const char *fmt, ...) VS_PRINTF(3, 4);
/* Map an errno from the OS layer to a VSTACK_E* code. */
int vs_errno_code(int err);
/* Who hears a call's warnings and verbose lines: a stack's or a pool's
 * warn handler. */
typedef void vs_hear_fn(void *who, int code, const char *msg);
/* The core of every way out: the failure's sentence (else the last
 * warning's, else "") and its code into msg and *code, unless msg is NULL;
 * then each verbose line and each warning to hear(who, ...).  Returns
 * o->code. */
int vs_out_deliver(const struct vs_out *o, char *msg, size_t len, int *code, vs_hear_fn *hear, void *who);
/* Deliver o for a stack: into its last error, then to its warn handler (or
 * the process-wide one).  Returns o->code. */
int vs_deliver(vstack *st, const struct vs_out *o);
/* The same without touching the last error: for a call that succeeded
 * with nothing but verbose lines to say. */
void vs_tell(vstack *st, const struct vs_out *o);
/* The same for an allocation, whose failure also goes to the error handler
 * (or to stderr when there is none).  May not return: the handler may longjmp. */
void vs_deliver_alloc(vstack *st, const struct vs_out *o);
/* Record a verbose line ("increasing stack size to N") when the stack is
 * verbose: it goes to the warn handler only, and never into the last error. */
void vs_infof(const vstack *st, struct vs_out *o, const char *fmt, ...) VS_PRINTF(3, 4);

/* ---- size.c: sizes as numbers and as words ------------------------------- */
/* Round n up to a multiple of unit (a power of two); 0 on overflow. */
size_t vs_round_up(size_t n, size_t unit);
/* A size asked for, as the library uses it: clamped to VS_SIZE_CLAMP, then
 * rounded up to unit (0 stays 0). */
size_t vs_clamp_round(size_t n, size_t unit);
/* Human-readable size for messages, e.g. "2000003072 bytes (1.86 GiB)". */
const char *vs_fmt_size(size_t n, char buf[static 48]);

/* ---- options.c: flags and environment, resolved once ---------------------
 * into a struct vstack_opts_ (vstack.h), which stacks and pools keep. */
/* A flag beats the environment, which beats the platform default.
 * VSTACK_EINVAL for unknown or contradictory flags. */
int vs_resolve_options(unsigned flags, struct vstack_opts_ *opts, struct vs_out *o);
/* A size as the stack will use it: clamped, at least VSTACK_MIN_SIZE, unit-rounded. */
size_t vs_round_size(const struct vstack_opts_ *opts, size_t n);
/* The one check of a pair of sizes: max must not be below min.  what_min,
 * what_max name them in the sentence ("parisize", "parisizemax").  Where a
 * max of 0 means none (a fixed stack, no hard limit), the caller checks only
 * a max that is set. */
int vs_check_sizes(size_t min, size_t max, const char *what_min, const char *what_max,
                   struct vs_out *o);

/* ---- reserve.c: the life of a reservation, for stacks and pools ---------- */
struct vs_region {
    void *map_base;    /* the mapping as the system returned it */
    size_t map_len;
    uintptr_t lo, hi;  /* the usable, unit-aligned range */
    size_t committed;  /* committed at the top (downward) or the bottom (upward) */
};
/* Reserve want bytes (a multiple of opts->unit) and commit `commit` bytes
 * (possibly 0, else at most want) at the top end (downward != 0) or the
 * bottom end.  If the system refuses, halve and retry (opts->halve) while
 * the size stays at least VSTACK_MIN_SIZE and `commit`; a smaller
 * reservation is a warning that names it as `what` and says what was asked
 * (`asked`, as the caller gave it). */
int vs_reserve(const struct vstack_opts_ *opts, size_t asked, size_t want, size_t commit, int downward,
               const char *what, struct vs_region *r, struct vs_out *o);
/* With opts->huge, ask for transparent huge pages on [addr, addr+len), just
 * committed (nothing when len is 0); a refusal is a warning, and the range
 * goes on with normal pages. */
void vs_advise_huge(const struct vstack_opts_ *opts, void *addr, size_t len, struct vs_out *o);
/* Enter a new stack or pool in the table of live ones when opts->forkwipe,
 * with signals blocked; with no memory for the table, fork-wipe goes off
 * for this one (`what`: "stack", "pool") with a warning. */
void vs_live_join(struct vstack_fork_ *f, struct vstack_opts_ *opts, const char *what, struct vs_out *o);
/* The warning of an init on a struct that vs_live_registered found live:
 * `call` ("vstack_init"), `what` ("stack", "pool"). */
void vs_live_misused(struct vs_out *o, const char *call, const char *what);
/* [lo, hi) of the mapping *map_base, *map_len was unmapped and could not be
 * mapped again: it is no longer ours, and nothing may grow into it.
 * Release the part of the mapping beyond it (below it when downward, above
 * it otherwise), and make the mapping the part on the other side, even when
 * that release fails (a warning says what stays mapped): the release of the
 * whole mapping must never unmap the lost range, which someone else may
 * have mapped since. */
void vs_lose_range(void **map_base, size_t *map_len, uintptr_t lo, uintptr_t hi, int downward,
                   struct vs_out *o);
/* Release a whole region, recording a warning on failure. */
void vs_release(void *base, size_t len, struct vs_out *o);
/* The first part of destroying a stack or pool: block signals (a failure is
 * only a warning: destroy goes on regardless), leave the table of live ones
 * and release the mapping.  Returns whether signals are blocked: the caller
 * empties its struct, then unblocks them if so. */
int vs_teardown(struct vstack_fork_ *f, void *map_base, size_t map_len, struct vs_os_sigmask *saved,
                struct vs_out *o);

/* ---- stack.c: a stack's life ---------------------------------------------- */
/* A struct that holds no stack (never initialised and zeroed, or
 * destroyed): every call that uses the stack fails with VSTACK_EINVAL,
 * recorded in o, naming `call`.  Returns whether it holds none. */
int vs_stack_gone(const vstack *st, const char *call, struct vs_out *o);

/* ---- alloc.c: the running stack ------------------------------------------ */
/* A bound stack's free part (vstack_bind_avma) is all of [bot, avma), since
 * the library cannot see what its embedder touched.  Fork-wipe marks it
 * only from this size on.  Marking costs a fork 0.1-0.5 ms at any size;
 * copying costs nothing for untouched pages and more than marking for
 * written ones from about 4 MiB (bench/run --only=wipe).  8 MiB leaves an
 * idle gp (parisize 8,000,000 bytes, untouched) unmarked, so it forks as
 * stock PARI does.  Read in alloc.c alone: the benchmark compiles alloc.c
 * again with 1 and SIZE_MAX. */
#ifndef VS_BOUND_WIPE_MIN
#define VS_BOUND_WIPE_MIN ((size_t)8 << 20)
#endif
/* Make the stack empty on memory [vbot, top) with [bot, top) committed, and
 * tell fork-wipe where its free part is. */
void vs_stack_adopt(vstack *st, const struct vs_region *r);

/* ---- fork.c: the table of live stacks and pools, and the fork-wipe hooks ---
 * Each entry is a struct vstack_fork_ whose range() gives the part a child
 * of fork need not see (unit-aligned; 0 when empty) and whose stuck() is
 * told when a mark could not be cleared after a fork. */
/* Enter f in the table, owned by the calling thread (and register the fork
 * hooks once).  -1 when no memory is left for the table. */
int vs_live_add(struct vstack_fork_ *f);
/* Is f, as its memory holds it now, a live entry of the table?  Reads
 * nothing but f and the table: safe on a struct of garbage. */
int vs_live_registered(const struct vstack_fork_ *f);
void vs_live_remove(struct vstack_fork_ *f);
/* The calling thread becomes f's owner. */
void vs_live_claim(struct vstack_fork_ *f);
/* Clear f's mark, if it has one: 0, or the errno of the failed unmark, with
 * *e saying why; the range stays recorded then. */
int vs_fork_clear(struct vstack_fork_ *f, struct vs_os_err *e);
/* Mark f's whole range now, to stay marked across forks until f clears it
 * (vs_fork_clear) before handing out memory below its top, f->hi: the
 * caller keeps allocations above that.  A mark that starts the range
 * already is extended, any other is cleared first.  0, or the errno of the
 * failed call with *e saying why: what the failed call may have marked is
 * recorded as marked then, unless it could be undone.  Does nothing when f
 * is not in the table or the system has no wipe-on-fork. */
int vs_fork_keep(struct vstack_fork_ *f, struct vs_os_err *e);
/* f has no mark.  No mark is lo == keep == hi == 0, never an empty range
 * somewhere: the stack keeps its allocations above f->hi (vs_set_lim), and
 * a stale hi would hold the fast path's limit above avma.  Inline here, as
 * bookkeeping only, for fork.c and fork_none.c alike. */
static inline void vs_fork_none(struct vstack_fork_ *f) { f->lo = f->keep = f->hi = 0; }
/* The mapping below nbot was replaced by a fresh one, which carries no
 * mark: what f recorded there is forgotten. */
static inline void vs_fork_replaced_below(struct vstack_fork_ *f, uintptr_t nbot)
{
    if (f->hi <= nbot) {
        vs_fork_none(f);
        return;
    }
    if (f->lo < nbot)
        f->lo = nbot;
    if (f->keep < f->lo)
        f->keep = f->lo;
}

/* ---- signal blocking for multi-step changes ------------------------------ */
/* Block asynchronous signals; on failure record it in o and return its code. */
int vs_block(struct vs_os_sigmask *saved, struct vs_out *o);
void vs_unblock(const struct vs_os_sigmask *saved, struct vs_out *o);

#endif
