/* SPDX-License-Identifier: MIT */
/* nt-util.h -- shared by the vstack_nt tests (t/ntutil.c, built into
 * t/libntutil.a): a stack whose errors longjmp back to the test, and
 * conversions between vnt_int and GMP's mpz, which serves as the
 * reference. */
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
extern jmp_buf *ntu_jb;
extern int ntu_err;
extern char ntu_msg[256];

/* The error handler of ntu_init's stack and of vstack_nt: records the
 * error, then longjmps to ntu_jb, or bails out when there is none. */
void ntu_on_error(vstack *st, int err, const char *msg, void *ctx);
/* vstack_init(st, rsize, vsize, 0) with ntu_on_error for both handlers;
 * bails out if the stack cannot be made. */
void ntu_init(vstack *st, size_t rsize, size_t vsize);

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

/* z = x. */
void ntu_to_mpz(mpz_t z, vnt_int x);
/* z as a vnt_int on st. */
vnt_int ntu_from_mpz(vstack *st, const mpz_t z);
/* x == z, header included: normalized, right sign, right limbs. */
int ntu_eq(vnt_int x, const mpz_t z);
/* A random integer of exactly nlimbs limbs (or zero for 0), either uniform
 * or with long runs of ones and zeros, which find carry bugs. */
void ntu_random(mpz_t z, gmp_randstate_t rs, size_t nlimbs, int neg);
/* A size from 1 to max limbs, log-uniform so that small and large sizes
 * both come up often. */
size_t ntu_size(gmp_randstate_t rs, size_t max);

#endif
