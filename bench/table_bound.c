/* SPDX-License-Identifier: MIT */
/* table_bound.c -- the contender of vsbench-bound-marked and
 * vsbench-bound-copied: a bound stack on a library built with another
 * fork-wipe threshold (contender_bound.c). */
#include "config.h"

#include <stddef.h>

#include "contender.h"

extern const struct contender vsb_bound;

const struct contender *const vsb_contenders[] = { &vsb_bound, NULL };
const char *const vsb_missing_notes[] = { NULL };
