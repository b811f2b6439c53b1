/* SPDX-License-Identifier: MIT */
/* Every arithmetic operation of vstack_nt agrees with GMP's mpz on thousands
 * of random operands of 1 to 10^4 limbs, signs mixed, divisors negative too. */
#include "nt-util.h"

#include <stdlib.h>

#define MAXLIMBS 10000

struct tally {
    const char *name;
    long runs, bad;
};

static void check(struct tally *t, int good, const char *what, size_t an, size_t bn)
{
    t->runs++;
    if (!good && t->bad++ < 5)
        diag("%s: mismatch (%s) with operands of %zu and %zu limbs", t->name, what, an, bn);
}

int main(void)
{
    vstack st;
    /* 10^4 limbs is 80 kB a number; a product and its scratch fit 8 MB, and
     * the stack grows past that for the largest divisions and conversions. */
    ntu_init(&st, 8u << 20, (size_t)1 << 30);
    gmp_randstate_t rs;
    gmp_randinit_default(rs);
    gmp_randseed_ui(rs, 20261123);
    int rounds = tap_under_valgrind() ? 100 : 1200;

    struct tally t_add = {"add", 0, 0}, t_sub = {"sub", 0, 0}, t_mul = {"mul", 0, 0},
                 t_div = {"Euclidean divrem", 0, 0}, t_quo = {"div and mod", 0, 0},
                 t_gcd = {"gcd", 0, 0}, t_sqrt = {"sqrtint", 0, 0}, t_pow = {"pow", 0, 0},
                 t_str = {"decimal conversion", 0, 0}, t_cmp = {"cmp", 0, 0},
                 t_sml = {"small-operand forms", 0, 0};
    mpz_t a, b, r, q, e;
    mpz_inits(a, b, r, q, e, NULL);
    vstack_sp av0 = vstack_avma(&st);
    size_t largest = 0;
    int saw_negdiv = 0, saw_zero = 0;
    for (int i = 0; i < rounds; i++) {
        /* The first rounds pin the extremes: 1 and 10^4 limbs, zero. */
        size_t an = i < 4 ? (i & 1 ? MAXLIMBS : 1) : ntu_size(rs, MAXLIMBS);
        size_t bn = i < 4 ? (i & 2 ? MAXLIMBS : 1) : ntu_size(rs, MAXLIMBS);
        if (i % 97 == 5)
            an = 0;
        ntu_random(a, rs, an, (int)gmp_urandomm_ui(rs, 2));
        ntu_random(b, rs, bn, i % 4 == 1 || (i > 4 && gmp_urandomm_ui(rs, 2)));
        if (i % 89 == 7)
            mpz_set(b, a); /* equal operands */
        if (i % 83 == 3)
            mpz_set_si(b, i & 1 ? -1 : 1);
        saw_negdiv |= mpz_sgn(b) < 0;
        saw_zero |= mpz_sgn(a) == 0;
        largest = an > largest ? an : largest;

        vnt_int x = ntu_from_mpz(&st, a), y = ntu_from_mpz(&st, b);
        mpz_add(r, a, b);
        check(&t_add, ntu_eq(vnt_add(&st, x, y), r), "a+b", an, bn);
        mpz_sub(r, a, b);
        check(&t_sub, ntu_eq(vnt_sub(&st, x, y), r), "a-b", an, bn);
        mpz_sub(r, b, a);
        check(&t_sub, ntu_eq(vnt_sub(&st, y, x), r), "b-a", an, bn);
        mpz_mul(r, a, b);
        check(&t_mul, ntu_eq(vnt_mul(&st, x, y), r), "a*b", an, bn);
        mpz_mul(r, a, a);
        check(&t_mul, ntu_eq(vnt_sqr(&st, x), r), "a^2", an, an);
        check(&t_cmp, vnt_cmp(x, y) == (mpz_cmp(a, b) > 0) - (mpz_cmp(a, b) < 0), "cmp", an, bn);
        check(&t_cmp, vnt_cmpabs(x, y) == (mpz_cmpabs(a, b) > 0) - (mpz_cmpabs(a, b) < 0),
              "cmpabs", an, bn);

        if (mpz_sgn(b) != 0) {
            /* Euclidean: 0 <= r < |b|, q = (a - r) / b exactly. */
            mpz_mod(r, a, b);
            mpz_sub(q, a, r);
            mpz_divexact(q, q, b);
            vnt_int vr;
            vnt_int vq = vnt_divrem(&st, x, y, &vr);
            check(&t_div, ntu_eq(vq, q) && ntu_eq(vr, r), "a = qb + r", an, bn);
            check(&t_quo, ntu_eq(vnt_div(&st, x, y), q), "a \\ b", an, bn);
            check(&t_quo, ntu_eq(vnt_mod(&st, x, y), r), "a % b", an, bn);
            /* and the other way round, a small by a large divisor */
            if (mpz_sgn(a) != 0) {
                mpz_mod(r, b, a);
                check(&t_quo, ntu_eq(vnt_mod(&st, y, x), r), "b % a", bn, an);
            }
        }
        mpz_gcd(r, a, b);
        check(&t_gcd, ntu_eq(vnt_gcd(&st, x, y), r), "gcd(a,b)", an, bn);
        /* a common factor with many twos makes the shifts matter */
        if (an + bn <= 4000) {
            mpz_mul_2exp(q, b, gmp_urandomm_ui(rs, 200));
            mpz_mul(e, a, q);
            mpz_gcd(r, e, q);
            check(&t_gcd, ntu_eq(vnt_gcd(&st, ntu_from_mpz(&st, e), ntu_from_mpz(&st, q)), r),
                  "gcd(a*b*2^k, b*2^k)", an, bn);
        }
        mpz_abs(q, a);
        mpz_sqrt(r, q);
        check(&t_sqrt, ntu_eq(vnt_sqrtint(&st, vnt_abs(&st, x)), r), "sqrtint", an, 0);

        /* Powers: a base of up to 10^4 limbs, the result up to ~10^4 limbs. */
        {
            size_t pn = 1 + gmp_urandomm_ui(rs, an < 64 ? an + 1 : 64);
            mpz_tdiv_q_2exp(q, a, (mp_bitcnt_t)(an > pn ? an - pn : 0) * GMP_NUMB_BITS);
            size_t qb = mpz_sizeinbase(q, 2);
            unsigned long emax = (unsigned long)(MAXLIMBS * GMP_NUMB_BITS / (qb ? qb : 1));
            unsigned long ex = emax < 2 ? 1 : (unsigned long)ntu_size(rs, emax);
            mpz_pow_ui(r, q, ex);
            check(&t_pow, ntu_eq(vnt_pow_ui(&st, ntu_from_mpz(&st, q), ex), r), "a^e", pn, 0);
            mpz_set_ui(e, ex);
            check(&t_pow, ntu_eq(vnt_pow(&st, ntu_from_mpz(&st, q), ntu_from_mpz(&st, e)), r),
                  "a^e, e an integer", pn, 0);
            mpz_set_si(q, i & 1 ? -2 : 2);
            mpz_mul_2exp(q, q, gmp_urandomm_ui(rs, 70));
            ex = gmp_urandomm_ui(rs, 5000);
            mpz_pow_ui(r, q, ex);
            check(&t_pow, ntu_eq(vnt_pow_ui(&st, ntu_from_mpz(&st, q), ex), r), "(+-2^k)^e", 2, 0);
        }

        /* Decimal both ways. */
        {
            char *s = vnt_to_str(&st, x);
            char *ref = mpz_get_str(NULL, 10, a);
            int good = strcmp(s, ref) == 0;
            vnt_int back = vnt_from_str(&st, ref, strlen(ref));
            good = good && ntu_eq(back, a);
            check(&t_str, good, "to_str/from_str", an, 0);
            free(ref);
        }

        /* add_si, mul_si, cmp_si against mpz. */
        {
            long v = (long)gmp_urandomb_ui(rs, 62) - ((long)1 << 61);
            if (i % 50 == 0)
                v = i % 100 ? -9223372036854775807L - 1 : 9223372036854775807L;
            mpz_set_si(q, v);
            mpz_add(r, a, q);
            int good = ntu_eq(vnt_add_si(&st, x, v), r);
            mpz_mul(r, a, q);
            good = good && ntu_eq(vnt_mul_si(&st, x, v), r);
            good = good && vnt_cmp_si(x, v) == (mpz_cmp_si(a, v) > 0) - (mpz_cmp_si(a, v) < 0);
            check(&t_sml, good, "add_si/mul_si/cmp_si", an, 1);
        }
        vstack_set_avma(&st, av0);
    }

    struct tally *all[] = {&t_add, &t_sub, &t_mul, &t_cmp, &t_div, &t_quo,
                           &t_gcd, &t_sqrt, &t_pow, &t_str, &t_sml};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        ok(all[k]->bad == 0 && all[k]->runs > 0, "%s matches mpz (%ld checks, %ld bad)",
           all[k]->name, all[k]->runs, all[k]->bad);
    ok(largest == MAXLIMBS && saw_negdiv && saw_zero,
       "operands reached %d limbs, negative divisors and zero", MAXLIMBS);

    /* The fixed small cases GP documents for \ and %. */
    {
        static const long cases[][4] = {
            {-7, 2, -4, 1}, {7, -2, -3, 1}, {-7, -2, 4, 1}, {7, 2, 3, 1},
            {12, -5, -2, 2}, {-12, 5, -3, 3}, {-10, 5, -2, 0}, {3, 7, 0, 3}, {-3, 7, -1, 4},
        };
        int good = 1;
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            vnt_int vr;
            vnt_int vq = vnt_divrem(&st, vnt_from_si(&st, cases[k][0]),
                                    vnt_from_si(&st, cases[k][1]), &vr);
            if (vnt_get_si(vq) != cases[k][2] || vnt_get_si(vr) != cases[k][3]) {
                diag("%ld \\ %ld = %ld, %% = %ld", cases[k][0], cases[k][1], vnt_get_si(vq),
                     vnt_get_si(vr));
                good = 0;
            }
        }
        ok(good, "small \\ and %% give GP's answers, negative operands included");
    }
    vstack_set_avma(&st, av0);
    struct vstack_stats s;
    vstack_get_stats(&st, &s);
    is_int(s.used, 0, "nothing is left on the stack");
    mpz_clears(a, b, r, q, e, NULL);
    gmp_randclear(rs);
    vstack_destroy(&st);
    return done_testing();
}
