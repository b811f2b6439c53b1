/* growth.c -- growing from parisize to --used while writing every byte.
 *
 * The time covers the whole computation: commit calls, first-touch page
 * faults and the writes.  RSS and minor faults are read afterwards; the
 * time to reset is reported too, since every GP command ends with one.
 * Then the same computation runs again after the reset, as the next GP
 * command would: on a virtual machine whose host takes back free guest
 * memory, the first run may also pay the host's faults, the second one
 * finds memory the guest freed a moment ago.
 */
#include "config.h"

#include <stdio.h>

#include "measure.h"
#include "vsbench.h"

int vsb_growth(const struct contender *c, const struct vsb_opts *o)
{
    long rss0, flt0;
    double grow_ms, reset_ms, again_ms;
    uint64_t t0;
    uintptr_t av;

    if (!c->has_stack)
        vsb_die("%s has no stack to grow", c->name);
    vsb_start(c, o);
    rss0 = vsb_status_kb("VmRSS");
    flt0 = vsb_minor_faults();
    av = c->avma();
    t0 = vsb_now_ns();
    if (vsb_fill(c, o->used, o->chunk))
        vsb_die("%s: %zu bytes do not fit in vsize %zu", c->name, o->used, o->vsize);
    grow_ms = (double)(vsb_now_ns() - t0) / 1e6;
    printf("growth,%s,%zu,%zu,%.2f,%ld,%ld,%ld,", c->name, o->vsize, o->used, grow_ms,
           vsb_status_kb("VmRSS"), vsb_status_kb("VmRSS") - rss0, vsb_minor_faults() - flt0);
    c->set_avma(av);
    t0 = vsb_now_ns();
    c->reset();
    reset_ms = (double)(vsb_now_ns() - t0) / 1e6;
    printf("%.3f,%ld,", reset_ms, vsb_status_kb("VmRSS"));
    flt0 = vsb_minor_faults();
    t0 = vsb_now_ns();
    if (vsb_fill(c, o->used, o->chunk))
        vsb_die("%s: the second computation did not fit", c->name);
    again_ms = (double)(vsb_now_ns() - t0) / 1e6;
    printf("%.2f,%ld\n", again_ms, vsb_minor_faults() - flt0);
    c->set_avma(av);
    c->reset();
    return 0;
}
