/* SPDX-License-Identifier: MIT */
/* vstack.h -- a reserved, growable stack for number-theory systems.
 *
 * A vstack reserves a large address range (parisizemax) without committing
 * memory for it, commits only the part in use, grows on demand by doubling,
 * and gives memory and commit charge back on reset.  The stack grows
 * downward: [avma, top) is in use, [bot, avma) is committed and free, and
 * everything below bot is reserved but inaccessible.
 *
 * fork() costs what a bare process's fork costs: by default the touched
 * free part of the forking thread's stacks is marked so that the child gets
 * zero pages there (fork-wipe).  In a child, memory below avma (below the
 * page that holds it) reads as zero and memory above avma is intact; the
 * parent's memory is never changed by fork.
 *
 * Each stack belongs to one thread at a time; any number of stacks may live
 * in one process.  See vstack(3) for the full contract.
 */
#ifndef VSTACK_H
#define VSTACK_H

#include "vstack_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uintptr_t vstack_sp; /* an address on the stack, like PARI's pari_sp */
typedef struct vstack vstack;
typedef void (*vstack_handler)(vstack *st, int err, const char *msg, void *ctx);

/* A stack.  avma and lim are the public head, read and written by the
 * inline fast path below; everything else is the library's. */
struct vstack {
    vstack_sp avma; /* the stack pointer: [avma, top) is in use */
    vstack_sp lim;  /* allocations that stay at or above lim need no library call */
    /* The library's own state: opaque storage of a fixed size, so that a
     * vstack can live in the caller's memory and the library may change
     * what it keeps there without changing the ABI.  Never read or write it. */
    union vstack_opaque_ private_;
};

struct vstack_stats {
    size_t used;        /* top - avma */
    size_t committed;   /* top - bot */
    size_t reserved;    /* the real reservation (parisizemax as granted) */
    size_t rsize;       /* parisize, as rounded */
    size_t high_water;  /* the most ever used, rounded up to a page */
    unsigned long grows;   /* successful commit extensions */
    unsigned long shrinks; /* successful decommits */
    size_t ahead;       /* populated ahead of use: first touch in batches, below the lowest byte handed out */
};

/* Reserve a stack of parisize rsize and parisizemax vsize (0: fixed size).
 * Returns VSTACK_OK, VSTACK_EINVAL (vsize != 0 and vsize < rsize, bad flags)
 * or VSTACK_ENOMEM.  A reservation smaller than asked for is not a failure:
 * the warning is in vstack_last_error() (and goes to the process-wide warn
 * handler, since the stack has none yet). */
int vstack_init(vstack *st, size_t rsize, size_t vsize, unsigned flags);
/* Release everything; st may be initialised again afterwards. */
void vstack_destroy(vstack *st);

void *vstack_alloc_slow(vstack *st, size_t nbytes);
void vstack_set_avma_debug(vstack *st, vstack_sp av);

#ifndef VSTACK_DEBUG
/* Allocate nbytes on the stack, 16-byte aligned, growing the committed part
 * on demand.  On overflow or refusal the error handler is called, then NULL
 * is returned and the stack is unchanged. */
static inline void *vstack_alloc(vstack *st, size_t nbytes)
{
    vstack_sp av = st->avma;
    if (VSTACK_LIKELY(nbytes <= av - st->lim)) {
        av = (av - nbytes) & ~(vstack_sp)15; /* stays >= lim: lim is 16-aligned */
        st->avma = av;
        return (void *)av;
    }
    return vstack_alloc_slow(st, nbytes);
}

/* Restore a stack pointer obtained from vstack_avma (or an address inside
 * [avma, top)); everything below it becomes free.  A single store, as in
 * PARI. */
static inline void vstack_set_avma(vstack *st, vstack_sp av) { st->avma = av; }
#else
/* VSTACK_DEBUG: every allocation and every pop is a library call, which
 * checks the pointer and tells memcheck at once what became free. */
static inline void *vstack_alloc(vstack *st, size_t nbytes) { return vstack_alloc_slow(st, nbytes); }
static inline void vstack_set_avma(vstack *st, vstack_sp av) { vstack_set_avma_debug(st, av); }
#endif

/* PARI's new_chunk: room for nwords longs (16-byte aligned). */
static inline long *vstack_new_chunk(vstack *st, size_t nwords)
{
    if (VSTACK_UNLIKELY(nwords > SIZE_MAX / sizeof(long)))
        return (long *)vstack_alloc_slow(st, SIZE_MAX);
    return (long *)vstack_alloc(st, nwords * sizeof(long));
}

static inline vstack_sp vstack_avma(const vstack *st) { return st->avma; }
/* One past the highest address of the stack: vstack_avma() of an empty stack. */
vstack_sp vstack_top(const vstack *st);
/* Pop everything: vstack_set_avma(st, vstack_top(st)). */
void vstack_pop_all(vstack *st);

/* Commit up to newsize bytes (0: double, capped at parisizemax).  VSTACK_ESTACK
 * beyond parisizemax or for a fixed-size stack; a newsize not above the
 * committed size is a no-op.  Does not call the error handler. */
int vstack_grow(vstack *st, size_t newsize);
/* Shrink the committed part to max(parisize, used), page-rounded.  avma is kept. */
int vstack_reset(vstack *st);
/* Discard the contents of committed pages below avma; they stay committed and
 * read as zero.  Nothing moves. */
int vstack_trim(vstack *st);
/* Make the calling thread the stack's owner for fork-wipe (vstack(3)): the
 * thread that created a stack owns it until another thread claims it. */
void vstack_claim(vstack *st);
/* For an embedder that keeps its own stack pointer (PARI's avma): from now
 * on the library reads and writes the stack pointer in *avma, not in the
 * head, and the calling thread owns the stack (vstack_claim).  *avma is not
 * changed; a value outside [bot, top] means the embedder is on another
 * stack for now.  NULL unbinds: the head takes the variable's value again.
 * The variable must outlive the binding.  See vstack(3). */
int vstack_bind_avma(vstack *st, vstack_sp *avma);

/* New parisize / parisizemax.  The stack's contents are discarded. */
int vstack_set_size(vstack *st, size_t rsize);
int vstack_set_sizemax(vstack *st, size_t vsize);
/* GP's default(): name is "parisize" or "parisizemax"; value is a size string
 * ("4G", "512MiB", "0") or NULL to leave it unchanged. */
int vstack_default(vstack *st, const char *name, const char *value);
int vstack_default_get(const vstack *st, const char *name, size_t *out);
/* Parse a GP size: digits with an optional k/m/g/t (powers of 10) or
 * KiB/MiB/GiB/TiB (powers of 1024) suffix. */
int vstack_parse_size(const char *s, size_t *out);
const char *vstack_strerror(int err);
/* The sentence of the last failure or warning on this stack: from the last
 * call that returns a code (also a failed vstack_init; "" when that call
 * succeeded without a warning), or from the last allocation that failed.
 * Code-returning functions leave their sentence here and never call the
 * error handler. */
const char *vstack_last_error(const vstack *st);
/* The VSTACK_E* code that goes with vstack_last_error(); VSTACK_OK if none. */
int vstack_last_error_code(const vstack *st);

void vstack_set_error_handler(vstack *st, vstack_handler fn, void *ctx);
void vstack_set_warn_handler(vstack *st, vstack_handler fn, void *ctx);
void vstack_set_default_handlers(vstack_handler err, vstack_handler warn, void *ctx);
/* 0: silent (default); 1: growth and shrink messages go to the warn handler. */
void vstack_set_verbose(vstack *st, int level);
void vstack_get_stats(const vstack *st, struct vstack_stats *out);

#ifdef __cplusplus
}
#endif

/* The pool's API comes with the stack's, as it always has; vstack_pool.h
 * also stands alone. */
#include "vstack_pool.h"

#endif /* VSTACK_H */
