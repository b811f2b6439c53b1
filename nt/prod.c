/* SPDX-License-Identifier: MIT */
/* prod.c -- balanced product trees, the engine of factorial and binomial. */
#include "nt.h"

/* Below this many factors a running product beats splitting. */
#define NT_PROD_LEAF 16

vnt_int nt_prod_limbs(vstack *st, const mp_limb_t *v, size_t n)
{
    if (n <= NT_PROD_LEAF) {
        vnt_int r = nt_alloc(st, n ? n : 1);
        size_t m = 1;
        r[1] = n ? v[0] : 1;
        for (size_t i = 1; i < n; i++) {
            mp_limb_t cy = mpn_mul_1(r + 1, r + 1, (mp_size_t)m, v[i]);
            if (cy)
                r[1 + m++] = cy;
        }
        return nt_finish(r, m, 0);
    }
    /* Each level keeps only its product: the two halves are garbage once
     * multiplied, so the stack holds O(result) however deep the tree. */
    vstack_sp av = vstack_avma(st);
    size_t h = n / 2;
    vnt_int l = nt_prod_limbs(st, v, h);
    vnt_int r = nt_prod_limbs(st, v + h, n - h);
    return vnt_gerepile(st, av, vnt_mul(st, l, r));
}
