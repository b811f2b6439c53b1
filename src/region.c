/* SPDX-License-Identifier: MIT */
/* region.c -- one reservation core, under the stack and the pool.
 *
 *   stack (down):  lo       reserved, PROT_NONE      edge   committed    hi
 *   pool (up):     lo  committed   edge     reserved, PROT_NONE          hi
 *
 * A region is a reservation (reserve.c) with a committed part at one end.
 * Its verbs change the edge (commit, decommit), lose a range the system
 * took back, enter the table of live ones, tear the whole down, and deliver
 * what a call has to say.  Growth policy (doubling, limits, what is in use)
 * is the stack's (alloc.c) and the pool's (pool.c).  Nothing here blocks
 * signals (signals.c): the caller does, around the whole change. */
#include "config.h"
#include "internal.h"
#include "track.h"

#include <string.h>

void vs_region_adopt(struct vs_region *r, const struct vs_mapping *m, struct vs_out *o)
{
    struct vs_os_err e;
    if (r->map_base && vs_os_release(r->map_base, r->map_len, &e) != 0)
        vs_warn_os(o, &e, "cannot release %'zu at %p", r->map_len, r->map_base);
    r->map_base = m->base;
    r->map_len = m->len;
    r->lo = m->lo;
    r->hi = m->hi;
    r->edge = r->filled = r->down ? r->hi : r->lo;
    vs_fork_none(&r->fork);
}

int vs_region_commit(struct vs_region *r, uintptr_t to, int count, struct vs_os_err *e, struct vs_out *o)
{
    uintptr_t lo = r->down ? to : r->edge, hi = r->down ? r->edge : to;
    if (hi <= lo)
        return 0;
    if (vs_os_commit((void *)lo, hi - lo, e) != 0)
        return e->err;
    r->edge = to;
    r->grows += count != 0;
    if (r->opts.huge && vs_os_advise_huge((void *)lo, hi - lo, e) != 0)
        vs_warnf(o, vs_errno_code(e->err), "%s: %s; continuing with normal pages", e->call, vs_os_why(e));
    return 0;
}

/* [lo, hi) at the edge was unmapped and could not be mapped again: it is
 * no longer ours, and nothing may grow into it.  Release the part of the
 * mapping beyond it, and make the mapping the part on this side, even when
 * that release fails (a warning says what stays mapped): the release of
 * the whole mapping must never unmap the lost range, which someone else may
 * have mapped since. */
static void vs_region_lose(struct vs_region *r, uintptr_t lo, uintptr_t hi, struct vs_out *o)
{
    uintptr_t base = (uintptr_t)r->map_base, end = base + r->map_len;
    uintptr_t from = r->down ? base : hi, to = r->down ? lo : end;
    struct vs_os_err e;
    if (to > from && vs_os_release((void *)from, to - from, &e) != 0)
        vs_warn_os(o, &e, "cannot release the reservation %s the lost range (%'zu at %p stays mapped)",
                   r->down ? "below" : "above", (size_t)(to - from), (void *)from);
    if (r->down) {
        r->map_base = (void *)hi;
        r->map_len = end - hi;
        r->lo = hi;
    } else {
        r->map_len = lo - base;
        r->hi = lo;
    }
}

int vs_region_decommit(struct vs_region *r, uintptr_t to, int *hole, struct vs_os_err *e, struct vs_out *o)
{
    uintptr_t lo = r->down ? r->edge : to, hi = r->down ? to : r->edge;
    *hole = 0;
    if (hi <= lo)
        return 0;
    if (vs_os_decommit((void *)lo, hi - lo, r->opts.unmap, hole, e) != 0 && !*hole)
        return e->err;
    if (*hole)
        vs_region_lose(r, lo, hi, o);
    else
        r->shrinks++;
    vs_track_noaccess((void *)lo, hi - lo);
    vs_fork_replaced(&r->fork, lo, hi);
    r->edge = to;
    /* Fresh pages again: nothing populated there. */
    if (r->down ? r->filled < to : r->filled > to)
        r->filled = to;
    return *hole ? e->err : 0;
}

void vs_region_join(struct vs_region *r, const char *what, struct vs_out *o)
{
    if (r->opts.forkwipe && vs_live_add(&r->fork) != 0) {
        r->opts.forkwipe = 0;
        vs_warnf(o, VSTACK_ENOMEM, "no memory for the table of live stacks: fork-wipe is off for this %s", what);
    }
}

void vs_live_misused(struct vs_out *o, const char *call, const char *what)
{
    vs_warnf(o, VSTACK_EINVAL,
             "%s: this struct held a %s that was never destroyed: its entry is replaced and its reservation is "
             "lost (destroy before initialising again)",
             call, what);
}

/* Each verbose line, then each warning, to the warn handler through the
 * owner's hear function. */
static void vs_hear_all(struct vs_region *r, vs_hear_fn *hear, const union vs_warn_fn *fn, void *ctx,
                        const struct vs_out *o)
{
    for (int i = 0; i < o->ninfo; i++)
        hear(r, fn, ctx, &o->info[i]);
    for (int i = 0; i < o->nwarn; i++)
        hear(r, fn, ctx, &o->warn[i]);
}

void vs_region_destroy(struct vs_region *r, void *obj, size_t size)
{
    struct vs_out o;
    struct vs_os_sigmask saved;
    struct vs_os_err e;

    vs_out_init(&o);
    /* A failure to block is only a warning: destroy goes on regardless. */
    int blocked = vs_block(&saved, &o) == VSTACK_OK;
    if (!blocked) {
        vs_warn_failure(&o, &o);
        o.code = VSTACK_OK;
    }
    vs_live_remove(&r->fork);
    if (vs_os_release(r->map_base, r->map_len, &e) != 0)
        vs_warn_os(&o, &e, "cannot release %'zu at %p", r->map_len, r->map_base);
    /* Empty the struct before signals come back, so that a handler that
     * longjmps out never finds it on released memory.  Only the warn
     * handler is kept, outside it, to hear what went wrong. */
    union vs_warn_fn fn = r->warn_fn;
    void *ctx = r->warn_ctx;
    vs_hear_fn *hear = r->hear;
    memset(obj, 0, size);
    if (blocked)
        vs_unblock(&saved, &o);
    if (hear)
        vs_hear_all(r, hear, &fn, ctx, &o);
}

int vs_region_deliver(struct vs_region *r, const struct vs_out *o)
{
    vs_out_last(o, &r->last);
    vs_region_tell(r, o);
    return o->code;
}

void vs_region_tell(struct vs_region *r, const struct vs_out *o)
{
    if (r->hear)
        vs_hear_all(r, r->hear, &r->warn_fn, r->warn_ctx, o);
}
