/* SPDX-License-Identifier: MIT */
/* table_pari.c -- the contender of vsbench-pari: PARI's main stack alone. */
#include "config.h"

#include <stddef.h>

#include "contender.h"

extern const struct contender vsb_pari;

const struct contender *const vsb_contenders[] = { &vsb_pari, NULL };
const char *const vsb_missing_notes[] = { NULL };
