/* SPDX-License-Identifier: MIT */
/* ntutil.c -- see nt-util.h. */
#include "nt-util.h"

jmp_buf *ntu_jb;
int ntu_err;
char ntu_msg[256];

void ntu_on_error(vstack *st, int err, const char *msg, void *ctx)
{
    (void)st;
    (void)ctx;
    ntu_err = err;
    snprintf(ntu_msg, sizeof ntu_msg, "%s", msg);
    if (ntu_jb)
        longjmp(*ntu_jb, 1);
    bail_out("unexpected error %d: %s", err, msg);
}

void ntu_init(vstack *st, size_t rsize, size_t vsize)
{
    memset(st, 0, sizeof *st);
    int rc = vstack_init(st, rsize, vsize, 0);
    if (rc != VSTACK_OK)
        bail_out("vstack_init(%zu, %zu): %s", rsize, vsize, vstack_strerror(rc));
    vstack_set_error_handler(st, ntu_on_error, NULL);
    vnt_set_error_handler(ntu_on_error, NULL);
}

void ntu_to_mpz(mpz_t z, vnt_int x)
{
    size_t n = vnt_len(x);
    mp_limb_t *p = mpz_limbs_write(z, n ? (mp_size_t)n : 1);
    if (n)
        memcpy(p, x + 1, n * sizeof(mp_limb_t));
    mpz_limbs_finish(z, vnt_sign(x) < 0 ? -(mp_size_t)n : (mp_size_t)n);
}

vnt_int ntu_from_mpz(vstack *st, const mpz_t z)
{
    return vnt_from_limbs(st, mpz_sgn(z), mpz_limbs_read(z), mpz_size(z));
}

int ntu_eq(vnt_int x, const mpz_t z)
{
    size_t n = mpz_size(z);
    if (vnt_len(x) != n || vnt_sign(x) != mpz_sgn(z))
        return 0;
    if (n && x[n] == 0)
        return 0;
    return n == 0 || memcmp(x + 1, mpz_limbs_read(z), n * sizeof(mp_limb_t)) == 0;
}

void ntu_random(mpz_t z, gmp_randstate_t rs, size_t nlimbs, int neg)
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

size_t ntu_size(gmp_randstate_t rs, size_t max)
{
    unsigned long b = 0;
    while (((size_t)1 << b) < max)
        b++;
    size_t top = (size_t)1 << gmp_urandomm_ui(rs, b + 1);
    size_t n = 1 + gmp_urandomm_ui(rs, top);
    return n > max ? max : n;
}
