/* SPDX-License-Identifier: MIT */
/* fast_path.c -- ns per alloc+release pair on a stack that needs no growth.
 *
 * Two loops, their batches interleaved in one process:
 *   barrier  an allocation of --nwords longs and its release, each
 *            iteration starting with a compiler barrier (VSB_OPAQUE): the
 *            stack pointer is read from memory every time, as after any
 *            call a real program makes between two allocations
 *   tight    av = avma; x = new_chunk(4 + (i & 7)); x[0] = i;
 *            sink += x[0]; set_avma(av) with no barrier, the stack a local
 *            variable of the timing function where the contender allows it:
 *            what an optimised inner loop sees
 * Each runs --iters iterations in REPS batches; the median batch and the
 * fastest one are printed.  On a shared machine other processes only ever
 * add time, so bench/run compares the fastest batches (median over
 * processes) and shows the median batches beside them.
 */
#include "config.h"

#include <stdio.h>

#include "measure.h"
#include "vsbench.h"

#define REPS 8

struct loop {
    const char *name;
    double ns[REPS];
};

static double run(const struct contender *c, const struct vsb_opts *o, int tight, long n)
{
    return tight ? c->tight_loop(n) : c->fast_path(n, (size_t)o->nwords);
}

int vsb_fast_path(const struct contender *c, const struct vsb_opts *o)
{
    struct loop loops[2] = { { "barrier", { 0 } }, { "tight", { 0 } } };
    int has[2] = { c->fast_path != NULL, c->tight_loop != NULL };
    long batch = (o->iters + REPS - 1) / REPS;
    int i, k;

    if (!has[0] && !has[1])
        vsb_die("%s has no allocation loop", c->name);
    vsb_start(c, o);
    for (k = 0; k < 2; k++) /* warm up, and take any slow path once */
        if (has[k])
            run(c, o, k, batch);
    for (i = 0; i < REPS; i++)
        for (k = 0; k < 2; k++)
            if (has[k])
                loops[k].ns[i] = run(c, o, k, batch);
    for (k = 0; k < 2; k++) {
        double med;
        if (!has[k])
            continue;
        med = vsb_median(loops[k].ns, REPS); /* sorts: ns[0] is now the fastest batch */
        printf("fastpath,%s,%s,%ld,%ld,%.3f,%.3f\n", c->name, loops[k].name, k ? 0 : o->nwords,
               batch * REPS, med, loops[k].ns[0]);
    }
    return 0;
}
