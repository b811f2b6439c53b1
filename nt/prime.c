/* SPDX-License-Identifier: MIT */
/* prime.c -- primality: trial division, then Miller-Rabin (deterministic on
 * one 64-bit limb) or Baillie-PSW beyond. */
#include "modn.h"

/* The odd primes below 1000. */
static const unsigned short nt_small_primes[] = {
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47,
    53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109,
    113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191,
    193, 197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269,
    271, 277, 281, 283, 293, 307, 311, 313, 317, 331, 337, 347, 349, 353,
    359, 367, 373, 379, 383, 389, 397, 401, 409, 419, 421, 431, 433, 439,
    443, 449, 457, 461, 463, 467, 479, 487, 491, 499, 503, 509, 521, 523,
    541, 547, 557, 563, 569, 571, 577, 587, 593, 599, 601, 607, 613, 617,
    619, 631, 641, 643, 647, 653, 659, 661, 673, 677, 683, 691, 701, 709,
    719, 727, 733, 739, 743, 751, 757, 761, 769, 773, 787, 797, 809, 811,
    821, 823, 827, 829, 839, 853, 857, 859, 863, 877, 881, 883, 887, 907,
    911, 919, 929, 937, 941, 947, 953, 967, 971, 977, 983, 991, 997,
};
#define NT_NSMALL (sizeof nt_small_primes / sizeof nt_small_primes[0])

/* Strong probable prime to base b: n odd > b, nm1 = n - 1 = d 2^s. */
static int sprp(vstack *st, struct nt_modn *M, const mp_limb_t *d, size_t dn,
                unsigned long s, long b)
{
    vstack_sp av = vstack_avma(st);
    mp_limb_t *base = nt_modn_new(M, st), *x = nt_modn_new(M, st);
    nt_modn_set_si(M, base, b);
    mpn_copyi(x, base, (mp_size_t)M->nn);
    size_t top = (dn - 1) * GMP_NUMB_BITS;
    for (mp_limb_t t = d[dn - 1]; t > 1; t >>= 1)
        top++;
    for (size_t i = top; i-- > 0;) {
        nt_modn_mul(M, x, x, x);
        if ((d[i / GMP_NUMB_BITS] >> (i % GMP_NUMB_BITS)) & 1)
            nt_modn_mul(M, x, x, base);
    }
    int ok = nt_modn_is_one(M, x) || nt_modn_is_minus1(M, x);
    for (unsigned long r = 1; !ok && r < s; r++) {
        nt_modn_mul(M, x, x, x);
        if (nt_modn_is_minus1(M, x))
            ok = 1;
        else if (nt_modn_is_one(M, x))
            break;
    }
    vstack_set_avma(st, av);
    return ok;
}

/* Jacobi symbol (a/m), m odd and positive. */
static int jacobi_ul(unsigned long a, unsigned long m)
{
    int j = 1;
    a %= m;
    while (a) {
        while (!(a & 1)) {
            a >>= 1;
            if ((m & 7) == 3 || (m & 7) == 5)
                j = -j;
        }
        unsigned long t = a; a = m; m = t;
        if ((a & 3) == 3 && (m & 3) == 3)
            j = -j;
        a %= m;
    }
    return m == 1 ? j : 0;
}

/* (D/n) for a small odd D and an odd n of nn limbs, by reciprocity. */
static int jacobi_small(long D, const mp_limb_t *n, size_t nn)
{
    unsigned long a = D < 0 ? -(unsigned long)D : (unsigned long)D;
    int j = 1;
    if (D < 0 && (n[0] & 3) == 3)
        j = -j;
    if ((a & 3) == 3 && (n[0] & 3) == 3)
        j = -j;
    return j * jacobi_ul(mpn_mod_1(n, (mp_size_t)nn, a), a);
}

/* Strong Lucas probable prime with Selfridge's parameters: the first D in
 * 5, -7, 9, -11, ... with (D/n) = -1, P = 1, Q = (1 - D)/4.  n odd, not a
 * square, with no factor below 1000. */
static int strong_lucas(vstack *st, struct nt_modn *M, const mp_limb_t *n, size_t nn)
{
    long D = 5;
    for (;;) {
        int j = jacobi_small(D, n, nn);
        if (j == -1)
            break;
        if (j == 0)
            return 0; /* |D| < 1000 < n shares a factor with n */
        D = D > 0 ? -(D + 2) : -D + 2;
    }
    vstack_sp av = vstack_avma(st);
    long Q = (1 - D) / 4;
    /* n + 1 = d 2^s */
    mp_limb_t *d = nt_scratch(st, nn + 1);
    d[nn] = mpn_add_1(d, n, (mp_size_t)nn, 1);
    size_t dn = nn + 1;
    unsigned long s = mpn_scan1(d, 0);
    size_t skip = s / GMP_NUMB_BITS;
    if (skip) {
        mpn_copyi(d, d + skip, (mp_size_t)(dn - skip));
        dn -= skip;
    }
    if (s % GMP_NUMB_BITS)
        mpn_rshift(d, d, (mp_size_t)dn, (unsigned)(s % GMP_NUMB_BITS));
    while (d[dn - 1] == 0)
        dn--;
    mp_limb_t *U = nt_modn_new(M, st), *V = nt_modn_new(M, st);
    mp_limb_t *Qk = nt_modn_new(M, st), *Qm = nt_modn_new(M, st), *Dm = nt_modn_new(M, st);
    mp_limb_t *t = nt_modn_new(M, st), *u = nt_modn_new(M, st);
    nt_modn_set_si(M, U, 1);
    nt_modn_set_si(M, V, 1);
    nt_modn_set_si(M, Qm, Q);
    nt_modn_set_si(M, Dm, D);
    mpn_copyi(Qk, Qm, (mp_size_t)nn);
    size_t top = (dn - 1) * GMP_NUMB_BITS;
    for (mp_limb_t x = d[dn - 1]; x > 1; x >>= 1)
        top++;
    for (size_t i = top; i-- > 0;) {
        /* U(2k) = U V,  V(2k) = V^2 - 2Q^k */
        nt_modn_mul(M, U, U, V);
        nt_modn_mul(M, V, V, V);
        nt_modn_sub(M, V, V, Qk);
        nt_modn_sub(M, V, V, Qk);
        nt_modn_mul(M, Qk, Qk, Qk);
        if ((d[i / GMP_NUMB_BITS] >> (i % GMP_NUMB_BITS)) & 1) {
            /* U(k+1) = (U + V)/2,  V(k+1) = (D U + V)/2  (P = 1) */
            nt_modn_add(M, t, U, V);
            nt_modn_mul(M, u, Dm, U);
            nt_modn_add(M, u, u, V);
            nt_modn_half(M, t);
            nt_modn_half(M, u);
            mpn_copyi(U, t, (mp_size_t)nn);
            mpn_copyi(V, u, (mp_size_t)nn);
            nt_modn_mul(M, Qk, Qk, Qm);
        }
    }
    int ok = nt_modn_is_zero(M, U) || nt_modn_is_zero(M, V);
    for (unsigned long r = 1; !ok && r < s; r++) {
        nt_modn_mul(M, V, V, V);
        nt_modn_sub(M, V, V, Qk);
        nt_modn_sub(M, V, V, Qk);
        nt_modn_mul(M, Qk, Qk, Qk);
        ok = nt_modn_is_zero(M, V);
    }
    vstack_set_avma(st, av);
    return ok;
}

int vnt_isprime(vstack *st, vnt_int x)
{
    size_t nn = vnt_len(x);
    if (vnt_sign(x) <= 0)
        return 0;
    const mp_limb_t *n = x + 1;
    if (nn == 1 && n[0] < 4)
        return n[0] >= 2;
    if (!(n[0] & 1))
        return 0;
    for (size_t i = 0; i < NT_NSMALL; i++) {
        mp_limb_t p = nt_small_primes[i];
        if (nn == 1 && n[0] == p)
            return 1;
        if (mpn_mod_1(n, (mp_size_t)nn, p) == 0)
            return 0;
        if (nn == 1 && p * p > n[0])
            return 1;
    }
    vstack_sp av = vstack_avma(st);
    struct nt_modn M;
    nt_modn_init(&M, st, n, nn);
    /* n - 1 = d 2^s, n odd so s >= 1 */
    mp_limb_t *d = nt_scratch(st, nn);
    mpn_sub_1(d, n, (mp_size_t)nn, 1);
    unsigned long s = mpn_scan1(d, 0);
    size_t skip = s / GMP_NUMB_BITS, dn = nn - skip;
    if (skip)
        mpn_copyi(d, d + skip, (mp_size_t)dn);
    if (s % GMP_NUMB_BITS)
        mpn_rshift(d, d, (mp_size_t)dn, (unsigned)(s % GMP_NUMB_BITS));
    while (d[dn - 1] == 0)
        dn--;
    int ok;
    if (nn == 1 && GMP_NUMB_BITS <= 64) {
        /* The first twelve primes as bases decide every n < 3.3e24. */
        static const long bases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
        ok = 1;
        for (size_t i = 0; ok && i < sizeof bases / sizeof bases[0]; i++)
            ok = sprp(st, &M, d, dn, s, bases[i]);
    } else {
        ok = sprp(st, &M, d, dn, s, 2) && !mpn_perfect_square_p(n, (mp_size_t)nn) &&
             strong_lucas(st, &M, n, nn);
    }
    vstack_set_avma(st, av);
    return ok;
}

vnt_int vnt_nextprime(vstack *st, vnt_int x)
{
    if (vnt_cmp_si(x, 2) <= 0)
        return vnt_from_ui(st, 2);
    vstack_sp av = vstack_avma(st);
    vnt_int c = (vnt_limbs(x)[0] & 1) ? vnt_copy(st, x) : vnt_add_si(st, x, 1);
    while (!vnt_isprime(st, c))
        c = vnt_gerepile(st, av, vnt_add_si(st, c, 2));
    return c;
}
