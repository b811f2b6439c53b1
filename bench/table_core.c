/* SPDX-License-Identifier: MIT */
/* table_core.c -- the contenders of vsbench: everything but PARI and GAP.
 *
 * PARI and GAP live in programs of their own (vsbench-pari, vsbench-gap),
 * so that their libraries' mappings never weigh on the fork of the other
 * contenders. */
#include "config.h"

#include <stddef.h>

#include "contender.h"

extern const struct contender vsb_bare, vsb_bare2, vsb_vstack, vsb_vstack_noforkwipe, vsb_vstack_huge,
    vsb_vstack_trim, vsb_pool, vsb_malloc, vsb_vstack_noprobe, vsb_vstack_pool,
    vsb_floor, vsb_bound, vsb_vstack_nopopulate, vsb_vstack_pool_nopopulate;

const struct contender *const vsb_contenders[] = {
    &vsb_bare, &vsb_vstack, &vsb_vstack_noforkwipe, &vsb_vstack_huge, &vsb_vstack_nopopulate, &vsb_vstack_trim,
    &vsb_pool, &vsb_malloc, &vsb_vstack_noprobe, &vsb_vstack_pool, &vsb_vstack_pool_nopopulate, &vsb_floor, &vsb_bare2, &vsb_bound, NULL,
};

const char *const vsb_missing_notes[] = {
#ifndef VS_HAVE_PARI
    "pari: libpari was not found at configure time; the pari column is skipped",
#endif
#ifndef VS_HAVE_GAP
    "gap: libgap was not found at configure time; the gap column is skipped",
#endif
    NULL,
};
