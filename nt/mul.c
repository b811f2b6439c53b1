/* SPDX-License-Identifier: MIT */
/* mul.c -- multiplication and squaring. */
#include "nt.h"

vnt_int vnt_mul(vstack *st, vnt_int a, vnt_int b)
{
    size_t an = vnt_len(a), bn = vnt_len(b);
    int neg = (vnt_sign(a) < 0) != (vnt_sign(b) < 0);
    if (an == 0 || bn == 0)
        return vnt_from_ui(st, 0);
    if (a == b)
        return vnt_sqr(st, a);
    if (an < bn) {
        vnt_int t = a; a = b; b = t;
        size_t tn = an; an = bn; bn = tn;
    }
    vnt_int r = nt_alloc(st, an + bn);
    mpn_mul(r + 1, a + 1, (mp_size_t)an, b + 1, (mp_size_t)bn);
    return nt_finish(r, an + bn, neg);
}

vnt_int vnt_sqr(vstack *st, vnt_int a)
{
    size_t an = vnt_len(a);
    if (an == 0)
        return vnt_from_ui(st, 0);
    vnt_int r = nt_alloc(st, 2 * an);
    mpn_sqr(r + 1, a + 1, (mp_size_t)an);
    return nt_finish(r, 2 * an, 0);
}

vnt_int vnt_mul_si(vstack *st, vnt_int a, long v)
{
    size_t an = vnt_len(a);
    if (an == 0 || v == 0)
        return vnt_from_ui(st, 0);
    mp_limb_t m = v < 0 ? -(unsigned long)v : (unsigned long)v;
    vnt_int r = nt_alloc(st, an + 1);
    r[an + 1] = mpn_mul_1(r + 1, a + 1, (mp_size_t)an, m);
    return nt_finish(r, an + 1, (vnt_sign(a) < 0) != (v < 0));
}
