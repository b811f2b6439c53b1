/* SPDX-License-Identifier: MIT */
/* contender_pool.c -- one read/write private mapping of vsize, charged in full.
 *
 * This is what GAP's memory pool and older PARI do on Linux: mmap without
 * MAP_NORESERVE, so the whole of vsize counts in Committed_AS, in the parent
 * and again in every forked child.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "bump.h"

#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS MAP_ANON
#endif

static struct bump pool;

static int pool_init(size_t rsize, size_t vsize)
{
    void *p;

    (void)rsize;
    p = mmap(NULL, vsize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "vsbench: rw-pool: mmap(%zu, PROT_READ|PROT_WRITE): %s\n", vsize,
                strerror(errno));
        return -1;
    }
    bump_start(&pool, p, vsize);
    return 0;
}

static void pool_sizes(struct vsb_sizes *out) { bump_sizes(&pool, out); }
static uintptr_t pool_avma(void) { return pool.avma; }
static void *pool_alloc(size_t nbytes) { return bump_alloc(&pool, nbytes); }
static void pool_set_avma(uintptr_t av) { pool.avma = av; }
static void pool_reset(void) {}
static double pool_fast_path(long iters, size_t nwords)
{
    return bump_fast_path(&pool, iters, nwords);
}
static double pool_tight_loop(long iters) { return bump_tight_loop(&pool, iters); }

const struct contender vsb_pool = {
    .name = "rw-pool",
    .what = "one read/write private mapping of vsize (no MAP_NORESERVE)",
    .families = VSB_STACKS | VSB_POOLS,
    .has_stack = 1,
    .init = pool_init,
    .sizes = pool_sizes,
    .avma = pool_avma,
    .alloc = pool_alloc,
    .set_avma = pool_set_avma,
    .reset = pool_reset,
    .fast_path = pool_fast_path,
    .tight_loop = pool_tight_loop,
};
