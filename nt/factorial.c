/* SPDX-License-Identifier: MIT */
/* factorial.c -- n! and binomial coefficients by product trees. */
#include "nt.h"

#include <limits.h>

/* Bits of n. */
static unsigned ulbits(unsigned long n)
{
    unsigned b = 0;
    while (n) {
        b++;
        n >>= 1;
    }
    return b;
}

/* Pack lo..hi (lo >= 1) into limbs, each the product of a run of consecutive
 * factors that fits a limb; with strip2, the factors lose their powers of
 * two, whose total is added to *e2.  Returns the limbs (on the stack). */
static mp_limb_t *pack_range(vstack *st, unsigned long lo, unsigned long hi, int strip2,
                             size_t *count, unsigned long *e2)
{
    /* A pushed limb exceeds 2^64 / hi, so it carries more than 64 - b bits
     * of the product, which has at most (hi-lo+1)*b bits. */
    unsigned long cnt = hi - lo + 1;
    unsigned b = ulbits(hi);
    size_t cap = cnt;
    if (b + 8 < GMP_NUMB_BITS && cnt / (GMP_NUMB_BITS - b) < SIZE_MAX / b)
        cap = (size_t)(cnt / (GMP_NUMB_BITS - b) + 1) * b + 2;
    if (cap > cnt + 1)
        cap = cnt + 1;
    mp_limb_t *v = nt_scratch(st, cap);
    size_t k = 0;
    mp_limb_t acc = 1;
    for (unsigned long i = lo;; i++) {
        mp_limb_t t = i;
        if (strip2) {
            while (!(t & 1)) {
                t >>= 1;
                ++*e2;
            }
        }
        if (t > 1) {
            if (acc > (mp_limb_t)-1 / t) {
                v[k++] = acc;
                acc = t;
            } else {
                acc *= t;
            }
        }
        if (i == hi)
            break;
    }
    v[k++] = acc;
    *count = k;
    return v;
}

/* x * 2^e as a new positive integer. */
static vnt_int shift_left(vstack *st, vnt_int x, unsigned long e)
{
    size_t xn = vnt_len(x), skip = e / GMP_NUMB_BITS;
    unsigned sh = (unsigned)(e % GMP_NUMB_BITS);
    vnt_int r = nt_alloc(st, xn + skip + 1);
    mpn_zero(r + 1, (mp_size_t)skip);
    if (sh)
        r[1 + skip + xn] = mpn_lshift(r + 1 + skip, x + 1, (mp_size_t)xn, sh);
    else {
        mpn_copyi(r + 1 + skip, x + 1, (mp_size_t)xn);
        r[1 + skip + xn] = 0;
    }
    return nt_finish(r, xn + skip + 1, 0);
}

vnt_int vnt_factorial(vstack *st, unsigned long n)
{
    if (n < 2)
        return vnt_from_ui(st, 1);
    /* n! > (n/e)^n, and log2(e) < 1.4427. */
    nt_need_bits(st, (double)n * ((double)ulbits(n) - 1 - 1.4427));
    vstack_sp av = vstack_avma(st);
    size_t k;
    unsigned long e2 = 0;
    mp_limb_t *v = pack_range(st, 2, n, 1, &k, &e2);
    vnt_int odd = nt_prod_limbs(st, v, k);
    return vnt_gerepile(st, av, shift_left(st, odd, e2));
}

/* n (n-1) ... (n-k+1) for an n beyond a machine word, k >= 1. */
static vnt_int falling_big(vstack *st, vnt_int n, unsigned long k0, unsigned long k)
{
    if (k <= 4) {
        vstack_sp av = vstack_avma(st);
        vnt_int p = vnt_add_si(st, n, -(long)k0);
        for (unsigned long i = 1; i < k; i++)
            p = vnt_gerepile(st, av, vnt_mul(st, p, vnt_add_si(st, n, -(long)(k0 + i))));
        return p;
    }
    vstack_sp av = vstack_avma(st);
    unsigned long h = k / 2;
    vnt_int a = falling_big(st, n, k0, h);
    vnt_int b = falling_big(st, n, k0 + h, k - h);
    return vnt_gerepile(st, av, vnt_mul(st, a, b));
}

vnt_int vnt_binomial(vstack *st, vnt_int n, long k)
{
    if (k < 0)
        return vnt_from_ui(st, 0);
    if (k == 0)
        return vnt_from_ui(st, 1);
    vstack_sp av = vstack_avma(st);
    int neg = 0;
    if (vnt_sign(n) < 0) {
        /* binomial(n, k) = (-1)^k binomial(k - n - 1, k) */
        n = vnt_add_si(st, vnt_sub(st, vnt_from_si(st, k), n), -1);
        neg = k & 1;
    }
    if (vnt_cmp_si(n, k) < 0) {
        vstack_set_avma(st, av);
        return vnt_from_ui(st, 0);
    }
    unsigned long uk = (unsigned long)k;
    vnt_int num;
    if (vnt_fits_ui(n)) {
        unsigned long un = vnt_get_ui(n);
        if (un - uk < uk)
            uk = un - uk;
        if (uk == 0) {
            vstack_set_avma(st, av);
            return vnt_from_si(st, neg ? -1 : 1);
        }
        /* binomial(n, k) >= (n/k)^k */
        nt_need_bits(st, (double)uk * (ulbits(un / uk) - 1));
        size_t cnt;
        unsigned long e2 = 0;
        mp_limb_t *v = pack_range(st, un - uk + 1, un, 0, &cnt, &e2);
        num = nt_prod_limbs(st, v, cnt);
    } else {
        /* binomial(n, k) >= (n/k)^k, with n >= 2^64 > k */
        nt_need_bits(st, (double)uk * ((double)vnt_bitlen(n) - 1 - ulbits(uk)));
        num = falling_big(st, n, 0, uk);
    }
    vnt_int q = vnt_divexact(st, num, vnt_factorial(st, uk));
    if (neg)
        q[0] ^= VNT_NEGBIT;
    return vnt_gerepile(st, av, q);
}
