/* SPDX-License-Identifier: MIT */
/* fibonacci, n!, binomial and powers bound their result's size from their
 * arguments and refuse, before any work, one that cannot fit under the
 * stack's maximum: VSTACK_ESTACK with "the result needs N bytes", and the
 * stack exactly as it was (nothing grown, nothing in use).  Results within
 * the maximum are still computed, one of 60 MiB under 64 MiB included. */
#include "nt-util.h"

#include <limits.h>
#include <stdlib.h>

static vstack st;

/* Run op; check that it was refused at once, as described above. */
#define REFUSED(op, name)                                                              \
    do {                                                                               \
        struct vstack_stats b_, a_;                                                    \
        vstack_get_stats(&st, &b_);                                                    \
        int rc_ = NTU_CATCH(op);                                                       \
        vstack_get_stats(&st, &a_);                                                    \
        ok(rc_ == VSTACK_ESTACK && strncmp(ntu_msg, "the result needs ", 17) == 0 &&   \
               a_.grows == b_.grows && a_.committed == b_.committed &&                 \
               a_.high_water == b_.high_water && a_.used == b_.used,                   \
           "%s: refused before any work (code %d, grows %lu -> %lu: %s)", name, rc_,   \
           b_.grows, a_.grows, ntu_msg);                                               \
    } while (0)

int main(void)
{
    ntu_init(&st, (size_t)1 << 20, (size_t)64 << 20);
    vstack_sp av = vstack_avma(&st);

    REFUSED(vnt_fibonacci(&st, LONG_MIN), "fibonacci(LONG_MIN)");
    REFUSED(vnt_fibonacci(&st, 1000000000), "fibonacci(10^9), 87 MB");
    REFUSED(vnt_factorial(&st, 100000000), "(10^8)!, 300 MB");
    /* The arguments are made first: only the call itself is watched. */
    vnt_int ten12 = vnt_pow_ui(&st, vnt_from_ui(&st, 10), 12);
    vnt_int two100 = vnt_pow_ui(&st, vnt_from_ui(&st, 2), 100);
    vnt_int two = vnt_from_ui(&st, 2), three = vnt_from_ui(&st, 3);
    REFUSED(vnt_binomial(&st, ten12, 100000000), "binomial(10^12, 10^8)");
    REFUSED(vnt_binomial(&st, two100, 10000000), "binomial(2^100, 10^7)");
    REFUSED(vnt_pow_ui(&st, three, 1000000000), "3^(10^9), 198 MB");
    REFUSED(vnt_pow_ui(&st, two, 1000000000), "2^(10^9), 125 MB");
    vstack_set_avma(&st, av);

    /* Within the maximum (64 MiB, or a fixed 1 MiB where there is no mmap):
     * computed, and right, up to its last 64 KiB. */
    struct vstack_stats s;
    size_t vsize = 0;
    vstack_get_stats(&st, &s);
    vstack_default_get(&st, "parisizemax", &vsize);
    volatile size_t fit = (vsize ? vsize : s.rsize) - ((size_t)64 << 10);
    vnt_int volatile x = NULL;
    int rc = NTU_CATCH(x = vnt_pow_ui(&st, vnt_from_ui(&st, 2), (unsigned long)(8 * fit)));
    ok(rc == 0 && x != NULL && vnt_bitlen(x) == 8 * fit + 1,
       "2^(8 * %zu), a result 64 KiB short of the maximum, is computed (code %d)", fit, rc);
    vstack_set_avma(&st, av);
    rc = NTU_CATCH(x = vnt_fibonacci(&st, 100000));
    mpz_t z;
    mpz_init(z);
    mpz_fib_ui(z, 100000);
    ok(rc == 0 && ntu_eq(x, z), "fibonacci(10^5) is computed and right (code %d)", rc);
    mpz_clear(z);
    vstack_set_avma(&st, av);
    vstack_reset(&st);
    vstack_get_stats(&st, &s);
    ok(s.used == 0, "nothing is left on the stack (%zu bytes)", s.used);
    vstack_destroy(&st);
    return done_testing();
}
