/* SPDX-License-Identifier: MIT */
/* contender_vstack_pool.c -- libvstack's pool as a garbage-collected workspace.
 *
 * vstack_pool_init(&pool, rsize, vsize, 0): the library's defaults, with
 * rsize as the minimum (GAP's -m) and vsize as maxsize (GAP's -s).  The
 * workspace is used from the base up, as GASMAN uses its own:
 *   alloc     grows the pool to exactly what is in use, when it must, and
 *             tells the pool how much is in use (a client must keep that
 *             up to date before a fork, or a child reads zeros)
 *   set_avma  a collection: only what lay below the mark is live, and
 *             vstack_pool_set_used says so (fork-wipe alone)
 *   reset     vstack_pool_resize to what is live: pages and commit charge
 *             go back, down to the minimum
 * Each growth populates one batch past the old size (first touch in
 * batches); vstack-pool+nopopulate is the same with VSTACK_NOPOPULATE.
 */
#include "config.h"

#include <stdio.h>

#include "contender.h"
#include "measure.h"
#include "vstack.h"

static vstack_pool pool;
static size_t used; /* in use from the base */

static void on_warning(vstack_pool *p, int err, const char *msg, void *ctx)
{
    (void)p;
    (void)ctx;
    fprintf(stderr, "vsbench: vstack-pool: %s (%s)\n", msg, vstack_strerror(err));
}

static int vp_start(size_t rsize, size_t vsize, unsigned flags)
{
    int err = vstack_pool_init(&pool, rsize, vsize, flags);

    if (err != VSTACK_OK) {
        fprintf(stderr, "vsbench: vstack_pool_init(%zu, %zu, %#x): %s\n", rsize, vsize, flags,
                vstack_pool_last_error(&pool)[0] ? vstack_pool_last_error(&pool)
                                                 : vstack_strerror(err));
        return -1;
    }
    vstack_pool_set_warn_handler(&pool, on_warning, NULL);
    used = 0;
    return 0;
}

static int vp_init(size_t rsize, size_t vsize) { return vp_start(rsize, vsize, 0); }
static int vp_init_nopopulate(size_t rsize, size_t vsize) { return vp_start(rsize, vsize, VSTACK_NOPOPULATE); }

static void vp_sizes(struct vsb_sizes *out)
{
    struct vstack_pool_stats s;

    vstack_pool_get_stats(&pool, &s);
    out->reserved = s.reserved;
    out->committed = s.size;
    out->used = used;
}

static uintptr_t vp_avma(void) { return (uintptr_t)vstack_pool_base(&pool) + used; }

static void *vp_alloc(size_t nbytes)
{
    size_t need;
    char *p;

    nbytes = (nbytes + 15) & ~(size_t)15;
    need = used + nbytes;
    if (need < used)
        return NULL;
    if (need > vstack_pool_size(&pool) && vstack_pool_resize(&pool, need) != VSTACK_OK)
        return NULL;
    p = (char *)vstack_pool_base(&pool) + used;
    used = need;
    vstack_pool_set_used(&pool, used);
    return p;
}

static void vp_set_avma(uintptr_t av)
{
    used = av - (uintptr_t)vstack_pool_base(&pool);
    vstack_pool_set_used(&pool, used);
}

static void vp_reset(void)
{
    int err = vstack_pool_resize(&pool, used);
    if (err != VSTACK_OK)
        vsb_die("vstack_pool_resize(%zu): %s", used, vstack_pool_last_error(&pool));
}

const struct contender vsb_vstack_pool = {
    .name = "vstack-pool",
    .what = "vstack_pool, default flags: grows to what is in use, set_used after a collection,"
            " resize to give back",
    .families = VSB_POOLS,
    .has_stack = 1,
    .init = vp_init,
    .sizes = vp_sizes,
    .avma = vp_avma,
    .alloc = vp_alloc,
    .set_avma = vp_set_avma,
    .reset = vp_reset,
};

/* The same with VSTACK_NOPOPULATE: first touch page by page, for the pool
 * growth table's side-by-side.  In no family: bench/run names it there. */
const struct contender vsb_vstack_pool_nopopulate = {
    .name = "vstack-pool+nopopulate",
    .what = "vstack_pool, VSTACK_NOPOPULATE (first touch page by page), used as vstack-pool",
    .families = 0,
    .has_stack = 1,
    .init = vp_init_nopopulate,
    .sizes = vp_sizes,
    .avma = vp_avma,
    .alloc = vp_alloc,
    .set_avma = vp_set_avma,
    .reset = vp_reset,
};
