/* SPDX-License-Identifier: MIT */
/* gc.c -- PARI-style garbage collection: keep some results, drop the rest. */
#include "nt.h"

vnt_int vnt_gerepile(vstack *st, vstack_sp av, vnt_int x)
{
    vnt_int *one[1] = {&x};
    vnt_gerepile_many(st, av, one, 1);
    return x;
}

/* The objects to keep are moved up one by one, highest address first: each
 * lands at or above where it was, and only over garbage or over objects
 * already moved, so memmove is enough and no spare memory is needed. */
void vnt_gerepile_many(vstack *st, vstack_sp av, vnt_int *xs[], size_t n)
{
    vstack_sp lo = vstack_avma(st);
    vstack_sp dst = av; /* everything at or above dst is kept */
    vstack_sp bound = av;
    for (;;) {
        /* The highest object still to move: in [lo, bound). */
        vstack_sp best = 0;
        for (size_t i = 0; i < n; i++) {
            vstack_sp p = (vstack_sp)*xs[i];
            if (p >= lo && p < bound && p > best)
                best = p;
        }
        if (best == 0)
            break;
        size_t nbytes = (vnt_len((vnt_int)best) + 1) * sizeof(mp_limb_t);
        vstack_sp to = (dst - nbytes) & ~(vstack_sp)15;
        memmove((void *)to, (void *)best, nbytes);
        for (size_t i = 0; i < n; i++)
            if ((vstack_sp)*xs[i] == best)
                *xs[i] = (vnt_int)to;
        dst = to;
        bound = best;
    }
    vstack_set_avma(st, dst);
}
