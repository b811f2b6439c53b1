/* fast_path.c -- ns per alloc+release pair on a stack that needs no growth.
 *
 * The pairs run in REPS batches; the median batch and the fastest one are
 * printed.  On a shared machine other processes only ever add time, so
 * bench/run compares the fastest batches (median over processes) and shows
 * the median batches beside them.
 */
#include "config.h"

#include <stdio.h>

#include "measure.h"
#include "vsbench.h"

#define REPS 7

int vsb_fast_path(const struct contender *c, const struct vsb_opts *o)
{
    double ns[REPS], med;
    long batch = o->iters / REPS + 1;
    int i;

    if (!c->fast_path)
        vsb_die("%s has no allocation fast path", c->name);
    vsb_start(c, o);
    c->fast_path(batch, (size_t)o->nwords); /* warm up, and take any slow path once */
    for (i = 0; i < REPS; i++)
        ns[i] = c->fast_path(batch, (size_t)o->nwords);
    med = vsb_median(ns, REPS); /* sorts: ns[0] is now the fastest batch */
    printf("fastpath,%s,%ld,%ld,%.3f,%.3f\n", c->name, o->nwords, batch * REPS, med, ns[0]);
    return 0;
}
