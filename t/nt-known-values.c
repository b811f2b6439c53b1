/* SPDX-License-Identifier: MIT */
/* Known values (50!, fibonacci(1000), binomial(1000,500), GP's corner
 * cases), factorial/fibonacci/binomial against mpz over ranges, and every
 * error the library reports. */
#include "nt-util.h"

#include <limits.h>
#include <stdlib.h>

static const char F50[] = "30414093201713378043612608166064768844377641568960512000000000000";
static const char FIB1000[] =
    "4346655768693745643568852767504062580256466051737178040248172908953655541794905189"
    "0403879840079255169295922593080322634775209689623239873322471161642996440906533187"
    "938298969649928516003704476137795166849228875";
static const char BIN1000[] =
    "2702882409454365695156146936259752754961520084465482870073928751066254287055221938"
    "9861248392450237016536260608502154610480220975005067991754989421969951847542366548"
    "4263751733356162464079737887344364574161119497604571044985756287880514600994219426"
    "752366915856603136862602484428109296905863799821216320";

static int str_is(vstack *st, vnt_int x, const char *want)
{
    vstack_sp av = vstack_avma(st);
    char *s = vnt_to_str(st, x);
    int good = strcmp(s, want) == 0;
    if (!good)
        diag("got %.60s..., want %.60s...", s, want);
    vstack_set_avma(st, av);
    return good;
}

int main(void)
{
    vstack st;
    ntu_init(&st, 1u << 20, (size_t)1 << 30);
    int vg = tap_under_valgrind();
    vstack_sp av = vstack_avma(&st);
    mpz_t z, w;
    mpz_inits(z, w, NULL);

    ok(str_is(&st, vnt_factorial(&st, 50), F50), "50!");
    ok(str_is(&st, vnt_fibonacci(&st, 1000), FIB1000), "fibonacci(1000)");
    ok(str_is(&st, vnt_binomial(&st, vnt_from_ui(&st, 1000), 500), BIN1000), "binomial(1000, 500)");
    ok(str_is(&st, vnt_binomial(&st, vnt_from_si(&st, -5), 3), "-35"), "binomial(-5, 3) = -35");
    ok(str_is(&st, vnt_binomial(&st, vnt_from_ui(&st, 5), -1), "0") &&
           str_is(&st, vnt_binomial(&st, vnt_from_ui(&st, 5), 7), "0"),
       "binomial(5, -1) = binomial(5, 7) = 0");
    ok(str_is(&st,
              vnt_binomial(&st, vnt_pow_ui(&st, vnt_from_ui(&st, 10), 30), 3),
              "166666666666666666666666666666166666666666666666666666666667000000000000000000000000000000"),
       "binomial(10^30, 3)");
    ok(str_is(&st, vnt_fibonacci(&st, -5), "5") && str_is(&st, vnt_fibonacci(&st, -6), "-8") &&
           str_is(&st, vnt_fibonacci(&st, 0), "0"),
       "fibonacci(-5) = 5, fibonacci(-6) = -8, fibonacci(0) = 0");
    ok(str_is(&st, vnt_pow_ui(&st, vnt_from_ui(&st, 0), 0), "1") &&
           str_is(&st, vnt_pow(&st, vnt_from_si(&st, -1), vnt_from_si(&st, -3)), "-1") &&
           str_is(&st, vnt_pow(&st, vnt_from_si(&st, -1), vnt_pow_ui(&st, vnt_from_ui(&st, 2), 80)), "1"),
       "0^0 = 1, (-1)^-3 = -1, (-1)^(2^80) = 1");
    ok(str_is(&st, vnt_gcd(&st, vnt_from_ui(&st, 0), vnt_from_ui(&st, 0)), "0") &&
           str_is(&st, vnt_gcd(&st, vnt_from_ui(&st, 0), vnt_from_si(&st, -5)), "5") &&
           str_is(&st, vnt_gcd(&st, vnt_from_si(&st, -12), vnt_from_ui(&st, 18)), "6"),
       "gcd(0,0) = 0, gcd(0,-5) = 5, gcd(-12,18) = 6");
    ok(str_is(&st, vnt_sqrtint(&st, vnt_add_si(&st, vnt_pow_ui(&st, vnt_from_ui(&st, 10), 20), 5)),
              "10000000000"),
       "sqrtint(10^20 + 5)");
    ok(str_is(&st, vnt_from_str(&st, "-000123", 7), "-123") &&
           str_is(&st, vnt_from_str(&st, "+0", 2), "0") && str_is(&st, vnt_from_str(&st, "-0", 2), "0"),
       "from_str: signs and leading zeros");
    ok(vnt_get_si(vnt_from_si(&st, LONG_MIN)) == LONG_MIN && vnt_fits_si(vnt_from_si(&st, LONG_MIN)) &&
           !vnt_fits_si(vnt_from_ui(&st, (unsigned long)LONG_MAX + 1)) &&
           vnt_get_ui(vnt_from_ui(&st, ULONG_MAX)) == ULONG_MAX,
       "machine-word limits convert exactly");
    vstack_set_avma(&st, av);

    /* Ranges against mpz. */
    int bad = 0;
    unsigned long nmax = vg ? 200 : 1000;
    for (unsigned long n = 0; n <= nmax; n++) {
        mpz_fac_ui(z, n);
        bad += !ntu_eq(vnt_factorial(&st, n), z);
        vstack_set_avma(&st, av);
    }
    static const unsigned long bigf[] = {4096, 10007, 65536, 100000};
    for (size_t i = 0; i < (vg ? 2u : 4u); i++) {
        mpz_fac_ui(z, bigf[i]);
        bad += !ntu_eq(vnt_factorial(&st, bigf[i]), z);
        vstack_set_avma(&st, av);
    }
    ok(bad == 0, "n! matches mpz_fac_ui for n <= %lu and up to %lu", nmax, bigf[vg ? 1 : 3]);

    bad = 0;
    for (long n = -300; n <= (long)nmax * 3; n++) {
        mpz_fib_ui(z, (unsigned long)labs(n));
        if (n < 0 && !(labs(n) & 1))
            mpz_neg(z, z);
        bad += !ntu_eq(vnt_fibonacci(&st, n), z);
        vstack_set_avma(&st, av);
    }
    static const long bigfib[] = {65536, 99999, 1000000};
    for (size_t i = 0; i < (vg ? 2u : 3u); i++) {
        mpz_fib_ui(z, (unsigned long)bigfib[i]);
        bad += !ntu_eq(vnt_fibonacci(&st, bigfib[i]), z);
        vstack_set_avma(&st, av);
    }
    ok(bad == 0, "fibonacci(n) matches mpz_fib_ui for -300 <= n <= %lu and large n", nmax * 3);

    bad = 0;
    long bn = vg ? 60 : 200;
    for (long n = -bn; n <= bn; n++)
        for (long k = -2; k <= labs(n) + 3; k++) {
            if (k < 0)
                mpz_set_ui(z, 0);
            else {
                mpz_set_si(w, n);
                mpz_bin_ui(z, w, (unsigned long)k);
            }
            bad += !ntu_eq(vnt_binomial(&st, vnt_from_si(&st, n), k), z);
            vstack_set_avma(&st, av);
        }
    /* beyond a machine word, and large k */
    mpz_ui_pow_ui(w, 10, 40);
    mpz_sub_ui(w, w, 17);
    for (long k = 0; k < 40; k++) {
        mpz_bin_ui(z, w, (unsigned long)k);
        bad += !ntu_eq(vnt_binomial(&st, ntu_from_mpz(&st, w), k), z);
        mpz_neg(w, w);
        mpz_bin_ui(z, w, (unsigned long)k);
        bad += !ntu_eq(vnt_binomial(&st, ntu_from_mpz(&st, w), k), z);
        mpz_neg(w, w);
        vstack_set_avma(&st, av);
    }
    mpz_bin_uiui(z, vg ? 20000 : 100000, vg ? 9000 : 40000);
    bad += !ntu_eq(vnt_binomial(&st, vnt_from_ui(&st, vg ? 20000 : 100000), vg ? 9000 : 40000), z);
    vstack_set_avma(&st, av);
    ok(bad == 0, "binomial(n, k) matches mpz_bin_ui, negative and huge n included");

    /* Errors: each is reported with its code, and the stack stays usable. */
    vnt_int zero = vnt_from_ui(&st, 0), two = vnt_from_ui(&st, 2);
    vnt_int r;
    is_int(NTU_CATCH(vnt_div(&st, two, zero)), VNT_EDIVZERO, "a \\ 0: VNT_EDIVZERO");
    is_int(NTU_CATCH(vnt_mod(&st, two, zero)), VNT_EDIVZERO, "a %% 0: VNT_EDIVZERO");
    is_int(NTU_CATCH(vnt_divrem(&st, zero, zero, &r)), VNT_EDIVZERO, "0 divrem 0: VNT_EDIVZERO");
    is_int(NTU_CATCH(vnt_pow(&st, zero, vnt_from_si(&st, -1))), VNT_EDIVZERO, "0^-1: VNT_EDIVZERO");
    is_int(NTU_CATCH(vnt_pow(&st, two, vnt_from_si(&st, -1))), VNT_EDOMAIN, "2^-1: VNT_EDOMAIN");
    is_int(NTU_CATCH(vnt_pow(&st, two, vnt_pow_ui(&st, two, 64))), VNT_EOVERFLOW,
           "2^(2^64): VNT_EOVERFLOW");
    is_int(NTU_CATCH(vnt_pow_ui(&st, vnt_from_ui(&st, 3), ULONG_MAX)), VNT_EOVERFLOW,
           "3^(2^64-1): VNT_EOVERFLOW, no size overflow");
    is_int(NTU_CATCH(vnt_sqrtint(&st, vnt_from_si(&st, -1))), VNT_EDOMAIN, "sqrtint(-1): VNT_EDOMAIN");
    is_int(NTU_CATCH(vnt_divexact(&st, vnt_from_ui(&st, 7), two)), VNT_EDOMAIN,
           "divexact(7, 2): VNT_EDOMAIN");
    is_int(NTU_CATCH(vnt_from_str(&st, "12a", 3)), VNT_ESYNTAX, "from_str(\"12a\"): VNT_ESYNTAX");
    is_int(NTU_CATCH(vnt_from_str(&st, "-", 1)), VNT_ESYNTAX, "from_str(\"-\"): VNT_ESYNTAX");
    /* 2^(10^9) needs 125 MB: beyond a 16 MiB parisizemax, on 32 bits too
     * (10^9 fits an unsigned long there). */
    {
        vstack small;
        ntu_init(&small, 1 << 20, 16 << 20);
        is_int(NTU_CATCH(vnt_pow_ui(&small, vnt_from_ui(&small, 2), 1000000000UL)), VSTACK_ESTACK,
               "2^(10^9) overflows a 16 MiB stack: VSTACK_ESTACK");
        vstack_destroy(&small);
    }
    ok(str_is(&st, vnt_add(&st, two, two), "4"), "the stack is usable after the errors");
    ok(strcmp(vnt_strerror(VNT_EDIVZERO), "division by zero") == 0 &&
           strcmp(vnt_strerror(VSTACK_ESTACK), vstack_strerror(VSTACK_ESTACK)) == 0,
       "vnt_strerror names nt and vstack codes");

    vstack_set_avma(&st, av);
    mpz_clears(z, w, NULL);
    vstack_destroy(&st);
    return done_testing();
}
