/* SPDX-License-Identifier: MIT */
/* modn.h -- residues modulo a fixed odd n of nn limbs, for the prime tests.
 * A residue is an array of nn limbs holding a value in [0, n). */
#ifndef NT_MODN_H
#define NT_MODN_H

#include "nt.h"

struct nt_modn {
    const mp_limb_t *m; /* the modulus, m[nn-1] != 0 */
    size_t nn;
    mp_limb_t *prod;    /* 2nn limbs of scratch */
    mp_limb_t *quot;    /* nn+1 limbs of scratch */
};

/* Scratch for the products comes from st. */
void nt_modn_init(struct nt_modn *M, vstack *st, const mp_limb_t *m, size_t nn);
mp_limb_t *nt_modn_new(struct nt_modn *M, vstack *st);
void nt_modn_set_si(struct nt_modn *M, mp_limb_t *r, long v);
void nt_modn_mul(struct nt_modn *M, mp_limb_t *r, const mp_limb_t *a, const mp_limb_t *b);
void nt_modn_add(struct nt_modn *M, mp_limb_t *r, const mp_limb_t *a, const mp_limb_t *b);
void nt_modn_sub(struct nt_modn *M, mp_limb_t *r, const mp_limb_t *a, const mp_limb_t *b);
/* r / 2 */
void nt_modn_half(struct nt_modn *M, mp_limb_t *r);
int nt_modn_is_zero(const struct nt_modn *M, const mp_limb_t *a);
/* a == m - 1 */
int nt_modn_is_minus1(const struct nt_modn *M, const mp_limb_t *a);
int nt_modn_is_one(const struct nt_modn *M, const mp_limb_t *a);

#endif
