/* SPDX-License-Identifier: MIT */
/* vstack_nt.h -- integers of any size on a vstack, in the style of PARI.
 *
 * An integer is a header word followed by its magnitude as GMP limbs, least
 * significant first, all on the caller's vstack:
 *
 *     x[0]            header: sign bit (VNT_NEGBIT) | number of limbs
 *     x[1 .. len]     the magnitude; x[len] != 0 (zero has len 0)
 *
 * Results are computed with GMP's mpn layer straight into stack memory, so
 * the working set of a computation lives on the stack and is given back by
 * resetting avma.  Operations never modify their arguments.  Every function
 * that allocates takes the stack first; results are left at the new avma.
 *
 * Errors (division by zero, a domain error, the stack overflowing) go to a
 * handler that must not return: it longjmps back to the caller's recovery
 * point, as PARI's pari_err does.  Set it with vnt_set_error_handler (the
 * vstack's own handler sees allocation failures first; both may be the same
 * function).  See vstack_nt(3).
 */
#ifndef VSTACK_NT_H
#define VSTACK_NT_H

#include <stddef.h>
#include <stdio.h>
#include <gmp.h>
#include <vstack.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef mp_limb_t *vnt_int;

#define VNT_NEGBIT ((mp_limb_t)1 << (GMP_LIMB_BITS - 1))
#define VNT_LENMASK (~VNT_NEGBIT)

/* Error codes, after the VSTACK_E* codes (which they never reuse). */
#define VNT_EDIVZERO 32  /* division by zero (impossible inverse) */
#define VNT_EDOMAIN 33   /* argument out of the function's domain */
#define VNT_EOVERFLOW 34 /* an argument does not fit a machine word where it must */
#define VNT_ESYNTAX 35   /* vnt_from_str: not a decimal integer */
/* How the message of a result refused before any work starts (VSTACK_ESTACK,
 * from vnt_fibonacci, vnt_factorial, vnt_binomial, vnt_pow_ui); the bytes
 * the result needs follow it in decimal. */
#define VNT_NEEDS "the result needs "

static inline size_t vnt_len(const mp_limb_t *x) { return (size_t)(x[0] & VNT_LENMASK); }
static inline int vnt_sign(const mp_limb_t *x)
{
    return (x[0] & VNT_LENMASK) == 0 ? 0 : (x[0] & VNT_NEGBIT) ? -1 : 1;
}
static inline mp_limb_t *vnt_limbs(vnt_int x) { return x + 1; }

/* ---- errors ---------------------------------------------------------- */
/* Install fn for the calling thread.  fn must not return; if it does, or no
 * handler is set, the library prints the message to stderr and aborts. */
void vnt_set_error_handler(vstack_handler fn, void *ctx);
/* Report err with a printf-style message through the handler; never returns. */
#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 3, 4)))
#endif
void vnt_error(vstack *st, int err, const char *fmt, ...);
/* A sentence for VNT_E* and VSTACK_E* codes. */
const char *vnt_strerror(int err);

/* ---- construction and inspection --------------------------------------- */
/* An integer with room for nlimbs limbs, set to zero. */
vnt_int vnt_new(vstack *st, size_t nlimbs);
vnt_int vnt_from_si(vstack *st, long v);
vnt_int vnt_from_ui(vstack *st, unsigned long v);
/* The integer sign * {p, n}; p may hold high zero limbs. */
vnt_int vnt_from_limbs(vstack *st, int sign, const mp_limb_t *p, size_t n);
vnt_int vnt_copy(vstack *st, vnt_int x);
/* Non-zero when x fits a long / an unsigned long; then vnt_get_* is exact. */
int vnt_fits_si(vnt_int x);
int vnt_fits_ui(vnt_int x);
long vnt_get_si(vnt_int x);
unsigned long vnt_get_ui(vnt_int x);
/* Sign of a - b, and of |a| - |b|. */
int vnt_cmp(vnt_int a, vnt_int b);
int vnt_cmpabs(vnt_int a, vnt_int b);
int vnt_cmp_si(vnt_int a, long v);
/* Bits in |x| (0 for zero). */
size_t vnt_bitlen(vnt_int x);

/* ---- arithmetic ---------------------------------------------------------- */
vnt_int vnt_neg(vstack *st, vnt_int x);
vnt_int vnt_abs(vstack *st, vnt_int x);
vnt_int vnt_add(vstack *st, vnt_int a, vnt_int b);
vnt_int vnt_sub(vstack *st, vnt_int a, vnt_int b);
vnt_int vnt_add_si(vstack *st, vnt_int a, long v);
vnt_int vnt_mul(vstack *st, vnt_int a, vnt_int b);
vnt_int vnt_mul_si(vstack *st, vnt_int a, long v);
vnt_int vnt_sqr(vstack *st, vnt_int a);
/* Euclidean division, as GP's \ and %: a = q*b + r with 0 <= r < |b|.
 * vnt_divrem returns q and stores r in *r (r may be NULL). */
vnt_int vnt_divrem(vstack *st, vnt_int a, vnt_int b, vnt_int *r);
vnt_int vnt_div(vstack *st, vnt_int a, vnt_int b);
vnt_int vnt_mod(vstack *st, vnt_int a, vnt_int b);
/* a / b when b divides a exactly; VNT_EDOMAIN otherwise. */
vnt_int vnt_divexact(vstack *st, vnt_int a, vnt_int b);
/* a^e; 0^0 = 1. */
vnt_int vnt_pow_ui(vstack *st, vnt_int a, unsigned long e);
/* a^e for an integer e: negative e only for a = 1 or -1 (else VNT_EDOMAIN,
 * or VNT_EDIVZERO for a = 0); e beyond an unsigned long only for a in
 * {-1, 0, 1} (else VNT_EOVERFLOW). */
vnt_int vnt_pow(vstack *st, vnt_int a, vnt_int e);
/* Non-negative gcd; gcd(0, 0) = 0. */
vnt_int vnt_gcd(vstack *st, vnt_int a, vnt_int b);
/* floor(sqrt(x)); VNT_EDOMAIN for x < 0. */
vnt_int vnt_sqrtint(vstack *st, vnt_int x);

/* ---- combinatorics ------------------------------------------------------ */
/* n!, by a product tree. */
vnt_int vnt_factorial(vstack *st, unsigned long n);
/* GP's binomial(n, k): 0 for k < 0, (-1)^k binomial(k-n-1, k) for n < 0. */
vnt_int vnt_binomial(vstack *st, vnt_int n, long k);
/* Fibonacci numbers by fast doubling; F(-n) = (-1)^(n+1) F(n). */
vnt_int vnt_fibonacci(vstack *st, long n);

/* ---- primes ---------------------------------------------------------------- */
/* 1 if n is prime, else 0 (n < 2 included).  Exact below 2^64 (Miller-Rabin
 * on the first twelve primes); beyond, the Baillie-PSW test (strong base-2
 * and strong Lucas probable prime), with no known counterexample. */
int vnt_isprime(vstack *st, vnt_int n);
/* The least (BPSW probable) prime >= n. */
vnt_int vnt_nextprime(vstack *st, vnt_int n);

/* ---- decimal conversion ------------------------------------------------- */
/* Parse an optional sign and decimal digits, exactly len bytes of s;
 * VNT_ESYNTAX for anything else. */
vnt_int vnt_from_str(vstack *st, const char *s, size_t len);
/* The decimal form of x, NUL-terminated, allocated on the stack. */
char *vnt_to_str(vstack *st, vnt_int x);
/* Write x in decimal to f; returns what fwrite/fputs report, <0 on error. */
int vnt_fprint(FILE *f, vstack *st, vnt_int x);

/* ---- garbage collection ------------------------------------------------- */
/* PARI's gerepile: move x (allocated after av was taken) up so that it ends
 * at av, free everything else below av, and return the new address.  x may
 * also be older than av or off the stack, and is then returned as is. */
vnt_int vnt_gerepile(vstack *st, vstack_sp av, vnt_int x);
/* The same for n integers at once; *xs[i] are updated in place. */
void vnt_gerepile_many(vstack *st, vstack_sp av, vnt_int *xs[], size_t n);

#ifdef __cplusplus
}
#endif
#endif /* VSTACK_NT_H */
