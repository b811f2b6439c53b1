/* SPDX-License-Identifier: MIT */
/* add.c -- addition and subtraction with signs. */
#include "nt.h"

/* a + b, where b's sign is flipped when negb is set. */
static vnt_int add_signed(vstack *st, vnt_int a, vnt_int b, int negb)
{
    size_t an = vnt_len(a), bn = vnt_len(b);
    int na = vnt_sign(a) < 0, nb = (vnt_sign(b) < 0) ^ negb;
    if (bn == 0)
        return vnt_copy(st, a);
    if (an == 0) {
        vnt_int r = vnt_copy(st, b);
        return nt_finish(r, bn, nb);
    }
    if (na == nb) {
        if (an < bn) {
            vnt_int t = a; a = b; b = t;
            size_t tn = an; an = bn; bn = tn;
        }
        vnt_int r = nt_alloc(st, an + 1);
        r[an + 1] = mpn_add(r + 1, a + 1, (mp_size_t)an, b + 1, (mp_size_t)bn);
        return nt_finish(r, an + 1, na);
    }
    /* Opposite signs: subtract the smaller magnitude from the larger. */
    int c = vnt_cmpabs(a, b);
    if (c == 0)
        return vnt_from_ui(st, 0);
    if (c < 0) {
        vnt_int t = a; a = b; b = t;
        size_t tn = an; an = bn; bn = tn;
        na = nb;
    }
    vnt_int r = nt_alloc(st, an);
    mpn_sub(r + 1, a + 1, (mp_size_t)an, b + 1, (mp_size_t)bn);
    return nt_finish(r, an, na);
}

vnt_int vnt_add(vstack *st, vnt_int a, vnt_int b)
{
    return add_signed(st, a, b, 0);
}

vnt_int vnt_sub(vstack *st, vnt_int a, vnt_int b)
{
    return add_signed(st, a, b, 1);
}

vnt_int vnt_add_si(vstack *st, vnt_int a, long v)
{
    mp_limb_t w[2];
    w[1] = v < 0 ? -(unsigned long)v : (unsigned long)v;
    nt_finish(w, 1, v < 0);
    return add_signed(st, a, w, 0);
}
