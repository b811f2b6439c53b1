/* SPDX-License-Identifier: MIT */
/* internal.h -- declarations shared by the policy files of libvstack.
 * Internal symbols carry the vs_ prefix and are not exported. */
#ifndef VSTACK_INTERNAL_H
#define VSTACK_INTERNAL_H

#include "os.h"
#include "testing.h"
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

struct vs_region; /* region.c */
union vs_warn_fn;

/* ---- report.c: what a call has to say, and who hears it -------------------
 * Helpers never call a handler: they record a failure and warnings in a
 * struct vs_out, and the public entry point delivers it.  A sentence is
 * recorded as its format and its arguments, and written out only where
 * somebody reads it: in a handler's call, on stderr, or in
 * vstack_last_error.  A format is a string literal.  A %s argument must
 * outlive the sentence (a literal, or a name the caller was given as one);
 * a string of the library's user is written %.Ns instead, and up to N of
 * its bytes are copied when recorded (VS_COPY_LEN for all of a sentence's
 * copies together).  The conversions are printf's d i u x c s p and %%, with the
 * length modifiers l ll z, flags, width and precision as digits; the flag
 * ' on %zu writes a size in words: "2000003072 bytes (1.86 GiB)". */
#define VS_NARGS 6
#define VS_COPY_LEN 64
union vs_arg {
    long long i;
    unsigned long long u;
    const char *s;
    const void *p;
};
struct vs_line {
    const char *fmt;            /* NULL: no sentence */
    int code;
    unsigned char nargs;
    unsigned char os;           /* ": call: reason" of err follows */
    union vs_arg arg[VS_NARGS];  /* a copied string's: its offset in copy */
    char copy[VS_COPY_LEN];
    struct vs_os_err err;       /* with os */
};
struct vs_out {
    int code;                   /* VSTACK_OK, or the code of the failure */
    struct vs_line fail;        /* the failure's sentence */
    int nwarn;
    struct vs_line warn[VS_NWARN];
    int ninfo;                  /* verbose lines ("increasing stack size to N") */
    struct vs_line info[VS_NINFO];
};
/* An empty record: nothing to say yet.  Only the counts are set. */
static inline void vs_out_init(struct vs_out *o) { o->code = o->nwarn = o->ninfo = 0; }
/* Record the failure; returns code. */
int vs_failf(struct vs_out *o, int code, const char *fmt, ...) VS_PRINTF(3, 4);
/* Record the failure of an OS verb: the sentence is fmt's, then ": call:
 * reason".  Returns its VSTACK_E* code. */
int vs_fail_os(struct vs_out *o, const struct vs_os_err *e, const char *fmt, ...) VS_PRINTF(3, 4);
void vs_warnf(struct vs_out *o, int code, const char *fmt, ...) VS_PRINTF(3, 4);
/* vs_fail_os's twin for a warning: fmt's sentence, then ": call: reason",
 * with the VSTACK_E* code of e's errno. */
void vs_warn_os(struct vs_out *o, const struct vs_os_err *e, const char *fmt, ...) VS_PRINTF(3, 4);
/* Record the failure of `from` (which may be o) as a warning of o, with its
 * code. */
void vs_warn_failure(struct vs_out *o, const struct vs_out *from);
/* Write the sentence of l into buf (len bytes, truncated to fit): "" for
 * no sentence.  Returns buf. */
char *vs_line_format(const struct vs_line *l, char *buf, size_t len);
/* Map an errno from the OS layer to a VSTACK_E* code. */
int vs_errno_code(int err);
/* The sentence o leaves in a last error: the failure's, else the last
 * warning's, else none (code VSTACK_OK). */
void vs_out_last(const struct vs_out *o, struct vs_line *last);
/* The last error of a stack's or pool's region, written out now into the
 * region's errmsg. */
const char *vs_last_error(const struct vs_region *r);
/* Deliver o for an allocation (alloc.c): into the stack's last error and its warn
 * handler (vs_region_deliver), and a failure also to the error handler (or
 * to stderr when there is none).  May not return: the handler may longjmp. */
void vs_deliver_alloc(vstack *st, const struct vs_out *o);
/* The process-wide handlers (vstack_set_default_handlers). */
void vs_default_handlers(vstack_handler *err, vstack_handler *warn, void **ctx);
/* A stack's hear function (vs_hear_fn, stack.c): its warn handler, else the
 * process-wide one. */
void vs_stack_hear(struct vs_region *r, const union vs_warn_fn *fn, void *ctx, const struct vs_line *l);
/* Record a verbose line ("increasing stack size to N") when the stack is
 * verbose: it goes to the warn handler only, and never into the last error. */
void vs_infof(const vstack *st, struct vs_out *o, const char *fmt, ...) VS_PRINTF(3, 4);

/* ---- size.c: sizes as numbers and as words ------------------------------- */
/* Round n up to a multiple of unit (a power of two); 0 on overflow. */
size_t vs_round_up(size_t n, size_t unit);
/* A size asked for, as the library uses it: clamped to VS_SIZE_CLAMP, then
 * rounded up to unit (0 stays 0). */
size_t vs_clamp_round(size_t n, size_t unit);
/* Human-readable size for messages, e.g. "2000003072 bytes (1.86 GiB)",
 * into buf (len bytes); the length snprintf would give. */
int vs_fmt_size(size_t n, char *buf, size_t len);

/* ---- options.c: flags and environment, resolved once ---------------------
 * The environment is read once per process, at the first init (vstack(3)). */
struct vs_opts {
    size_t unit;            /* commit granularity: the page or the huge page */
    unsigned char probe;    /* try a read/write mapping before reserving */
    unsigned char unmap;    /* decommit by munmap + mmap */
    unsigned char huge;     /* transparent huge pages */
    unsigned char forkwipe; /* fork gets zeros for the free part */
    unsigned char halve;    /* a refused reservation is retried at half the size */
    unsigned char populate; /* first touch in batches ahead (vs_populate.c) */
};
/* A flag beats the environment, which beats the platform default.
 * VSTACK_EINVAL for unknown or contradictory flags. */
int vs_resolve_options(unsigned flags, struct vs_opts *opts, struct vs_out *o);
/* A size as the stack will use it: clamped, at least VSTACK_MIN_SIZE, unit-rounded. */
size_t vs_round_size(const struct vs_opts *opts, size_t n);
/* The one check of a pair of sizes: max must not be below min.  what_min,
 * what_max name them in the sentence ("parisize", "parisizemax").  Where a
 * max of 0 means none (a fixed stack, no hard limit), the caller checks only
 * a max that is set. */
int vs_check_sizes(size_t min, size_t max, const char *what_min, const char *what_max,
                   struct vs_out *o);

/* ---- fork.c: the table of live stacks and pools, and the fork-wipe hooks ---
 * Each entry is a struct vs_fork whose range() gives the part a child of
 * fork need not see (unit-aligned; 0 when empty) and whose stuck() is told
 * when a mark could not be cleared after a fork. */
struct vs_fork {
    uintptr_t lo, hi;   /* the range marked for fork-wipe now, or lo == hi */
    uintptr_t keep;     /* [lo, keep) stays marked across forks; [keep, hi) is this fork's */
    void *slot;         /* the entry in the table of live stacks and pools */
    uintptr_t check;    /* while in the table: the address of this struct, scrambled */
    int (*range)(const struct vs_fork *f, uintptr_t *lo, uintptr_t *hi);
    void (*stuck)(struct vs_fork *f);
};
/* Enter f in the table, owned by the calling thread (and register the fork
 * hooks once).  -1 when no memory is left for the table. */
int vs_live_add(struct vs_fork *f);
/* Is f, as its memory holds it now, a live entry of the table?  Reads
 * nothing but f and the table: safe on a struct of garbage. */
int vs_live_registered(const struct vs_fork *f);
void vs_live_remove(struct vs_fork *f);
/* The calling thread becomes f's owner. */
void vs_live_claim(struct vs_fork *f);
/* Clear f's mark, if it has one: 0, or the errno of the failed unmark, with
 * *e saying why; the range stays recorded then. */
int vs_fork_clear(struct vs_fork *f, struct vs_os_err *e);
/* Mark f's whole range now, to stay marked across forks until f clears it
 * (vs_fork_clear) before handing out memory inside it.  A mark that starts
 * the range already is extended, any other is cleared first.  0, or the
 * errno of the failed call with *e saying why: what the failed call may
 * have marked is recorded as marked then, unless it could be undone.  Does
 * nothing when f is not in the table or the system has no wipe-on-fork. */
int vs_fork_keep(struct vs_fork *f, struct vs_os_err *e);
/* f has no mark.  No mark is lo == keep == hi == 0, never an empty range
 * somewhere: the stack keeps its allocations above f->hi (alloc.c), and a
 * stale hi would hold the fast path's limit above avma.  Inline here, as
 * bookkeeping only, for fork.c and fork_none.c alike. */
static inline void vs_fork_none(struct vs_fork *f) { f->lo = f->keep = f->hi = 0; }
/* The mapping of [lo, hi) was replaced by a fresh one, which carries no
 * mark: what f recorded there is forgotten.  The range is at one end of
 * f's (a decommit at the growing end). */
static inline void vs_fork_replaced(struct vs_fork *f, uintptr_t lo, uintptr_t hi)
{
    if (f->hi <= lo || f->lo >= hi)
        return;
    if (f->lo >= lo && f->hi <= hi) {
        vs_fork_none(f);
        return;
    }
    if (f->lo < hi && f->lo >= lo)
        f->lo = hi; /* the range went below the mark's start */
    else
        f->hi = lo; /* the range went above the mark's end */
    if (f->keep < f->lo)
        f->keep = f->lo;
    if (f->keep > f->hi)
        f->keep = f->hi;
}

/* ---- signals.c: the one rule for signals ----------------------------------
 * A multi-step change of a stack or pool (the policy: stack.c, alloc.c,
 * pool.c, region.c's teardown) blocks asynchronous signals around all of
 * its steps, so that a handler that longjmps out never finds the struct
 * half changed.  The verbs of the OS layer never block: they are the steps. */
/* Block asynchronous signals; on failure record it in o and return its code. */
int vs_block(struct vs_os_sigmask *saved, struct vs_out *o);
void vs_unblock(const struct vs_os_sigmask *saved, struct vs_out *o);

/* ---- reserve.c: finding the size of a reservation, then mapping it ------- */
/* A reservation as the system gave it. */
struct vs_mapping {
    void *base;        /* the mapping as the system returned it */
    size_t len;
    uintptr_t lo, hi;  /* the usable, unit-aligned range */
};
/* Reserve want bytes (a multiple of opts->unit), or less, in two steps:
 * first the size, then one mapping of it.  The size is the largest of
 * want's halvings (opts->halve) that the system allows, by the probe
 * (opts->probe) or by a trial reservation, never below VSTACK_MIN_SIZE or
 * `least`.  A smaller size is a warning that names the reservation as `what`
 * and says what was asked (`asked`, as the caller gave it); under valgrind
 * the size is capped at VSTACK_VALGRIND_MAX, with a warning. */
int vs_reserve(const struct vs_opts *opts, size_t asked, size_t want, size_t least, const char *what,
               struct vs_mapping *m, struct vs_out *o);

/* ---- region.c: one reservation core, under the stack and the pool ---------
 * A region is a reservation with a committed part at one end: [edge, hi)
 * for a stack, which grows down, [lo, edge) for a pool, which grows up.  It
 * holds what both keep: the mapping, the options, the fork-wipe entry, the
 * counters, the last error and the warn handler.  Its verbs never block
 * signals (signals.c): the caller does, around the whole change. */
union vs_warn_fn {
    vstack_handler stack;
    vstack_pool_handler pool;
};
/* How a region's owner tells one sentence to the warn handler fn (with
 * ctx): the stack or pool is the one whose region is at r.  It writes the
 * sentence out only when there is a handler to hear it. */
typedef void vs_hear_fn(struct vs_region *r, const union vs_warn_fn *fn, void *ctx, const struct vs_line *l);
struct vs_region {
    void *map_base;        /* the mapping as the system returned it */
    size_t map_len;
    uintptr_t lo, hi;      /* the usable, unit-aligned range */
    uintptr_t edge;        /* where the committed part ends */
    uintptr_t filled;      /* the populated watermark (populate.c): [filled, hi)
                            * of a stack is touched or populated since the last
                            * decommit; [lo, filled) of a pool is in use, touched
                            * by its client or populated; hi (lo): none */
    unsigned char down;    /* committed at the top (a stack) or at the bottom (a pool) */
    struct vs_opts opts;
    struct vs_fork fork;
    unsigned long grows, shrinks;
    union vs_warn_fn warn_fn;
    void *warn_ctx;
    vs_hear_fn *hear;
    struct vs_line last;   /* the last error, as recorded (vstack_last_error_code: its code) */
    char errmsg[VS_MSG_LEN]; /* ... and as written out when read */
};
/* Committed bytes. */
static inline size_t vs_committed(const struct vs_region *r)
{
    return r->down ? r->hi - r->edge : r->edge - r->lo;
}
/* Make m the region's memory with nothing committed; the mapping it had,
 * if any, is released first.  Fork-wipe's record is emptied. */
void vs_region_adopt(struct vs_region *r, const struct vs_mapping *m, struct vs_out *o);
/* Commit from the edge to `to`, then the huge-page advice (a refusal is a
 * warning).  count: a growth, for the counters.  0, or the errno of the
 * refusal with *e saying why; nothing changed then. */
int vs_region_commit(struct vs_region *r, uintptr_t to, int count, struct vs_os_err *e, struct vs_out *o);
/* Give back from the edge to `to`; what fork-wipe recorded there is
 * forgotten.  0, or the errno of the failure with *e saying why.  *hole:
 * the range was given back but could not be reserved again: it is no longer
 * ours, the reservation beyond it goes too (the release's failure is a
 * warning) and the region ends at `to`; the edge has moved then too. */
int vs_region_decommit(struct vs_region *r, uintptr_t to, int *hole, struct vs_os_err *e, struct vs_out *o);
/* ---- populate.c: first touch in batches ahead ------------------------------ */
/* The batch: 1/VS_POPULATE_SHARE of the committed size, within
 * [VS_POPULATE_MIN, VS_POPULATE_MAX], in whole units (huge pages with
 * VSTACK_HUGEPAGES), and never more than the region already uses.  Read
 * in populate.c alone. */
#ifndef VS_POPULATE_MIN
#define VS_POPULATE_MIN ((size_t)2 << 20)
#endif
#ifndef VS_POPULATE_MAX
#define VS_POPULATE_MAX ((size_t)32 << 20)
#endif
#ifndef VS_POPULATE_SHARE
#define VS_POPULATE_SHARE 16
#endif
/* A stack (down): memory down to `need` (committed) is about to be used:
 * when it is beyond the populated watermark, populate from the watermark to
 * one batch past need, within the committed part, and move the watermark.
 * A pool (up): `need` is the end of what is in use (at most the edge): when
 * the watermark is less than half a batch past it, populate from the
 * watermark (or need, if higher) to one batch past need, within the
 * committed part.  Quiet: EINVAL turns populate off for r, any other
 * failure ends this batch only. */
void vs_region_populate(struct vs_region *r, uintptr_t need);

/* Enter the region in the table of live ones when opts.forkwipe; with no
 * memory for the table, fork-wipe goes off for this one (`what`: "stack",
 * "pool") with a warning.  The caller blocks signals. */
void vs_region_join(struct vs_region *r, const char *what, struct vs_out *o);
/* The warning of an init on a struct that vs_live_registered found live:
 * `call` ("vstack_init"), `what` ("stack", "pool"). */
void vs_live_misused(struct vs_out *o, const char *call, const char *what);
/* The one destroy of a stack or pool: with signals blocked, leave the table
 * of live ones, release the mapping and empty the whole struct [obj,
 * obj+size) at once, then tell the warn handler, which is all that is kept,
 * what went wrong. */
void vs_region_destroy(struct vs_region *r, void *obj, size_t size);
/* The one way out of a call on a region: the failure's sentence (else the
 * last warning's, else "") and its code into the last error, then each
 * verbose line and warning to the warn handler.  Returns o->code. */
int vs_region_deliver(struct vs_region *r, const struct vs_out *o);
/* The same without touching the last error: for a call that succeeded with
 * nothing but verbose lines to say. */
void vs_region_tell(struct vs_region *r, const struct vs_out *o);

/* ---- the private state of a stack and of a pool --------------------------
 * Each lives in the opaque storage of its public struct (vstack_common.h). */
struct vs_stack {
    struct vs_region r;     /* first: the fork hooks find the stack from its entry */
    vstack_sp low;          /* lowest page handed out since the last decommit */
    size_t rsize;           /* parisize, rounded */
    size_t rsize_given;     /* parisize as given, as vstack_default_get reads it */
    size_t vsize;           /* parisizemax, rounded; 0 for a fixed-size stack */
    size_t high_water;      /* the most ever used, to the page */
    unsigned char tracking, verbose;
    vstack_handler err_fn;
    void *err_ctx;
    vstack_sp *bound;       /* the embedder's stack pointer (vstack_bind_avma), or NULL */
};
struct vs_pool {
    struct vs_region r;     /* first, as for a stack */
    size_t minsize, soft, hard, high_water;
    size_t used;            /* in use from the base; SIZE_MAX: all of it */
    size_t reached;         /* the most the client is known to use (populate.c's
                             * batches start there): the largest used, or the old
                             * size at a growth; a shrink lowers it */
    unsigned char soft_warned;
};
_Static_assert(sizeof(struct vs_stack) <= sizeof(union vstack_opaque_), "struct vs_stack outgrew VSTACK_OPAQUE_SIZE");
_Static_assert(sizeof(struct vs_pool) <= sizeof(union vstack_opaque_), "struct vs_pool outgrew VSTACK_OPAQUE_SIZE");
_Static_assert(_Alignof(struct vs_stack) <= _Alignof(union vstack_opaque_), "struct vs_stack needs more alignment");
_Static_assert(_Alignof(struct vs_pool) <= _Alignof(union vstack_opaque_), "struct vs_pool needs more alignment");
static inline struct vs_stack *vs_stack_state(vstack *st) { return (struct vs_stack *)(void *)st->private_.bytes_; }
static inline const struct vs_stack *vs_cstack_state(const vstack *st)
{
    return (const struct vs_stack *)(const void *)st->private_.bytes_;
}
static inline vstack *vs_stack_head(struct vs_stack *p)
{
    return (vstack *)(void *)((char *)p - offsetof(vstack, private_));
}
static inline struct vs_pool *vs_pool_state(vstack_pool *pool) { return (struct vs_pool *)(void *)pool->private_.bytes_; }
static inline const struct vs_pool *vs_cpool_state(const vstack_pool *pool)
{
    return (const struct vs_pool *)(const void *)pool->private_.bytes_;
}
static inline vstack_pool *vs_pool_head(struct vs_pool *p)
{
    return (vstack_pool *)(void *)((char *)p - offsetof(vstack_pool, private_));
}
/* The region of a fork-wipe entry. */
static inline struct vs_region *vs_region_of(const struct vs_fork *f)
{
    return (struct vs_region *)(void *)((char *)f - offsetof(struct vs_region, fork));
}

/* ---- alloc.c: the running stack ------------------------------------------ */
/* A struct that holds no stack (never initialised and zeroed, or
 * destroyed): every call that uses the stack fails with VSTACK_EINVAL,
 * recorded in o, naming `call`.  Returns whether it holds none. */
int vs_stack_gone(const vstack *st, const char *call, struct vs_out *o);
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
/* The part populated ahead of a stack that popped nothing is marked for
 * fork-wipe from this size on, for the reason given above: copying a
 * few MiB of page entries costs less than marking them.  A batch of
 * VS_POPULATE_MIN (small stacks) stays below it. */
#ifndef VS_AHEAD_WIPE_MIN
#define VS_AHEAD_WIPE_MIN ((size_t)8 << 20)
#endif
/* The stack's region holds a new mapping: make the stack empty on it, and
 * tell fork-wipe where its free part is. */
void vs_stack_adopted(vstack *st);

#endif
