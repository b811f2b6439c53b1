/* SPDX-License-Identifier: MIT */
/* nt.h -- internals shared by the vstack_nt sources (not installed). */
#ifndef NT_NT_H
#define NT_NT_H

#include "vstack_nt.h"

#include <stdint.h>
#include <string.h>

/* Room for an integer of up to nlimbs limbs: header set to zero.  Never
 * returns NULL: failures go to the error handlers. */
mp_limb_t *nt_alloc(vstack *st, size_t nlimbs);
/* Raw stack memory for nlimbs limbs of scratch (16-byte aligned). */
mp_limb_t *nt_scratch(vstack *st, size_t nlimbs);
/* Strip high zero limbs of the n limbs at x+1, set the header with the sign
 * (neg != 0: negative unless zero), and return x. */
static inline vnt_int nt_finish(vnt_int x, size_t n, int neg)
{
    while (n > 0 && x[n] == 0)
        n--;
    x[0] = (mp_limb_t)n | (n && neg ? VNT_NEGBIT : 0);
    return x;
}
/* Before any work: refuse with VSTACK_ESTACK a result of at least bits bits
 * (a lower bound, from the arguments) that does not fit in what the stack
 * has left below parisizemax (parisize for a fixed stack), as gp refuses
 * 2^(2^62) at once.  The message starts with VNT_NEEDS and the bytes
 * needed, which ntcalc reads back for its hint. */
void nt_need_bits(vstack *st, double bits);
/* Product of the limbs v[0 .. n-1] (each non-zero), as a positive integer. */
vnt_int nt_prod_limbs(vstack *st, const mp_limb_t *v, size_t n);

#endif
