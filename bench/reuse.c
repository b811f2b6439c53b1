/* reuse.c -- what trimming before fork costs the parent afterwards.
 *
 * The parent computes with --used bytes and releases them, then computes
 * with them again (warm: the pages are resident and writable, no fault).
 * A trimming contender then discards them (timed apart); one fork follows;
 * then the parent computes with the same amount once more (reuse).  Without
 * a trim that last computation takes a write fault per page, since fork
 * write-protected them; after a trim it faults in zero-filled pages.
 */
#include "config.h"

#include <stdio.h>

#include "measure.h"
#include "vsbench.h"

int vsb_reuse(const struct contender *c, const struct vsb_opts *o)
{
    double warm_ms, trim_ms = 0, fork_us, reuse_ms;
    long flt0;
    uint64_t t0;
    uintptr_t av;

    if (!c->has_stack)
        vsb_die("%s has no stack to reuse", c->name);
    vsb_start(c, o);
    av = c->avma();
    if (vsb_fill(c, o->used, o->chunk))
        vsb_die("%s: %zu bytes do not fit in vsize %zu", c->name, o->used, o->vsize);
    c->set_avma(av);
    t0 = vsb_now_ns();
    if (vsb_fill(c, o->used, o->chunk))
        vsb_die("%s: the second computation did not fit", c->name);
    warm_ms = (double)(vsb_now_ns() - t0) / 1e6;
    c->set_avma(av);
    if (c->trims && c->trim) {
        t0 = vsb_now_ns();
        c->trim();
        trim_ms = (double)(vsb_now_ns() - t0) / 1e6;
    }
    fork_us = vsb_fork_once(c, NULL) / 1000.0;
    flt0 = vsb_minor_faults();
    t0 = vsb_now_ns();
    if (vsb_fill(c, o->used, o->chunk))
        vsb_die("%s: the third computation did not fit", c->name);
    reuse_ms = (double)(vsb_now_ns() - t0) / 1e6;
    c->set_avma(av);
    printf("reuse,%s,%zu,%zu,%.2f,%.3f,%.1f,%.2f,%ld\n", c->name, o->vsize, o->used, warm_ms,
           trim_ms, fork_us, reuse_ms, vsb_minor_faults() - flt0);
    return 0;
}
