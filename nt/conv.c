/* SPDX-License-Identifier: MIT */
/* conv.c -- decimal conversion both ways, through mpn_get_str/mpn_set_str. */
#include "nt.h"

vnt_int vnt_from_str(vstack *st, const char *s, size_t len)
{
    int neg = 0;
    size_t i = 0;
    if (len > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == len)
        vnt_error(st, VNT_ESYNTAX, "not a decimal integer: no digits");
    for (size_t j = i; j < len; j++)
        if (s[j] < '0' || s[j] > '9')
            vnt_error(st, VNT_ESYNTAX, "not a decimal integer: unexpected character");
    while (i < len && s[i] == '0')
        i++;
    size_t nd = len - i;
    if (nd == 0)
        return vnt_from_ui(st, 0);
    /* log2(10) < 10/3: nd digits need at most nd*10/3 + 1 bits; mpn_set_str
     * wants one limb more than the value needs. */
    if (nd > SIZE_MAX / 4)
        vnt_error(st, VSTACK_ESTACK, "the stack overflows: %zu digits", nd);
    size_t n = (nd / 3 * 10 + 10) / GMP_NUMB_BITS + 2;
    vnt_int r = nt_alloc(st, n);
    unsigned char *dig = (unsigned char *)nt_scratch(st, nd / sizeof(mp_limb_t) + 1);
    for (size_t j = 0; j < nd; j++)
        dig[j] = (unsigned char)(s[i + j] - '0');
    size_t rn = (size_t)mpn_set_str(r + 1, dig, nd, 10);
    vstack_set_avma(st, (vstack_sp)r);
    return nt_finish(r, rn, neg);
}

char *vnt_to_str(vstack *st, vnt_int x)
{
    size_t n = vnt_len(x);
    if (n == 0) {
        char *z = (char *)nt_scratch(st, 1);
        z[0] = '0';
        z[1] = 0;
        return z;
    }
    /* mpn_get_str wants room for the largest value of n limbs plus one
     * character; log10(2) < 0.30103. */
    size_t bits = n * GMP_NUMB_BITS;
    size_t nd = bits / 100000 * 30103 + (bits % 100000) * 30103 / 100000 + 2;
    char *s = (char *)nt_scratch(st, (nd + 2) / sizeof(mp_limb_t) + 1);
    vstack_sp keep = vstack_avma(st);
    mp_limb_t *t = nt_scratch(st, n + 1);
    mpn_copyi(t, x + 1, (mp_size_t)n);
    unsigned char *u = (unsigned char *)s + 1;
    size_t len = mpn_get_str(u, 10, t, (mp_size_t)n);
    size_t lead = 0;
    while (lead + 1 < len && u[lead] == 0)
        lead++;
    char *o = s;
    if (vnt_sign(x) < 0)
        *o++ = '-';
    for (size_t j = lead; j < len; j++)
        *o++ = (char)('0' + u[j]);
    *o = 0;
    vstack_set_avma(st, keep);
    return s;
}

int vnt_fprint(FILE *f, vstack *st, vnt_int x)
{
    vstack_sp av = vstack_avma(st);
    char *s = vnt_to_str(st, x);
    int rc = fputs(s, f);
    vstack_set_avma(st, av);
    return rc;
}
