/* SPDX-License-Identifier: MIT */
/* sqrt.c -- integer square root. */
#include "nt.h"

vnt_int vnt_sqrtint(vstack *st, vnt_int x)
{
    size_t n = vnt_len(x);
    if (vnt_sign(x) < 0)
        vnt_error(st, VNT_EDOMAIN, "domain error in sqrtint: argument < 0");
    if (n == 0)
        return vnt_from_ui(st, 0);
    size_t rn = (n + 1) / 2;
    vnt_int r = nt_alloc(st, rn);
    mpn_sqrtrem(r + 1, NULL, x + 1, (mp_size_t)n);
    return nt_finish(r, rn, 0);
}
