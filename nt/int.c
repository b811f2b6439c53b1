/* SPDX-License-Identifier: MIT */
/* int.c -- building, copying, inspecting and comparing integers. */
#include "nt.h"

#include <limits.h>

vnt_int vnt_new(vstack *st, size_t nlimbs)
{
    return nt_alloc(st, nlimbs);
}

vnt_int vnt_from_ui(vstack *st, unsigned long v)
{
    /* An unsigned long fits one limb on every GMP build we support. */
    _Static_assert(sizeof(unsigned long) <= sizeof(mp_limb_t), "limb narrower than long");
    vnt_int x = nt_alloc(st, 1);
    x[1] = v;
    return nt_finish(x, 1, 0);
}

vnt_int vnt_from_si(vstack *st, long v)
{
    /* -(unsigned long)v is |v| even for LONG_MIN. */
    vnt_int x = nt_alloc(st, 1);
    x[1] = v < 0 ? -(unsigned long)v : (unsigned long)v;
    return nt_finish(x, 1, v < 0);
}

vnt_int vnt_from_limbs(vstack *st, int sign, const mp_limb_t *p, size_t n)
{
    vnt_int x = nt_alloc(st, n);
    if (n)
        mpn_copyi(x + 1, p, (mp_size_t)n);
    return nt_finish(x, n, sign < 0);
}

vnt_int vnt_copy(vstack *st, vnt_int x)
{
    size_t n = vnt_len(x);
    vnt_int y = nt_alloc(st, n);
    memcpy(y, x, (n + 1) * sizeof(mp_limb_t));
    return y;
}

int vnt_fits_ui(vnt_int x)
{
    size_t n = vnt_len(x);
    return n == 0 || (vnt_sign(x) > 0 && n == 1 && x[1] <= ULONG_MAX);
}

int vnt_fits_si(vnt_int x)
{
    size_t n = vnt_len(x);
    if (n == 0)
        return 1;
    if (n > 1)
        return 0;
    if (vnt_sign(x) > 0)
        return x[1] <= (mp_limb_t)LONG_MAX;
    return x[1] <= (mp_limb_t)LONG_MAX + 1;
}

unsigned long vnt_get_ui(vnt_int x)
{
    return vnt_len(x) ? (unsigned long)x[1] : 0;
}

long vnt_get_si(vnt_int x)
{
    if (vnt_len(x) == 0)
        return 0;
    unsigned long m = (unsigned long)x[1];
    if (vnt_sign(x) > 0)
        return (long)m;
    return m == (unsigned long)LONG_MAX + 1 ? LONG_MIN : -(long)m;
}

int vnt_cmpabs(vnt_int a, vnt_int b)
{
    size_t an = vnt_len(a), bn = vnt_len(b);
    if (an != bn)
        return an < bn ? -1 : 1;
    int c = an ? mpn_cmp(a + 1, b + 1, (mp_size_t)an) : 0;
    return (c > 0) - (c < 0);
}

int vnt_cmp(vnt_int a, vnt_int b)
{
    int sa = vnt_sign(a), sb = vnt_sign(b);
    if (sa != sb)
        return sa < sb ? -1 : 1;
    return sa >= 0 ? vnt_cmpabs(a, b) : -vnt_cmpabs(a, b);
}

int vnt_cmp_si(vnt_int a, long v)
{
    mp_limb_t w[2];
    w[1] = v < 0 ? -(unsigned long)v : (unsigned long)v;
    nt_finish(w, 1, v < 0);
    return vnt_cmp(a, w);
}

size_t vnt_bitlen(vnt_int x)
{
    size_t n = vnt_len(x);
    if (n == 0)
        return 0;
    mp_limb_t top = x[n];
    size_t b = 0;
    while (top) {
        b++;
        top >>= 1;
    }
    return (n - 1) * GMP_NUMB_BITS + b;
}

vnt_int vnt_neg(vstack *st, vnt_int x)
{
    vnt_int y = vnt_copy(st, x);
    if (vnt_len(y))
        y[0] ^= VNT_NEGBIT;
    return y;
}

vnt_int vnt_abs(vstack *st, vnt_int x)
{
    vnt_int y = vnt_copy(st, x);
    y[0] &= VNT_LENMASK;
    return y;
}
