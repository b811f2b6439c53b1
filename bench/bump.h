/* SPDX-License-Identifier: MIT */
/* bump.h -- a downward bump pointer over memory that is already read/write.
 *
 * rw-pool and malloc differ only in where their memory comes from; this is
 * the stack discipline both put on top of it.  No growth, no reset: the whole
 * area is committed from the start, which is the point of those contenders.
 */
#ifndef VSBENCH_BUMP_H
#define VSBENCH_BUMP_H

#include <stddef.h>
#include <stdint.h>

#include "contender.h"
#include "measure.h"

struct bump {
    uintptr_t base, top, avma;
};

static inline void bump_start(struct bump *b, void *base, size_t size)
{
    b->base = (uintptr_t)base;
    b->top = b->avma = ((uintptr_t)base + size) & ~(uintptr_t)15;
}

static inline void *bump_alloc(struct bump *b, size_t nbytes)
{
    if (nbytes > b->avma - b->base)
        return NULL;
    b->avma = (b->avma - nbytes) & ~(uintptr_t)15;
    if (b->avma < b->base) { /* only the alignment can take it there */
        b->avma += nbytes;
        return NULL;
    }
    return (void *)b->avma;
}

static inline void bump_sizes(const struct bump *b, struct vsb_sizes *out)
{
    out->reserved = out->committed = b->top - b->base;
    out->used = b->top - b->avma;
}

static inline double bump_fast_path(struct bump *b, long iters, size_t nwords)
{
    uint64_t t0 = vsb_now_ns();
    long i;

    for (i = 0; i < iters; i++) {
        VSB_OPAQUE();
        uintptr_t av = b->avma;
        long *p = (long *)bump_alloc(b, nwords * sizeof(long));
        p[0] = i;
        VSB_USE(p);
        b->avma = av;
    }
    return (double)(vsb_now_ns() - t0) / (double)iters;
}

/* The tight loop on a copy of *src in a local variable: nothing stops the
 * compiler from keeping the whole stack in registers. */
static inline double bump_tight_loop(const struct bump *src, long iters)
{
    struct bump b = *src;
    uint64_t t0 = vsb_now_ns();
    long i, sink = 0;

    for (i = 0; i < iters; i++) {
        uintptr_t av = b.avma;
        long *x = (long *)bump_alloc(&b, (4 + (size_t)(i & 7)) * sizeof(long));
        x[0] = i;
        sink += x[0];
        VSB_KEEP(x);
        b.avma = av;
    }
    return vsb_loop_end(t0, iters, sink);
}

#endif
