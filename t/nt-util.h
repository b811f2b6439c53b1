/* nt-util.h -- shared by the vstack_nt tests: a stack whose errors longjmp
 * back to the test, and conversions between vnt_int and GMP's mpz, which
 * serves as the reference. */
#ifndef T_NT_UTIL_H
#define T_NT_UTIL_H

#include "config.h"
#include "tap.h"
#include "vstack_nt.h"

#include <gmp.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

/* Where the error handler returns to, and what it saw. */
static jmp_buf *ntu_jb;
static int ntu_err;
static char ntu_msg[256];

static inline void ntu_on_error(vstack *st, int err, const char *msg, void *ctx)
{
    (void)st;
    (void)ctx;
    ntu_err = err;
    snprintf(ntu_msg, sizeof ntu_msg, "%s", msg);
    if (ntu_jb)
        longjmp(*ntu_jb, 1);
    bail_out("unexpected error %d: %s", err, msg);
}

static inline void ntu_init(vstack *st, size_t rsize, size_t vsize)
{
    memset(st, 0, sizeof *st);
    int rc = vstack_init(st, rsize, vsize, 0);
    if (rc != VSTACK_OK)
        bail_out("vstack_init(%zu, %zu): %s", rsize, vsize, vstack_strerror(rc));
    vstack_set_error_handler(st, ntu_on_error, NULL);
    vnt_set_error_handler(ntu_on_error, NULL);
}

/* Run stmt; evaluates to the error code it raised, or 0. */
#define NTU_CATCH(stmt)                                                          \
    __extension__({                                                              \
        jmp_buf ntu_here_;                                                       \
        jmp_buf *volatile ntu_prev_ = ntu_jb;                                    \
        volatile int ntu_rc_ = 0;                                                \
        ntu_err = 0;                                                             \
        if (setjmp(ntu_here_) == 0) {                                            \
            ntu_jb = &ntu_here_;                                                 \
            stmt;                                                                \
        } else {                                                                 \
            ntu_rc_ = ntu_err;                                                   \
        }                                                                        \
        ntu_jb = ntu_prev_;                                                      \
        ntu_rc_;                                                                 \
    })

static inline void ntu_to_mpz(mpz_t z, vnt_int x)
{
    size_t n = vnt_len(x);
    mp_limb_t *p = mpz_limbs_write(z, n ? (mp_size_t)n : 1);
    if (n)
        memcpy(p, x + 1, n * sizeof(mp_limb_t));
    mpz_limbs_finish(z, vnt_sign(x) < 0 ? -(mp_size_t)n : (mp_size_t)n);
}

static inline vnt_int ntu_from_mpz(vstack *st, const mpz_t z)
{
    return vnt_from_limbs(st, mpz_sgn(z), mpz_limbs_read(z), mpz_size(z));
}

/* x == z, header included: normalized, right sign, right limbs. */
static inline int ntu_eq(vnt_int x, const mpz_t z)
{
    size_t n = mpz_size(z);
    if (vnt_len(x) != n || vnt_sign(x) != mpz_sgn(z))
        return 0;
    if (n && x[n] == 0)
        return 0;
    return n == 0 || memcmp(x + 1, mpz_limbs_read(z), n * sizeof(mp_limb_t)) == 0;
}

/* A random integer of exactly nlimbs limbs (or zero for 0), either uniform
 * or with long runs of ones and zeros, which find carry bugs. */
static inline void ntu_random(mpz_t z, gmp_randstate_t rs, size_t nlimbs, int neg)
{
    mp_bitcnt_t bits = (mp_bitcnt_t)nlimbs * GMP_NUMB_BITS;
    if (nlimbs == 0) {
        mpz_set_ui(z, 0);
        return;
    }
    if (gmp_urandomm_ui(rs, 2))
        mpz_urandomb(z, rs, bits);
    else
        mpz_rrandomb(z, rs, bits);
    mpz_setbit(z, bits - 1 - gmp_urandomm_ui(rs, GMP_NUMB_BITS));
    if (neg)
        mpz_neg(z, z);
}

/* A size from 1 to max limbs, log-uniform so that small and large sizes
 * both come up often. */
static inline size_t ntu_size(gmp_randstate_t rs, size_t max)
{
    unsigned long b = 0;
    while (((size_t)1 << b) < max)
        b++;
    size_t top = (size_t)1 << gmp_urandomm_ui(rs, b + 1);
    size_t n = 1 + gmp_urandomm_ui(rs, top);
    return n > max ? max : n;
}

#endif
