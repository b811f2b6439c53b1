/* SPDX-License-Identifier: MIT */
/* gcd.c -- greatest common divisor through mpn_gcd on odd operands. */
#include "nt.h"

/* Copy |x| >> tz into fresh scratch; *n receives its normalized length. */
static mp_limb_t *odd_part(vstack *st, vnt_int x, size_t tz, size_t *n)
{
    size_t xn = vnt_len(x), skip = tz / GMP_NUMB_BITS;
    unsigned sh = (unsigned)(tz % GMP_NUMB_BITS);
    size_t m = xn - skip;
    mp_limb_t *p = nt_scratch(st, m);
    if (sh)
        mpn_rshift(p, x + 1 + skip, (mp_size_t)m, sh);
    else
        mpn_copyi(p, x + 1 + skip, (mp_size_t)m);
    while (m > 0 && p[m - 1] == 0)
        m--;
    *n = m;
    return p;
}

vnt_int vnt_gcd(vstack *st, vnt_int a, vnt_int b)
{
    size_t an = vnt_len(a), bn = vnt_len(b);
    if (an == 0)
        return vnt_abs(st, b);
    if (bn == 0)
        return vnt_abs(st, a);
    size_t ta = mpn_scan1(a + 1, 0), tb = mpn_scan1(b + 1, 0);
    size_t k = ta < tb ? ta : tb;
    /* gcd <= min(|a|, |b|), so the result fits the shorter operand. */
    size_t rn = (an < bn ? an : bn) + 1;
    vnt_int r = nt_alloc(st, rn);
    size_t xn, yn;
    mp_limb_t *x = odd_part(st, a, ta, &xn);
    mp_limb_t *y = odd_part(st, b, tb, &yn);
    /* mpn_gcd wants xn >= yn; keep x >= y outright, which also covers it. */
    if (xn < yn || (xn == yn && mpn_cmp(x, y, (mp_size_t)xn) < 0)) {
        mp_limb_t *t = x; x = y; y = t;
        size_t tn = xn; xn = yn; yn = tn;
    }
    mp_limb_t *g = nt_scratch(st, yn);
    size_t gn = (size_t)mpn_gcd(g, x, (mp_size_t)xn, y, (mp_size_t)yn);
    size_t skip = k / GMP_NUMB_BITS;
    unsigned sh = (unsigned)(k % GMP_NUMB_BITS);
    mpn_zero(r + 1, (mp_size_t)rn);
    if (sh)
        r[1 + skip + gn] = mpn_lshift(r + 1 + skip, g, (mp_size_t)gn, sh);
    else
        mpn_copyi(r + 1 + skip, g, (mp_size_t)gn);
    vstack_set_avma(st, (vstack_sp)r);
    return nt_finish(r, rn, 0);
}
