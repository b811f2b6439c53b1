/* SPDX-License-Identifier: MIT */
/* growth.c -- growing from parisize to --used while writing every byte.
 *
 * The time covers the whole computation: commit calls, first-touch page
 * faults and the writes.  RSS and minor faults are read afterwards; the
 * time to reset is reported too, since every GP command ends with one.
 * Then the same computation runs again after the reset, as the next GP
 * command would: on a virtual machine whose host takes back free guest
 * memory, the first run may also pay the host's faults, the second one
 * finds memory the guest freed a moment ago.
 * With --lockstep=N the computations take turns with the other contenders'
 * every N chunks, and their times leave the waits out.
 */
#include "config.h"

#include <stdio.h>

#include "measure.h"
#include "vsbench.h"

/* Push --used bytes as vsb_fill does, in turns of --lockstep chunks if
 * asked: the time of the pushes alone in ms, or -1 if they did not fit. */
static double timed_fill(const struct contender *c, const struct vsb_opts *o)
{
    size_t slice = o->lockstep ? (size_t)o->lockstep * o->chunk : o->used, done;
    double ms = 0;

    for (done = 0; done < o->used; done += slice) {
        size_t n = o->used - done < slice ? o->used - done : slice;
        uint64_t t0;

        if (o->lockstep)
            vsb_turn_pass();
        t0 = vsb_now_ns();
        if (vsb_fill(c, n, o->chunk))
            return -1;
        ms += (double)(vsb_now_ns() - t0) / 1e6;
    }
    return ms;
}

int vsb_growth(const struct contender *c, const struct vsb_opts *o)
{
    long rss0, flt0, rss, grow_flt, rss_reset, again_flt;
    double grow_ms, reset_ms, again_ms;
    uint64_t t0;
    uintptr_t av;

    if (!c->has_stack)
        vsb_die("%s has no stack to grow", c->name);
    vsb_start(c, o);
    rss0 = vsb_status_kb("VmRSS");
    flt0 = vsb_minor_faults();
    av = c->avma();
    grow_ms = timed_fill(c, o);
    if (grow_ms < 0)
        vsb_die("%s: %zu bytes do not fit in vsize %zu", c->name, o->used, o->vsize);
    grow_flt = vsb_minor_faults() - flt0;
    rss = vsb_status_kb("VmRSS");
    c->set_avma(av);
    t0 = vsb_now_ns();
    c->reset();
    reset_ms = (double)(vsb_now_ns() - t0) / 1e6;
    rss_reset = vsb_status_kb("VmRSS");
    flt0 = vsb_minor_faults();
    again_ms = timed_fill(c, o);
    if (again_ms < 0)
        vsb_die("%s: the second computation did not fit", c->name);
    again_flt = vsb_minor_faults() - flt0;
    /* One line, printed at the end: turns print theirs in between. */
    printf("growth,%s,%zu,%zu,%.2f,%ld,%ld,%ld,%.3f,%ld,%.2f,%ld\n", c->name, o->vsize, o->used,
           grow_ms, rss, rss - rss0, grow_flt, reset_ms, rss_reset, again_ms, again_flt);
    c->set_avma(av);
    c->reset();
    return 0;
}
