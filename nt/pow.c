/* SPDX-License-Identifier: MIT */
/* pow.c -- powers by left-to-right binary exponentiation. */
#include "nt.h"

#include <limits.h>

/* |x| == 1 */
static int is_unit(vnt_int x)
{
    return vnt_len(x) == 1 && x[1] == 1;
}

vnt_int vnt_pow_ui(vstack *st, vnt_int a, unsigned long e)
{
    size_t an = vnt_len(a);
    if (e == 0)
        return vnt_from_ui(st, 1);
    if (an == 0)
        return vnt_from_ui(st, 0);
    int neg = vnt_sign(a) < 0 && (e & 1);
    size_t bits = vnt_bitlen(a);
    if (is_unit(a))
        return vnt_from_si(st, neg ? -1 : 1);
    if (mpn_scan1(a + 1, 0) == bits - 1) {
        /* A power of two: the result is one bit, placed directly. */
        size_t sh = bits - 1;
        if (sh > (SIZE_MAX - 2 * GMP_NUMB_BITS) / e)
            vnt_error(st, VNT_EOVERFLOW, "overflow: the exponent is too large");
        sh *= e;
        nt_need_bits(st, (double)sh);
        size_t n = sh / GMP_NUMB_BITS + 1;
        vnt_int r = nt_alloc(st, n);
        mpn_zero(r + 1, (mp_size_t)n);
        r[n] = (mp_limb_t)1 << (sh % GMP_NUMB_BITS);
        return nt_finish(r, n, neg);
    }
    if (bits > (SIZE_MAX - 4 * GMP_NUMB_BITS) / e)
        vnt_error(st, VNT_EOVERFLOW, "overflow: the exponent is too large");
    /* |a| >= 2^(bits-1), so |a^e| >= 2^((bits-1) e). */
    nt_need_bits(st, (double)(bits - 1) * (double)e);
    /* Every intermediate product fits bits*e/GMP_NUMB_BITS + 2 limbs: a
     * square of a^k (2k <= e) or a^(2k) * a (2k+1 <= e). */
    size_t lim = bits * e / GMP_NUMB_BITS + 3;
    vnt_int r = nt_alloc(st, lim);
    mp_limb_t *tmp = nt_scratch(st, lim);
    mp_limb_t *cur = r + 1, *oth = tmp;
    size_t n = an;
    mpn_copyi(cur, a + 1, (mp_size_t)an);
    int top = (int)(sizeof e * CHAR_BIT) - 1;
    while (!((e >> top) & 1))
        top--;
    for (int i = top - 1; i >= 0; i--) {
        mpn_sqr(oth, cur, (mp_size_t)n);
        n *= 2;
        while (oth[n - 1] == 0)
            n--;
        mp_limb_t *t = cur; cur = oth; oth = t;
        if ((e >> i) & 1) {
            mpn_mul(oth, cur, (mp_size_t)n, a + 1, (mp_size_t)an);
            n += an;
            while (oth[n - 1] == 0)
                n--;
            t = cur; cur = oth; oth = t;
        }
    }
    if (cur != r + 1)
        mpn_copyi(r + 1, cur, (mp_size_t)n);
    vstack_set_avma(st, (vstack_sp)r);
    return nt_finish(r, n, neg);
}

vnt_int vnt_pow(vstack *st, vnt_int a, vnt_int e)
{
    int odd = vnt_len(e) && (e[1] & 1);
    if (vnt_sign(e) < 0) {
        if (vnt_len(a) == 0)
            vnt_error(st, VNT_EDIVZERO, "impossible inverse: 0 to a negative power");
        if (!is_unit(a))
            vnt_error(st, VNT_EDOMAIN, "a negative power is not an integer");
        return vnt_from_si(st, vnt_sign(a) < 0 && odd ? -1 : 1);
    }
    if (vnt_fits_ui(e))
        return vnt_pow_ui(st, a, vnt_get_ui(e));
    if (vnt_len(a) == 0)
        return vnt_from_ui(st, 0);
    if (is_unit(a))
        return vnt_from_si(st, vnt_sign(a) < 0 && odd ? -1 : 1);
    vnt_error(st, VNT_EOVERFLOW, "overflow: the exponent does not fit a machine word");
}
