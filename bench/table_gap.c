/* SPDX-License-Identifier: MIT */
/* table_gap.c -- the contender of vsbench-gap: GAP's workspace alone. */
#include "config.h"

#include <stddef.h>

#include "contender.h"

extern const struct contender vsb_gap;

const struct contender *const vsb_contenders[] = { &vsb_gap, NULL };
const char *const vsb_missing_notes[] = { NULL };
