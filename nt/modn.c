/* SPDX-License-Identifier: MIT */
/* modn.c -- arithmetic modulo a fixed odd n: schoolbook reduction by
 * mpn_tdiv_qr, with every buffer on the stack. */
#include "modn.h"

void nt_modn_init(struct nt_modn *M, vstack *st, const mp_limb_t *m, size_t nn)
{
    M->m = m;
    M->nn = nn;
    M->prod = nt_scratch(st, 2 * nn);
    M->quot = nt_scratch(st, nn + 1);
}

mp_limb_t *nt_modn_new(struct nt_modn *M, vstack *st)
{
    mp_limb_t *r = nt_scratch(st, M->nn);
    mpn_zero(r, (mp_size_t)M->nn);
    return r;
}

void nt_modn_set_si(struct nt_modn *M, mp_limb_t *r, long v)
{
    mp_size_t nn = (mp_size_t)M->nn;
    mp_limb_t a = v < 0 ? -(unsigned long)v : (unsigned long)v;
    mpn_zero(r, nn);
    if (nn == 1)
        r[0] = a % M->m[0];
    else
        r[0] = a;
    if (v < 0 && !mpn_zero_p(r, nn))
        mpn_sub_n(r, M->m, r, nn);
}

void nt_modn_mul(struct nt_modn *M, mp_limb_t *r, const mp_limb_t *a, const mp_limb_t *b)
{
    mp_size_t nn = (mp_size_t)M->nn;
    if (a == b)
        mpn_sqr(M->prod, a, nn);
    else
        mpn_mul_n(M->prod, a, b, nn);
    mpn_tdiv_qr(M->quot, r, 0, M->prod, 2 * nn, M->m, nn);
}

void nt_modn_add(struct nt_modn *M, mp_limb_t *r, const mp_limb_t *a, const mp_limb_t *b)
{
    mp_size_t nn = (mp_size_t)M->nn;
    mp_limb_t cy = mpn_add_n(r, a, b, nn);
    if (cy || mpn_cmp(r, M->m, nn) >= 0)
        mpn_sub_n(r, r, M->m, nn);
}

void nt_modn_sub(struct nt_modn *M, mp_limb_t *r, const mp_limb_t *a, const mp_limb_t *b)
{
    mp_size_t nn = (mp_size_t)M->nn;
    if (mpn_sub_n(r, a, b, nn))
        mpn_add_n(r, r, M->m, nn);
}

void nt_modn_half(struct nt_modn *M, mp_limb_t *r)
{
    mp_size_t nn = (mp_size_t)M->nn;
    mp_limb_t cy = 0;
    if (r[0] & 1)
        cy = mpn_add_n(r, r, M->m, nn);
    mpn_rshift(r, r, nn, 1);
    r[nn - 1] |= cy << (GMP_NUMB_BITS - 1);
}

int nt_modn_is_zero(const struct nt_modn *M, const mp_limb_t *a)
{
    return mpn_zero_p(a, (mp_size_t)M->nn);
}

int nt_modn_is_one(const struct nt_modn *M, const mp_limb_t *a)
{
    return a[0] == 1 && (M->nn == 1 || mpn_zero_p(a + 1, (mp_size_t)M->nn - 1));
}

int nt_modn_is_minus1(const struct nt_modn *M, const mp_limb_t *a)
{
    /* m is odd, so m - 1 differs from m only in bit 0. */
    return a[0] == (M->m[0] ^ 1) &&
           (M->nn == 1 || mpn_cmp(a + 1, M->m + 1, (mp_size_t)M->nn - 1) == 0);
}
