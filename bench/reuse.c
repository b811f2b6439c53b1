/* SPDX-License-Identifier: MIT */
/* reuse.c -- what one fork costs the parent's next computation.
 *
 * The parent computes with --used bytes and releases them, then computes
 * with them again: warm, the pages are resident and writable, no fault.
 * One fork follows (with the trim of a trimming contender, timed with it),
 * then the parent computes with the same amount once more: reuse.  A fork
 * that copied the page tables of those pages write-protected them, and
 * reuse takes a write fault per page; after a trim it takes a zero-fill
 * fault per page; a fork that left them alone costs reuse nothing.  Minor
 * faults are counted during both computations.
 */
#include "config.h"

#include <stdio.h>

#include "measure.h"
#include "vsbench.h"

/* One computation with --used bytes, released afterwards: ms and faults. */
static double compute(const struct contender *c, const struct vsb_opts *o, long *faults)
{
    uintptr_t av = c->avma();
    long flt0 = vsb_minor_faults();
    uint64_t t0 = vsb_now_ns();
    double ms;

    if (vsb_fill(c, o->used, o->chunk))
        vsb_die("%s: %zu bytes do not fit in vsize %zu", c->name, o->used, o->vsize);
    ms = (double)(vsb_now_ns() - t0) / 1e6;
    *faults = vsb_minor_faults() - flt0;
    c->set_avma(av);
    return ms;
}

int vsb_reuse(const struct contender *c, const struct vsb_opts *o)
{
    double warm_ms, fork_us, reuse_ms;
    long cold_flt, warm_flt, reuse_flt;

    if (!c->has_stack)
        vsb_die("%s has no stack to reuse", c->name);
    vsb_start(c, o);
    (void)compute(c, o, &cold_flt); /* first touch: growth measures that */
    warm_ms = compute(c, o, &warm_flt);
    fork_us = vsb_fork_once(c, NULL) / 1000.0;
    reuse_ms = compute(c, o, &reuse_flt);
    printf("reuse,%s,%zu,%zu,%.4f,%ld,%.1f,%.4f,%ld\n", c->name, o->vsize, o->used, warm_ms,
           warm_flt, fork_us, reuse_ms, reuse_flt);
    return 0;
}
