/* SPDX-License-Identifier: MIT */
/* fibonacci.c -- Fibonacci numbers by fast doubling. */
#include "nt.h"

#include <limits.h>

vnt_int vnt_fibonacci(vstack *st, long n)
{
    unsigned long m = n < 0 ? -(unsigned long)n : (unsigned long)n;
    if (m == 0)
        return vnt_from_ui(st, 0);
    /* F(m) > phi^(m-2), and log2(phi) > 0.694. */
    nt_need_bits(st, 0.694 * ((double)m - 2));
    vstack_sp av = vstack_avma(st);
    /* (a, b) = (F(k), F(k+1)), k = the bits of m read so far. */
    vnt_int a = vnt_from_ui(st, 0), b = vnt_from_ui(st, 1);
    vnt_int *keep[2] = {&a, &b};
    int top = (int)(sizeof m * CHAR_BIT) - 1;
    while (!((m >> top) & 1))
        top--;
    for (int i = top; i >= 0; i--) {
        /* F(2k) = F(k) (2F(k+1) - F(k)),  F(2k+1) = F(k)^2 + F(k+1)^2 */
        vnt_int c = vnt_mul(st, a, vnt_sub(st, vnt_mul_si(st, b, 2), a));
        vnt_int d = vnt_add(st, vnt_sqr(st, a), vnt_sqr(st, b));
        if ((m >> i) & 1) {
            a = d;
            b = i ? vnt_add(st, c, d) : d;
        } else {
            a = c;
            b = d;
        }
        vnt_gerepile_many(st, av, keep, i ? 2 : 1);
    }
    /* F(-m) = (-1)^(m+1) F(m) */
    if (n < 0 && !(m & 1))
        a[0] ^= VNT_NEGBIT;
    return a;
}
