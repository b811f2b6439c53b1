/* SPDX-License-Identifier: MIT */
/* fork_stacks.c -- an idle fork with several live stacks in the process.
 *
 * A program with worker threads has one stack per thread: --stacks in all,
 * each of parisize --rsize and parisizemax --vsize, all just initialised and
 * idle, while the process forks and the child exits at once.  With
 * --stacks=1 this is the idle fork of fork_cost.c; bare, which has no stack,
 * is the baseline.
 */
#include "config.h"

#include <stdio.h>

#include "measure.h"
#include "vsbench.h"

int vsb_fork_stacks(const struct contender *c, const struct vsb_opts *o)
{
    struct vsb_series s;

    vsb_start(c, o);
    if (o->stacks > 1) {
        if (!c->add_stacks)
            vsb_die("%s has one stack per process: --stacks=%ld is not possible", c->name,
                    o->stacks);
        if (c->add_stacks(o->stacks - 1, o->rsize, o->vsize))
            vsb_die("%s: could not set up %ld stacks of vsize %zu", c->name, o->stacks, o->vsize);
    }
    vsb_warm_forks(c);
    vsb_time_forks(c, o, NULL, &s);
    printf("stacks,%s,%zu,%ld,%ld,%.1f,%.1f,%.1f,%.1f\n", c->name, o->vsize, o->stacks, s.n,
           s.median, s.first, s.min, s.max);
    return 0;
}
