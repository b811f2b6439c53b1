/* SPDX-License-Identifier: MIT */
/* populate.c -- first touch in batches: the populated watermark of a region.
 *
 * Fresh committed memory costs one page fault per page at first touch.
 * vs_os_populate faults a whole range in with one call (Linux 5.14+:
 * madvise(MADV_POPULATE_WRITE)), which a prototype measured at 0.43-0.55x
 * of page-by-page first touch for batches of 2 to 32 MiB.  So when the
 * stack first reaches memory beyond its watermark `filled`, the slow path
 * populates up to one batch past what it hands out, and moves the
 * watermark.  The fast path never calls: it stops at lim, which the slow
 * path keeps at the lowest page handed out (alloc.c), so that each new
 * depth passes here once.
 *
 * A batch is never more than the region already uses: a fresh stack's
 * first pages fault in one by one, as they would without populate, and a
 * stack that stays small (a thread's, or one made for a short task) never
 * populates megabytes it does not use.  Growth doubles the batch up to its
 * size within a few calls.
 *
 * What was populated and not used is at most one batch, committed memory
 * like any free page: reset gives it back with the rest of the free part,
 * trim discards it, and fork-wipe marks it (a populated page is a touched
 * one).  A populate never fails aloud: EINVAL (a kernel without the
 * advice) turns it off for this region, and any other failure (ENOMEM
 * under strict accounting, EFAULT, EINTR) only ends that batch, whose pages
 * then fault in one by one as they would have anyway.  The watermark moves
 * only after the call returns: a handler that longjmps out of the call
 * leaves it where it was, and the next batch populates those pages again,
 * which finds them present.
 *
 * A pool (r->down == 0, pool.c) has no slow path: its client writes
 * without calling.  Its hooks are vstack_pool_resize, which populates one
 * batch past the old size, and vstack_pool_set_used, which populates the
 * next batch when `used` comes within half a batch of the watermark; a
 * call that does not cross it costs a few compares and no call. */
#include "config.h"
#include "internal.h"

#include <errno.h>

/* The batch, for a region that uses `used` bytes: never more than that,
 * in whole units, so that a stack or pool that uses little populates
 * little (0: none; its pages fault in one by one), and one that grows
 * reaches the full batch after a few doublings. */
static size_t vs_populate_batch(const struct vs_region *r, size_t used)
{
    size_t batch = vs_committed(r) / VS_POPULATE_SHARE, unit = r->opts.unit;
    if (batch < VS_POPULATE_MIN)
        batch = VS_POPULATE_MIN;
    if (batch > VS_POPULATE_MAX)
        batch = VS_POPULATE_MAX;
    batch = vs_round_up(batch, unit);
    return batch < used ? batch : used & ~(unit - 1);
}

void vs_region_populate(struct vs_region *r, uintptr_t need)
{
    uintptr_t lo, hi, unit = r->opts.unit;
    size_t batch;
    struct vs_os_err e;

    if (!r->opts.populate)
        return;
    if (r->down) {
        if (need >= r->filled || r->filled <= r->edge)
            return; /* the slow path's usual case: nothing more to work out */
        if (!(batch = vs_populate_batch(r, r->hi - need)))
            return;
        hi = r->filled;
        lo = need & ~(unit - 1);
        lo = lo - r->edge > batch ? lo - batch : r->edge;
    } else {
        /* A pool: need is the end of what is in use (the old size on
         * growth, `used` in set_used).  Populate when the watermark is
         * less than half a batch past it, from the watermark (or need, when
         * the client's own writes are already past the watermark) to one
         * batch past need. */
        uintptr_t at = need & ~(unit - 1);
        if (need > r->edge || !(batch = vs_populate_batch(r, need - r->lo)))
            return;
        hi = vs_round_up(need, unit);
        hi = r->edge - hi > batch ? hi + batch : r->edge;
        if (r->filled >= hi || (r->filled > at && r->filled - at >= batch / 2))
            return;
        lo = r->filled > at ? r->filled : at;
    }
    if (vs_os_populate((void *)lo, hi - lo, &e) == EINVAL) {
        r->opts.populate = 0; /* this kernel has no such advice */
        return;
    }
    r->filled = r->down ? lo : hi;
}
