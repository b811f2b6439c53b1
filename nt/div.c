/* SPDX-License-Identifier: MIT */
/* div.c -- Euclidean division: the remainder is never negative. */
#include "nt.h"

vnt_int vnt_divrem(vstack *st, vnt_int a, vnt_int b, vnt_int *rp)
{
    size_t an = vnt_len(a), bn = vnt_len(b);
    if (bn == 0)
        vnt_error(st, VNT_EDIVZERO, "impossible inverse: division by zero");
    int na = vnt_sign(a) < 0, nb = vnt_sign(b) < 0;
    size_t qn = an >= bn ? an - bn + 1 : 0;
    /* q is allocated first so that callers wanting only q can drop r by
     * resetting avma to q.  One spare limb takes the carry of q + 1. */
    vnt_int q = nt_alloc(st, qn + 1);
    vnt_int r = nt_alloc(st, bn);
    q[qn + 1] = 0;
    if (an < bn) {
        if (an)
            mpn_copyi(r + 1, a + 1, (mp_size_t)an);
        mpn_zero(r + 1 + an, (mp_size_t)(bn - an));
    } else {
        mpn_tdiv_qr(q + 1, r + 1, 0, a + 1, (mp_size_t)an, b + 1, (mp_size_t)bn);
    }
    /* |a| = Q|b| + R.  For a < 0 and R > 0, a = -(Q+1)|b| + (|b| - R). */
    if (na && !mpn_zero_p(r + 1, (mp_size_t)bn)) {
        mpn_sub_n(r + 1, b + 1, r + 1, (mp_size_t)bn);
        mpn_add_1(q + 1, q + 1, (mp_size_t)(qn + 1), 1);
    }
    nt_finish(q, qn + 1, na != nb);
    nt_finish(r, bn, 0);
    if (rp)
        *rp = r;
    else
        vstack_set_avma(st, (vstack_sp)q);
    return q;
}

vnt_int vnt_div(vstack *st, vnt_int a, vnt_int b)
{
    return vnt_divrem(st, a, b, NULL);
}

vnt_int vnt_mod(vstack *st, vnt_int a, vnt_int b)
{
    vstack_sp av = vstack_avma(st);
    vnt_int r;
    vnt_divrem(st, a, b, &r);
    return vnt_gerepile(st, av, r);
}

vnt_int vnt_divexact(vstack *st, vnt_int a, vnt_int b)
{
    vnt_int r;
    vnt_int q = vnt_divrem(st, a, b, &r);
    if (vnt_len(r) != 0)
        vnt_error(st, VNT_EDOMAIN, "not an exact division: the result is not an integer");
    vstack_set_avma(st, (vstack_sp)q);
    return q;
}
