/* SPDX-License-Identifier: MIT */
/* A deep computation grows the stack in the middle of its work: integers
 * made before the growth keep their addresses and values, the results are
 * right, and reset shrinks the stack back afterwards. */
#include "nt-util.h"

#include <stdlib.h>

int main(void)
{
    vstack st;
    /* Start at the smallest stack; under valgrind the reservation is capped
     * at VSTACK_VALGRIND_MAX, which is still plenty. */
    ntu_init(&st, VSTACK_MIN_SIZE, (size_t)2 << 30);
    size_t vsize = 0;
    vstack_default_get(&st, "parisizemax", &vsize);
    if (vsize == 0) {
        vstack_destroy(&st);
        skip_all("the stack has a fixed size in this build (no mmap)");
    }
    vstack_set_verbose(&st, 0);
    struct vstack_stats s0, s;
    vstack_get_stats(&st, &s0);
    vstack_sp av = vstack_avma(&st);
    mpz_t z;
    mpz_init(z);

    vnt_int early = vnt_pow_ui(&st, vnt_from_ui(&st, 3), 1000);
    mp_limb_t *early_addr = early;
    mpz_ui_pow_ui(z, 3, 1000);
    unsigned long n = tap_under_valgrind() ? 30000 : 300000;
    vnt_int f = vnt_factorial(&st, n);
    vstack_get_stats(&st, &s);
    ok(s.grows > s0.grows, "%lu! grew the stack from %zu to %zu bytes (%lu grows)", n,
       s0.committed, s.committed, s.grows - s0.grows);
    ok(early == early_addr && ntu_eq(early, z), "3^1000, made before, is intact at its address");
    mpz_fac_ui(z, n);
    ok(ntu_eq(f, z), "%lu! is right", n);

    long m = tap_under_valgrind() ? 200000 : 2000000;
    vnt_int g = vnt_fibonacci(&st, m);
    mpz_fib_ui(z, (unsigned long)m);
    ok(ntu_eq(g, z), "fibonacci(%ld) is right after more growth", m);
    mpz_fac_ui(z, n);
    ok(ntu_eq(f, z), "and %lu! is still intact", n);

    vstack_set_avma(&st, av);
    vstack_reset(&st);
    vstack_get_stats(&st, &s);
    ok(s.committed == s0.rsize && s.shrinks > 0,
       "reset shrinks the stack back to %zu bytes", s.committed);
    mpz_clear(z);
    vstack_destroy(&st);
    return done_testing();
}
