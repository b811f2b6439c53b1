/* SPDX-License-Identifier: MIT */
/* pool.c -- vstack_pool: a workspace growing upward from a fixed base.
 *
 *   base                        base+size                    base+reserved
 *     |  committed: in use, free  |  reserved, PROT_NONE        |
 *
 * The same reservation, commit and decommit as a stack's, with the moving
 * boundary at the top end.  The client (a garbage collector) owns what is
 * inside and says how much of it is in use (vstack_pool_set_used), which is
 * what fork-wipe leaves out of a child. */
#include "config.h"
#include "internal.h"
#include "track.h"

#include <string.h>

/* The pool whose fork-wipe entry is f: its region is the first member of
 * its state. */
static struct vs_pool *vs_pool_of(const struct vs_fork *f) { return (struct vs_pool *)(void *)vs_region_of(f); }

static void vs_pool_hear(struct vs_region *r, const union vs_warn_fn *fn, void *ctx, const struct vs_line *l)
{
    char msg[VS_MSG_LEN];
    if (fn->pool)
        fn->pool(vs_pool_head((struct vs_pool *)(void *)r), l->code, vs_line_format(l, msg, sizeof msg), ctx);
}

/* ---- fork-wipe: the free tail ------------------------------------------------ */

static int vs_pool_fork_range(const struct vs_fork *f, uintptr_t *lo, uintptr_t *hi)
{
    const struct vs_pool *p = vs_pool_of(f);
    size_t size = vs_committed(&p->r);
    if (p->used >= size)
        return 0;
    *lo = p->r.lo + vs_round_up(p->used, p->r.opts.unit);
    *hi = p->r.edge;
    return *lo < *hi;
}

/* The mark could not be cleared: the next resize or set_used tries again. */
static void vs_pool_fork_stuck(struct vs_fork *f) { (void)f; }

/* Clear a mark left over from a fork whose unmark failed, or kept. */
static int vs_pool_unstick(struct vs_pool *p, struct vs_out *o)
{
    struct vs_os_err e;
    if (vs_fork_clear(&p->r.fork, &e) != 0)
        return vs_fail_os(o, &e, "cannot clear the fork-wipe mark of the free tail");
    return VSTACK_OK;
}

/* Mark the free tail for fork-wipe now, and keep the mark across forks, as
 * a stack does after a reset: a fork then makes no system call for it.  The
 * client writes into the tail without a call, but a child gets zeros there
 * either way, by the contract of vstack_pool_set_used.  A failure costs
 * only that: the fork hooks mark the tail instead. */
static void vs_pool_keep_free(struct vs_pool *p)
{
    struct vs_os_err e;
    if (p->r.fork.slot && vs_fork_keep(&p->r.fork, &e) != 0)
        (void)vs_fork_clear(&p->r.fork, &e); /* else the next call tries again */
}

/* ---- first touch in batches (populate.c) ----------------------------------------- */

/* The client writes into the pool without a call, so the pool populates at
 * its two calls: on growth one batch past the old size (or past `used`, if
 * the client said it uses more), and in set_used the next batch when `used`
 * comes within half a batch of the watermark.  What is populated above
 * `used` is in the free tail, which fork-wipe marks already.  `mark` is a
 * size from the base; nothing above the committed part is in use. */
static void vs_pool_populate(struct vs_pool *p, size_t mark)
{
    size_t size = vs_committed(&p->r);
    if (mark > p->reached)
        p->reached = mark;
    if (mark < size)
        vs_region_populate(&p->r, p->r.lo + mark);
}

/* ---- life ---------------------------------------------------------------------- */

int vstack_pool_init(vstack_pool *pool, size_t minsize, size_t maxsize, unsigned flags)
{
    struct vs_pool *p = vs_pool_state(pool);
    struct vs_out o;
    struct vs_mapping m;
    struct vs_os_sigmask saved;
    struct vs_os_err e;
    size_t min, max;
    int again;

    vs_out_init(&o);
    /* The struct may be garbage, which is read here on purpose (and
     * overwritten next), looking only into the table. */
    vs_track_defined(pool, sizeof *pool);
    again = vs_live_registered(&p->r.fork);

    memset(pool, 0, sizeof *pool);
    p->r.hear = vs_pool_hear;
    if (vs_resolve_options(flags, &p->r.opts, &o) != VSTACK_OK)
        return vs_region_deliver(&p->r, &o);
    min = vs_clamp_round(minsize, p->r.opts.unit);
    max = vs_round_size(&p->r.opts, maxsize);
    /* The sizes as given: when they pass, min <= max, as both round up to
     * the same unit. */
    if (vs_check_sizes(minsize, maxsize, "minsize", "maxsize", &o) == VSTACK_OK &&
        !vs_os_config()->reserves)
        vs_failf(&o, VSTACK_ESYS, "no mmap on this system: a pool cannot reserve without committing");
    if (o.code != VSTACK_OK || vs_block(&saved, &o) != VSTACK_OK)
        return vs_region_deliver(&p->r, &o);
    if (vs_reserve(&p->r.opts, maxsize, max, min, "maxsize", &m, &o) == VSTACK_OK) {
        vs_region_adopt(&p->r, &m, &o);
        if (min > m.hi - m.lo)
            min = m.hi - m.lo; /* only under valgrind's cap, which warned */
        if (vs_region_commit(&p->r, p->r.lo + min, 0, &e, &o) != 0) {
            vs_fail_os(&o, &e, "cannot commit the pool's minsize of %'zu", min);
        } else {
            p->minsize = p->high_water = min;
            p->used = SIZE_MAX;
            p->r.fork.range = vs_pool_fork_range;
            p->r.fork.stuck = vs_pool_fork_stuck;
            vs_track_defined((void *)p->r.lo, min); /* fresh pages: zeros */
            vs_region_join(&p->r, "pool", &o);
        }
    }
    if (o.code != VSTACK_OK && p->r.map_base) {
        if (vs_os_release(p->r.map_base, p->r.map_len, &e) != 0)
            vs_warn_os(&o, &e, "cannot release %'zu after a failed commit", p->r.map_len);
    }
    vs_unblock(&saved, &o);
    if (o.code != VSTACK_OK) {
        memset(pool, 0, sizeof *pool); /* nothing but the sentence of the failure */
        p->r.hear = vs_pool_hear;
    } else if (again) {
        vs_live_misused(&o, "vstack_pool_init", "pool");
    }
    return vs_region_deliver(&p->r, &o);
}

void vstack_pool_destroy(vstack_pool *pool)
{
    struct vs_pool *p = vs_pool_state(pool);
    if (p->r.map_base)
        vs_region_destroy(&p->r, pool, sizeof *pool);
}

void *vstack_pool_base(const vstack_pool *pool) { return (void *)vs_cpool_state(pool)->r.lo; }

size_t vstack_pool_size(const vstack_pool *pool) { return vs_committed(&vs_cpool_state(pool)->r); }

void vstack_pool_set_warn_handler(vstack_pool *pool, vstack_pool_handler fn, void *ctx)
{
    struct vs_pool *p = vs_pool_state(pool);
    p->r.warn_fn.pool = fn;
    p->r.warn_ctx = ctx;
}

const char *vstack_pool_last_error(const vstack_pool *pool) { return vs_last_error(&vs_cpool_state(pool)->r); }

int vstack_pool_last_error_code(const vstack_pool *pool) { return vs_cpool_state(pool)->r.last.code; }

void vstack_pool_get_stats(const vstack_pool *pool, struct vstack_pool_stats *out)
{
    const struct vs_pool *p = vs_cpool_state(pool);
    out->size = vs_committed(&p->r);
    out->reserved = p->r.hi - p->r.lo;
    out->minsize = p->minsize;
    out->soft = p->soft;
    out->hard = p->hard;
    out->high_water = p->high_water;
    out->grows = p->r.grows;
    out->shrinks = p->r.shrinks;
    size_t size = vs_committed(&p->r);
    uintptr_t used = p->r.lo + (p->reached < size ? vs_round_up(p->reached, p->r.opts.unit) : size);
    out->ahead = p->r.filled > used ? p->r.filled - used : 0;
}

/* ---- limits and use ------------------------------------------------------------ */

/* A struct that holds no pool (never initialised and zeroed, or destroyed):
 * the calls that use it fail with VSTACK_EINVAL, naming `call`. */
static int vs_pool_gone(const struct vs_pool *p, const char *call, struct vs_out *o)
{
    if (p->r.map_base)
        return 0;
    vs_failf(o, VSTACK_EINVAL, "%s: no pool here (never initialised, or destroyed)", call);
    return 1;
}

int vstack_pool_set_limits(vstack_pool *pool, size_t soft, size_t hard)
{
    struct vs_pool *p = vs_pool_state(pool);
    struct vs_out o;
    size_t s = vs_clamp_round(soft, p->r.opts.unit), h = vs_clamp_round(hard, p->r.opts.unit);
    size_t size = vs_committed(&p->r);

    vs_out_init(&o);
    if (vs_pool_gone(p, "vstack_pool_set_limits", &o))
        ;
    else if (!h || (vs_check_sizes(p->minsize, h, "minsize", "hard limit", &o) == VSTACK_OK &&
               vs_check_sizes(size, h, "the pool's size", "hard limit", &o) == VSTACK_OK &&
               vs_check_sizes(s, h, "soft limit", "hard limit", &o) == VSTACK_OK)) {
        p->soft = s;
        p->hard = h;
        p->soft_warned = s && size > s; /* crossed already: warn on the next crossing */
    }
    return vs_region_deliver(&p->r, &o);
}

void vstack_pool_set_used(vstack_pool *pool, size_t used)
{
    struct vs_pool *p = vs_pool_state(pool);
    struct vs_out o;
    vs_out_init(&o);
    if (vs_pool_gone(p, "vstack_pool_set_used", &o)) {
        vs_region_deliver(&p->r, &o);
        return;
    }
    p->used = used;
    /* The kept mark follows the free tail: extended when it still starts
     * it, else cleared and made again.  A mark that cannot be made leaves
     * the tail to the fork hooks; one that cannot be cleared from what is
     * in use now is a failure, and the next call tries again. */
    struct vs_os_sigmask saved;
    struct vs_os_err e;
    uintptr_t lo, hi;
    struct vs_fork *f = &p->r.fork;
    /* A collector calls this after every collection, mostly with the tail
     * it gave last time: then the mark is right already, and nothing is
     * blocked or called. */
    int kept = f->range(f, &lo, &hi) ? f->lo == lo && f->keep == hi && f->hi == hi : f->lo == f->hi;
    if (f->slot && !kept && vs_block(&saved, &o) == VSTACK_OK) {
        if (vs_fork_keep(f, &e) != 0 && f->lo < f->hi && (!f->range(f, &lo, &hi) || f->lo < lo))
            vs_fail_os(&o, &e, "cannot clear the fork-wipe mark of the free tail");
        vs_unblock(&saved, &o);
    }
    /* Last, once the mark is right: a handler that longjmps out of the
     * populate must not leave what is now in use marked wipe-on-fork.
     * Arithmetic only, unless the watermark is crossed. */
    vs_pool_populate(p, used);
    vs_region_deliver(&p->r, &o);
}

/* ---- resize -------------------------------------------------------------------- */

static int vs_pool_grow(struct vs_pool *p, size_t newsize, struct vs_out *o)
{
    struct vs_os_err e;
    size_t size = vs_committed(&p->r);
    uintptr_t at = p->r.edge;

    if (vs_region_commit(&p->r, p->r.lo + newsize, 1, &e, o) != 0)
        return vs_fail_os(o, &e, "cannot grow the pool from %'zu to %'zu", size,
                          newsize);
    /* Fresh pages, or pages given back and committed again: zeros, as
     * vstack_pool(3) says, so memcheck takes them as defined. */
    vs_track_defined((void *)at, newsize - size);
    if (newsize > p->high_water)
        p->high_water = newsize;
    if (p->soft && newsize > p->soft && !p->soft_warned) {
        p->soft_warned = 1;
        vs_warnf(o, VSTACK_OK, "the pool grew to %'zu, past its soft limit %'zu", newsize,
                 p->soft);
    }
    return VSTACK_OK;
}

static int vs_pool_shrink(struct vs_pool *p, size_t newsize, struct vs_out *o)
{
    struct vs_os_err e;
    size_t size = vs_committed(&p->r);
    int hole;

    if (vs_region_decommit(&p->r, p->r.lo + newsize, &hole, &e, o) != 0) {
        if (!hole)
            return vs_fail_os(o, &e, "cannot give back %'zu of the pool", size - newsize);
        /* The reservation above it is gone too: the pool may not grow past it. */
        if (p->hard > newsize)
            p->hard = newsize;
        vs_fail_os(o, &e, "%'zu of the pool were given back but not reserved again; the pool cannot grow past %'zu",
                   size - newsize, newsize);
    }
    if (p->soft && newsize <= p->soft)
        p->soft_warned = 0;
    return o->code;
}

int vstack_pool_resize(vstack_pool *pool, size_t newsize)
{
    struct vs_pool *p = vs_pool_state(pool);
    struct vs_out o;
    struct vs_os_sigmask saved;
    size_t n = vs_clamp_round(newsize, p->r.opts.unit), size = vs_committed(&p->r);
    int grew = 0;

    vs_out_init(&o);
    if (n < p->minsize)
        n = p->minsize;
    if (vs_pool_gone(p, "vstack_pool_resize", &o))
        ;
    else if (p->hard && n > p->hard)
        vs_failf(&o, VSTACK_ESTACK, "the pool cannot grow to %'zu: its hard limit is %'zu", n,
                 p->hard);
    else if (n > p->r.hi - p->r.lo)
        vs_failf(&o, VSTACK_ESTACK, "the pool cannot grow to %'zu: maxsize is %'zu", n,
                 (size_t)(p->r.hi - p->r.lo));
    else if (n != size && vs_pool_unstick(p, &o) == VSTACK_OK && vs_block(&saved, &o) == VSTACK_OK) {
        if (n > size)
            grew = vs_pool_grow(p, n, &o) == VSTACK_OK;
        else if (vs_pool_shrink(p, n, &o) == VSTACK_OK && p->reached > n)
            p->reached = n;
        if (o.code == VSTACK_OK)
            vs_pool_keep_free(p);
        vs_unblock(&saved, &o);
    }
    /* With signals back: a batch takes a few milliseconds, and a handler
     * that longjmps out of it finds the pool grown, the watermark where it
     * was.  The client fills the new part from the old size up (or from
     * `used`, when it said it uses more than that). */
    if (grew)
        vs_pool_populate(p, p->used != SIZE_MAX && p->used > size ? p->used : size);
    return vs_region_deliver(&p->r, &o);
}
