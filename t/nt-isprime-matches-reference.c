/* SPDX-License-Identifier: MIT */
/* isprime and nextprime give GP's answers: a sieve below 2*10^5, Carmichael
 * numbers and strong pseudoprimes (to many bases, below and above 2^64),
 * known primes, and thousands of random numbers checked against mpz. */
#include "nt-util.h"

#include <stdlib.h>

static int isprime_str(vstack *st, const char *s)
{
    vstack_sp av = vstack_avma(st);
    int r = vnt_isprime(st, vnt_from_str(st, s, strlen(s)));
    vstack_set_avma(st, av);
    return r;
}

int main(void)
{
    vstack st;
    ntu_init(&st, 1u << 20, (size_t)64 << 20);
    int vg = tap_under_valgrind();
    vstack_sp av = vstack_avma(&st);
    gmp_randstate_t rs;
    gmp_randinit_default(rs);
    gmp_randseed_ui(rs, 4242);
    mpz_t z, p, q;
    mpz_inits(z, p, q, NULL);

    /* Every n below the sieve bound, negatives included. */
    long lim = vg ? 20000 : 200000;
    char *comp = calloc((size_t)lim + 1, 1);
    comp[0] = comp[1] = 1;
    for (long i = 2; i * i <= lim; i++)
        if (!comp[i])
            for (long j = i * i; j <= lim; j += i)
                comp[j] = 1;
    int bad = 0;
    for (long n = -50; n <= lim; n++) {
        int want = n >= 2 && !comp[n];
        bad += vnt_isprime(&st, vnt_from_si(&st, n)) != want;
        vstack_set_avma(&st, av);
    }
    ok(bad == 0, "isprime(n) for -50 <= n <= %ld agrees with a sieve", lim);
    bad = 0;
    for (long n = -50, next = 2; n <= lim - 100; n += 7) {
        while (next < n || comp[next])
            next++;
        vnt_int r = vnt_nextprime(&st, vnt_from_si(&st, n));
        bad += vnt_get_si(r) != (n <= 2 ? 2 : next);
        vstack_set_avma(&st, av);
    }
    ok(bad == 0, "nextprime(n) is the least prime >= n below %ld", lim);
    free(comp);

    /* Composites that fool weaker tests. */
    static const char *const liars[] = {
        /* Carmichael numbers */
        "561", "1105", "1729", "2465", "2821", "6601", "8911", "41041", "825265", "321197185",
        "5394826801", "232250619601", "9746347772161", "1436697831295441",
        "60977817398996785", "7156857700403137441", "1791562810662585767521",
        /* strong pseudoprimes to base 2, and to all bases up to 17, 23, 37, 41 */
        "2047", "3277", "4033", "4681", "8321", "3215031751", "341550071728321",
        "3825123056546413051", "318665857834031151167461", "3317044064679887385961981",
        /* strong Lucas pseudoprimes */
        "5459", "5777", "10877", "16109", "18971", "22499", "24569", "25199", "40309", "58519",
        /* numbers around 2^64 and beyond: primes among them too (mpz decides) */
        "18446744073709551557", "340282366920938463463374607431768211457",
        "1000000000000000000000000000057", "99999999999999999999999999999999999999999999999999",
    };
    bad = 0;
    for (size_t i = 0; i < sizeof liars / sizeof liars[0]; i++) {
        const char *s = liars[i];
        int want = 0;
        mpz_set_str(z, s, 10);
        want = mpz_probab_prime_p(z, 40) != 0; /* the prime entries say so */
        if (isprime_str(&st, s) != want) {
            diag("isprime(%s) = %d, expected %d", s, !want, want);
            bad++;
        }
    }
    ok(bad == 0, "Carmichael numbers and strong (Lucas) pseudoprimes are composite");

    static const char *const primes[] = {
        "2305843009213693951",                    /* 2^61 - 1 */
        "18446744073709551557",                   /* 2^64 - 59, the largest below 2^64 */
        "18446744073709551629",                   /* 2^64 + 13, the least above */
        "100000000000000000039",                  /* nextprime(10^20) */
        "618970019642690137449562111",            /* 2^89 - 1 */
        "170141183460469231731687303715884105727" /* 2^127 - 1 */
    };
    bad = 0;
    for (size_t i = 0; i < sizeof primes / sizeof primes[0]; i++)
        bad += !isprime_str(&st, primes[i]);
    mpz_ui_pow_ui(z, 2, 521);
    mpz_sub_ui(z, z, 1);
    bad += !vnt_isprime(&st, ntu_from_mpz(&st, z));
    mpz_ui_pow_ui(z, 2, 607);
    mpz_sub_ui(z, z, 1);
    bad += !vnt_isprime(&st, ntu_from_mpz(&st, z));
    mpz_ui_pow_ui(z, 2, 523);
    mpz_sub_ui(z, z, 1);
    bad += vnt_isprime(&st, ntu_from_mpz(&st, z)); /* 2^523 - 1 is composite */
    vstack_set_avma(&st, av);
    ok(bad == 0, "known primes up to 2^607 - 1, and 2^523 - 1 composite");

    /* Carmichael numbers (6k+1)(12k+1)(18k+1) of 100 to 300 bits. */
    bad = 0;
    int found = 0;
    for (int bits = 30; bits <= 100 && found < (vg ? 3 : 8); bits += 7) {
        mpz_urandomb(z, rs, (mp_bitcnt_t)bits);
        for (int tries = 0; tries < 200000; tries++) {
            mpz_add_ui(z, z, 1);
            mpz_mul_ui(p, z, 6);
            mpz_add_ui(p, p, 1);
            if (!mpz_probab_prime_p(p, 25))
                continue;
            mpz_mul_ui(q, z, 12);
            mpz_add_ui(q, q, 1);
            if (!mpz_probab_prime_p(q, 25))
                continue;
            mpz_mul(p, p, q);
            mpz_mul_ui(q, z, 18);
            mpz_add_ui(q, q, 1);
            if (!mpz_probab_prime_p(q, 25))
                continue;
            mpz_mul(p, p, q);
            bad += vnt_isprime(&st, ntu_from_mpz(&st, p));
            found++;
            break;
        }
    }
    vstack_set_avma(&st, av);
    ok(bad == 0 && found >= (vg ? 3 : 8), "%d large Carmichael numbers are composite", found);

    /* Random odd numbers and semiprimes, 2 to 1024 bits, against mpz. */
    int rounds = vg ? 300 : 4000, nprime = 0;
    bad = 0;
    for (int i = 0; i < rounds; i++) {
        mp_bitcnt_t bits = 2 + gmp_urandomm_ui(rs, i % 10 == 0 ? 1023 : 200);
        mpz_urandomb(z, rs, bits);
        mpz_setbit(z, 0);
        if (i % 3 == 0) {
            /* make it prime half the time, through mpz */
            mpz_nextprime(z, z);
        } else if (i % 3 == 1) {
            mpz_urandomb(p, rs, bits / 2 + 2);
            mpz_nextprime(p, p);
            mpz_nextprime(q, p);
            mpz_mul(z, p, q);
        }
        int want = mpz_probab_prime_p(z, 30) != 0;
        nprime += want;
        int got = vnt_isprime(&st, ntu_from_mpz(&st, z));
        if (got != want && bad++ < 5)
            gmp_fprintf(stderr, "# isprime(%Zd) = %d\n", z, got);
        vstack_set_avma(&st, av);
    }
    ok(bad == 0, "isprime matches mpz on %d random numbers (%d prime)", rounds, nprime);

    bad = 0;
    for (int i = 0; i < (vg ? 40 : 400); i++) {
        mpz_urandomb(z, rs, 2 + gmp_urandomm_ui(rs, 300));
        mpz_sub_ui(p, z, 1);
        mpz_nextprime(p, p); /* mpz: the least prime > z - 1 */
        if (mpz_cmp_ui(z, 2) <= 0)
            mpz_set_ui(p, 2);
        bad += !ntu_eq(vnt_nextprime(&st, ntu_from_mpz(&st, z)), p);
        vstack_set_avma(&st, av);
    }
    ok(bad == 0, "nextprime matches mpz_nextprime on random numbers up to 300 bits");
    ok(isprime_str(&st, "0") == 0 && isprime_str(&st, "1") == 0 && isprime_str(&st, "-7") == 0 &&
           isprime_str(&st, "2") == 1,
       "isprime(0) = isprime(1) = isprime(-7) = 0, isprime(2) = 1");

    struct vstack_stats s;
    vstack_get_stats(&st, &s);
    is_int(s.used, 0, "the tests leave nothing on the stack");
    mpz_clears(z, p, q, NULL);
    gmp_randclear(rs);
    vstack_destroy(&st);
    return done_testing();
}
