/* alloc.c -- stack allocation for integers, with failures made fatal. */
#include "nt.h"

mp_limb_t *nt_scratch(vstack *st, size_t nlimbs)
{
    if (nlimbs > (SIZE_MAX - 64) / sizeof(mp_limb_t))
        vnt_error(st, VSTACK_ESTACK, "the stack overflows: %zu limbs requested", nlimbs);
    size_t nbytes = nlimbs * sizeof(mp_limb_t);
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

mp_limb_t *nt_alloc(vstack *st, size_t nlimbs)
{
    if (nlimbs >= (SIZE_MAX - 64) / sizeof(mp_limb_t))
        vnt_error(st, VSTACK_ESTACK, "the stack overflows: %zu limbs requested", nlimbs);
    mp_limb_t *x = nt_scratch(st, nlimbs + 1);
    x[0] = 0;
    return x;
}
