/* SPDX-License-Identifier: MIT */
/* contender_malloc.c -- a stack of vsize from malloc, committed up front.
 *
 * glibc serves a request this large with its own read/write mmap: the commit
 * charge is vsize at once, but no page is touched until used.  Its fast path
 * is the question every embedder asks: why not malloc and free each object?
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "bump.h"

static struct bump heap;

static int malloc_init(size_t rsize, size_t vsize)
{
    void *p;

    (void)rsize;
    p = malloc(vsize);
    if (!p) {
        fprintf(stderr, "vsbench: malloc: malloc(%zu) failed\n", vsize);
        return -1;
    }
    bump_start(&heap, p, vsize);
    return 0;
}

static void malloc_sizes(struct vsb_sizes *out) { bump_sizes(&heap, out); }
static uintptr_t malloc_avma(void) { return heap.avma; }
static void *malloc_alloc(size_t nbytes) { return bump_alloc(&heap, nbytes); }
static void malloc_set_avma(uintptr_t av) { heap.avma = av; }
static void malloc_reset(void) {}

/* Every object from malloc, every release a free: no stack discipline. */
static double malloc_fast_path(long iters, size_t nwords)
{
    uint64_t t0 = vsb_now_ns();
    long i;

    for (i = 0; i < iters; i++) {
        VSB_OPAQUE();
        long *p = malloc(nwords * sizeof(long));
        if (!p)
            vsb_die("malloc(%zu) failed", nwords * sizeof(long));
        p[0] = i;
        VSB_USE(p);
        free(p);
    }
    return (double)(vsb_now_ns() - t0) / (double)iters;
}

/* The tight loop's objects, 4 to 11 longs, from malloc and back to free. */
static double malloc_tight_loop(long iters)
{
    uint64_t t0 = vsb_now_ns();
    long i, sink = 0;

    for (i = 0; i < iters; i++) {
        long *x = malloc((4 + (size_t)(i & 7)) * sizeof(long));
        if (!x)
            vsb_die("malloc failed in the tight loop");
        x[0] = i;
        sink += x[0];
        VSB_KEEP(x);
        free(x);
    }
    return vsb_loop_end(t0, iters, sink);
}

const struct contender vsb_malloc = {
    .name = "malloc",
    .what = "a stack of vsize from malloc (committed, untouched); allocation loops malloc/free",
    .families = VSB_STACKS,
    .has_stack = 1,
    .init = malloc_init,
    .sizes = malloc_sizes,
    .avma = malloc_avma,
    .alloc = malloc_alloc,
    .set_avma = malloc_set_avma,
    .reset = malloc_reset,
    .fast_path = malloc_fast_path,
    .tight_loop = malloc_tight_loop,
};
