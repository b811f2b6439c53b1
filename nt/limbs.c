/* SPDX-License-Identifier: MIT */
/* limbs.c -- room on the stack for integers and scratch limbs, with failures
 * made fatal, and the check that a result fits before any work starts. */
#include "nt.h"

/* nlimbs limbs after head limbs of header; a count whose size would pass
 * SIZE_MAX (less room for alignment) is an overflow of the stack. */
static mp_limb_t *alloc_limbs(vstack *st, size_t nlimbs, size_t head)
{
    if (nlimbs > (SIZE_MAX - 64) / sizeof(mp_limb_t) - head)
        vnt_error(st, VSTACK_ESTACK, "the stack overflows: %zu limbs requested", nlimbs);
    size_t nbytes = (nlimbs + head) * sizeof(mp_limb_t);
    mp_limb_t *p = vstack_alloc(st, nbytes);
    if (p == NULL) {
        /* The vstack handler has seen the failure and returned; ours must
         * not, so the computation stops here either way, with the code and
         * the sentence the library gave. */
        int err = vstack_last_error_code(st);
        vnt_error(st, err != VSTACK_OK ? err : VSTACK_ENOMEM,
                  "cannot allocate %zu bytes on the stack: %s", nbytes, vstack_last_error(st));
    }
    return p;
}

mp_limb_t *nt_scratch(vstack *st, size_t nlimbs)
{
    return alloc_limbs(st, nlimbs, 0);
}

mp_limb_t *nt_alloc(vstack *st, size_t nlimbs)
{
    mp_limb_t *x = alloc_limbs(st, nlimbs, 1);
    x[0] = 0;
    return x;
}

void nt_need_bits(vstack *st, double bits)
{
    struct vstack_stats s;
    size_t vsize = 0;
    vstack_get_stats(st, &s);
    vstack_default_get(st, "parisizemax", &vsize);
    size_t limit = vsize ? vsize : s.rsize;
    size_t room = limit > s.used ? limit - s.used : 0;
    double bytes = bits / 8 + 2 * sizeof(mp_limb_t);
    if (bytes > (double)room)
        vnt_error(st, VSTACK_ESTACK, VNT_NEEDS "%.0f bytes, more than the stack can hold "
                  "(%zu bytes free of %zu)", bytes, room, limit);
}
