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

#define VS_POOL_OF(f) \
    ((vstack_pool *)(void *)((char *)(f) - offsetof(vstack_pool, priv_.fork)))

static void vs_pool_warn(void *who, int code, const char *msg)
{
    vstack_pool *pool = who;
    if (pool->priv_.warn_fn)
        pool->priv_.warn_fn(pool, code, msg, pool->priv_.warn_ctx);
}

/* The one way out of a pool call: the failure or the last warning into the
 * last error, warnings to the pool's own warn handler (a pool has no
 * verbose lines and no process-wide handler). */
static int vs_pool_deliver(vstack_pool *pool, const struct vs_out *o)
{
    struct vstack_pool_private_ *p = &pool->priv_;
    return vs_out_deliver(o, p->errmsg, sizeof p->errmsg, &p->errcode, vs_pool_warn, pool);
}

/* ---- fork-wipe: the free tail ------------------------------------------------ */

static int vs_pool_fork_range(const struct vstack_fork_ *f, uintptr_t *lo, uintptr_t *hi)
{
    const struct vstack_pool_private_ *p = &VS_POOL_OF(f)->priv_;
    if (p->used >= p->size)
        return 0;
    *lo = p->base + vs_round_up(p->used, p->opts.unit);
    *hi = p->base + p->size;
    return *lo < *hi;
}

/* The mark could not be cleared: the next resize or set_used tries again. */
static void vs_pool_fork_stuck(struct vstack_fork_ *f) { (void)f; }

/* Clear a mark left over from a fork whose unmark failed. */
static int vs_pool_unstick(struct vstack_pool_private_ *p, struct vs_out *o)
{
    struct vs_os_err e;
    if (vs_fork_clear(&p->fork, &e) != 0)
        return vs_fail_os(o, &e, "cannot clear the fork-wipe mark of the free tail");
    return VSTACK_OK;
}

/* ---- life ---------------------------------------------------------------------- */

int vstack_pool_init(vstack_pool *pool, size_t minsize, size_t maxsize, unsigned flags)
{
    struct vstack_pool_private_ *p = &pool->priv_;
    struct vs_out o = {0};
    struct vstack_opts_ opts;
    struct vs_region r;
    struct vs_os_sigmask saved;
    size_t min, max;
    int again;

    /* The struct may be garbage, which is read here on purpose (and
     * overwritten next), looking only into the table. */
    vs_track_defined(pool, sizeof *pool);
    again = vs_live_registered(&p->fork);

    memset(pool, 0, sizeof *pool);
    if (vs_resolve_options(flags, &opts, &o) != VSTACK_OK)
        return vs_pool_deliver(pool, &o);
    min = vs_clamp_round(minsize, opts.unit);
    max = vs_round_size(&opts, maxsize);
    /* The sizes as given: when they pass, min <= max, as both round up to
     * the same unit. */
    if (vs_check_sizes(minsize, maxsize, "minsize", "maxsize", &o) == VSTACK_OK &&
        !vs_os_config()->reserves)
        vs_failf(&o, VSTACK_ESYS, "no mmap on this system: a pool cannot reserve without committing");
    if (o.code != VSTACK_OK)
        return vs_pool_deliver(pool, &o);
    if (vs_block(&saved, &o) != VSTACK_OK)
        return vs_pool_deliver(pool, &o);
    if (vs_reserve(&opts, maxsize, max, min, 0, "maxsize", &r, &o) == VSTACK_OK) {
        p->map_base = r.map_base;
        p->map_len = r.map_len;
        p->base = r.lo;
        p->reserved = r.hi - r.lo;
        p->size = p->high_water = r.committed;
        p->minsize = r.committed < min ? r.committed : min;
        p->used = SIZE_MAX;
        p->opts = opts;
        p->fork.range = vs_pool_fork_range;
        p->fork.stuck = vs_pool_fork_stuck;
        vs_track_defined((void *)p->base, p->size); /* fresh pages: zeros */
        vs_live_join(&p->fork, &p->opts, "pool", &o);
    }
    vs_unblock(&saved, &o);
    if (o.code != VSTACK_OK)
        memset(pool, 0, sizeof *pool); /* nothing but the sentence of the failure */
    else if (again)
        vs_live_misused(&o, "vstack_pool_init", "pool");
    return vs_pool_deliver(pool, &o);
}

void vstack_pool_destroy(vstack_pool *pool)
{
    struct vstack_pool_private_ *p = &pool->priv_;
    struct vs_out o = {0};
    struct vs_os_sigmask saved;
    if (!p->map_base)
        return;
    int blocked = vs_teardown(&p->fork, p->map_base, p->map_len, &saved, &o);
    /* Empty the pool before signals come back; only the warn handler stays,
     * to hear what went wrong. */
    vstack_pool_handler warn_fn = p->warn_fn;
    void *warn_ctx = p->warn_ctx;
    memset(pool, 0, sizeof *pool);
    p->warn_fn = warn_fn;
    p->warn_ctx = warn_ctx;
    if (blocked)
        vs_unblock(&saved, &o);
    vs_pool_deliver(pool, &o);
    memset(pool, 0, sizeof *pool);
}

void *vstack_pool_base(const vstack_pool *pool) { return (void *)pool->priv_.base; }

size_t vstack_pool_size(const vstack_pool *pool) { return pool->priv_.size; }

void vstack_pool_set_warn_handler(vstack_pool *pool, vstack_pool_handler fn, void *ctx)
{
    pool->priv_.warn_fn = fn;
    pool->priv_.warn_ctx = ctx;
}

const char *vstack_pool_last_error(const vstack_pool *pool) { return pool->priv_.errmsg; }

int vstack_pool_last_error_code(const vstack_pool *pool) { return pool->priv_.errcode; }

void vstack_pool_get_stats(const vstack_pool *pool, struct vstack_pool_stats *out)
{
    const struct vstack_pool_private_ *p = &pool->priv_;
    out->size = p->size;
    out->reserved = p->reserved;
    out->minsize = p->minsize;
    out->soft = p->soft;
    out->hard = p->hard;
    out->high_water = p->high_water;
    out->grows = p->grows;
    out->shrinks = p->shrinks;
}

/* ---- limits and use ------------------------------------------------------------ */

/* A struct that holds no pool (never initialised and zeroed, or destroyed):
 * the calls that use it fail with VSTACK_EINVAL, naming `call`. */
static int vs_pool_gone(const vstack_pool *pool, const char *call, struct vs_out *o)
{
    if (pool->priv_.map_base)
        return 0;
    vs_failf(o, VSTACK_EINVAL, "%s: no pool here (never initialised, or destroyed)", call);
    return 1;
}

int vstack_pool_set_limits(vstack_pool *pool, size_t soft, size_t hard)
{
    struct vstack_pool_private_ *p = &pool->priv_;
    struct vs_out o = {0};
    size_t s = vs_clamp_round(soft, p->opts.unit), h = vs_clamp_round(hard, p->opts.unit);

    if (vs_pool_gone(pool, "vstack_pool_set_limits", &o))
        ;
    else if (!h || (vs_check_sizes(p->minsize, h, "minsize", "hard limit", &o) == VSTACK_OK &&
               vs_check_sizes(p->size, h, "the pool's size", "hard limit", &o) == VSTACK_OK &&
               vs_check_sizes(s, h, "soft limit", "hard limit", &o) == VSTACK_OK)) {
        p->soft = s;
        p->hard = h;
        p->soft_warned = s && p->size > s; /* crossed already: warn on the next crossing */
    }
    return vs_pool_deliver(pool, &o);
}

void vstack_pool_set_used(vstack_pool *pool, size_t used)
{
    struct vstack_pool_private_ *p = &pool->priv_;
    struct vs_out o = {0};
    if (vs_pool_gone(pool, "vstack_pool_set_used", &o)) {
        vs_pool_deliver(pool, &o);
        return;
    }
    p->used = used;
    if (p->fork.hi > p->fork.lo) {
        vs_pool_unstick(p, &o);
        vs_pool_deliver(pool, &o);
    }
}

/* ---- resize -------------------------------------------------------------------- */

static int vs_pool_grow(vstack_pool *pool, size_t newsize, struct vs_out *o)
{
    struct vstack_pool_private_ *p = &pool->priv_;
    struct vs_os_err e;
    uintptr_t at = p->base + p->size;
    size_t len = newsize - p->size;
    char b1[48], b2[48];

    if (vs_os_commit((void *)at, len, &e) != 0)
        return vs_fail_os(o, &e, "cannot grow the pool from %s to %s", vs_fmt_size(p->size, b1),
                          vs_fmt_size(newsize, b2));
    /* Fresh pages, or pages given back and committed again: zeros, as
     * vstack_pool(3) says, so memcheck takes them as defined. */
    vs_track_defined((void *)at, len);
    p->size = newsize;
    p->grows++;
    if (newsize > p->high_water)
        p->high_water = newsize;
    vs_advise_huge(&p->opts, (void *)at, len, o);
    if (p->soft && newsize > p->soft && !p->soft_warned) {
        p->soft_warned = 1;
        vs_warnf(o, VSTACK_OK, "the pool grew to %s, past its soft limit %s", vs_fmt_size(newsize, b1),
                 vs_fmt_size(p->soft, b2));
    }
    return VSTACK_OK;
}

static int vs_pool_shrink(vstack_pool *pool, size_t newsize, struct vs_out *o)
{
    struct vstack_pool_private_ *p = &pool->priv_;
    struct vs_os_err e;
    uintptr_t at = p->base + newsize, end = p->base + p->size;
    char b1[48], b2[48];
    int hole;

    if (vs_os_decommit((void *)at, end - at, p->opts.unmap, &hole, &e) != 0) {
        if (!hole)
            return vs_fail_os(o, &e, "cannot give back %s of the pool", vs_fmt_size(end - at, b1));
        /* [at, end) is no longer ours: the reservation above it goes too
         * (vs_lose_range), the mapping ends at `at`, and the pool may not
         * grow past it. */
        vs_lose_range(&p->map_base, &p->map_len, at, end, 0, o);
        p->reserved = newsize;
        if (p->hard > newsize)
            p->hard = newsize;
        vs_fail_os(o, &e, "%s of the pool were given back but not reserved again; the pool cannot grow past %s",
                   vs_fmt_size(end - at, b1), vs_fmt_size(newsize, b2));
    } else {
        p->shrinks++;
    }
    vs_track_noaccess((void *)at, end - at);
    p->size = newsize; /* no fork-wipe mark is left here: resize cleared it first */
    if (p->soft && newsize <= p->soft)
        p->soft_warned = 0;
    return o->code;
}

int vstack_pool_resize(vstack_pool *pool, size_t newsize)
{
    struct vstack_pool_private_ *p = &pool->priv_;
    struct vs_out o = {0};
    struct vs_os_sigmask saved;
    char b1[48], b2[48];
    size_t n = vs_clamp_round(newsize, p->opts.unit);

    if (n < p->minsize)
        n = p->minsize;
    if (vs_pool_gone(pool, "vstack_pool_resize", &o))
        ;
    else if (p->hard && n > p->hard)
        vs_failf(&o, VSTACK_ESTACK, "the pool cannot grow to %s: its hard limit is %s", vs_fmt_size(n, b1),
                 vs_fmt_size(p->hard, b2));
    else if (n > p->reserved)
        vs_failf(&o, VSTACK_ESTACK, "the pool cannot grow to %s: maxsize is %s", vs_fmt_size(n, b1),
                 vs_fmt_size(p->reserved, b2));
    else if (n != p->size && vs_pool_unstick(p, &o) == VSTACK_OK && vs_block(&saved, &o) == VSTACK_OK) {
        if (n > p->size)
            vs_pool_grow(pool, n, &o);
        else
            vs_pool_shrink(pool, n, &o);
        vs_unblock(&saved, &o);
    }
    return vs_pool_deliver(pool, &o);
}
