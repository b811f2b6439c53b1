/* SPDX-License-Identifier: MIT */
/* A loop of 10^6 steps that collects its garbage with vnt_gerepile keeps the
 * stack at the size of its live data: no growth, a small high-water mark.
 * The same loop without collection does grow, so the check can fail. */
#include "nt-util.h"

int main(void)
{
    vstack st;
    ntu_init(&st, 1u << 20, (size_t)256 << 20);
    long steps = tap_under_valgrind() ? 100000 : 1000000;
    struct vstack_stats s0, s;
    vstack_get_stats(&st, &s0);
    vstack_sp av = vstack_avma(&st);

    /* x -> (x^2 + 3x + 1) mod (2^127 - 1): every step allocates ~5 numbers. */
    vnt_int m = vnt_add_si(&st, vnt_pow_ui(&st, vnt_from_ui(&st, 2), 127), -1);
    vstack_sp av1 = vstack_avma(&st);
    vnt_int x = vnt_from_ui(&st, 12345);
    mpz_t zx, zm, zt;
    mpz_inits(zx, zm, zt, NULL);
    ntu_to_mpz(zm, m);
    mpz_set_ui(zx, 12345);
    for (long i = 0; i < steps; i++) {
        vnt_int y = vnt_add_si(&st, vnt_add(&st, vnt_sqr(&st, x), vnt_mul_si(&st, x, 3)), 1);
        x = vnt_gerepile(&st, av1, vnt_mod(&st, y, m));
        if (i < 1000) {
            mpz_mul(zt, zx, zx);
            mpz_addmul_ui(zt, zx, 3);
            mpz_add_ui(zt, zt, 1);
            mpz_mod(zx, zt, zm);
        }
        if (i == 999)
            ok(ntu_eq(x, zx), "the collected loop computes the right values");
    }
    vstack_get_stats(&st, &s);
    diag("after %ld steps: used %zu, high water %zu, committed %zu, grows %lu", steps, s.used,
         s.high_water, s.committed, s.grows);
    ok(s.grows == s0.grows && s.committed == s0.rsize,
       "%ld collected steps: no growth (committed %zu)", steps, s.committed);
    ok(s.high_water <= 4096, "high-water mark stays within one 4 kB page (%zu bytes)", s.high_water);
    ok(s.used <= 2 * 48 + 64, "only m and x are live at the end (%zu bytes)", s.used);

    /* Two live values at once: Fibonacci pairs modulo m with gerepile_many. */
    vstack_set_avma(&st, av1);
    vnt_int a = vnt_from_ui(&st, 0), b = vnt_from_ui(&st, 1);
    vnt_int *keep[] = {&a, &b, &m}; /* m is older than av1: left alone */
    for (long i = 0; i < steps; i++) {
        vnt_int c = vnt_mod(&st, vnt_add(&st, a, b), m);
        a = b;
        b = c;
        vnt_gerepile_many(&st, av1, keep, 3);
    }
    mpz_fib_ui(zx, (unsigned long)steps);
    mpz_mod(zx, zx, zm);
    vstack_get_stats(&st, &s);
    ok(ntu_eq(a, zx), "gerepile_many keeps both values of the pair right (F(%ld) mod m)", steps);
    ok(s.grows == s0.grows && s.high_water <= 4096, "and the stack does not grow (high water %zu)",
       s.high_water);

    /* Without collection the same work needs far more than 1 MB. */
    size_t vsize = 0;
    vstack_default_get(&st, "parisizemax", &vsize);
    vstack_set_avma(&st, av1);
    x = vnt_from_ui(&st, 12345);
    if (vsize == 0) {
        skip(1, "the stack has a fixed size in this build (no mmap)");
    } else {
        for (long i = 0; i < 100000; i++)
            x = vnt_mod(&st,
                        vnt_add_si(&st, vnt_add(&st, vnt_sqr(&st, x), vnt_mul_si(&st, x, 3)), 1), m);
        vstack_get_stats(&st, &s);
        ok(s.grows > s0.grows, "without collection 10^5 steps grow the stack (%lu grows, %zu used)",
           s.grows - s0.grows, s.used);
    }

    vstack_set_avma(&st, av);
    vstack_reset(&st);
    vstack_get_stats(&st, &s);
    ok(s.used == 0 && s.committed == s0.rsize, "reset gives it back (committed %zu)", s.committed);
    mpz_clears(zx, zm, zt, NULL);
    vstack_destroy(&st);
    return done_testing();
}
