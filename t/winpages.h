/* SPDX-License-Identifier: MIT */
/* winpages.h -- what VirtualQuery says about a range of memory, for the
 * Windows-only tests (built into t/libtap.a on Windows hosts only). */
#ifndef VSTACK_WINPAGES_H
#define VSTACK_WINPAGES_H

#include <stdint.h>

#include "tap.h"

/* The state of every page of [lo, hi): MEM_COMMIT, MEM_RESERVE or MEM_FREE.
 * 0 when the range is mixed (*where: the first address whose state differs
 * from lo's), -1 when VirtualQuery fails (*where: that address). */
long tu_win_state(uintptr_t lo, uintptr_t hi, uintptr_t *where);
/* "MEM_COMMIT", "MEM_RESERVE", "MEM_FREE", "mixed" or "unknown". */
const char *tu_win_state_name(long state);
/* One TAP line: every page of [lo, hi) is in state want; on failure a
 * diagnostic says where it is not.  Returns the condition. */
int tu_win_is_state(uintptr_t lo, uintptr_t hi, long want, const char *fmt, ...) TAP_PRINTF(4, 5);
/* The base of the reservation that holds addr, or 0. */
uintptr_t tu_win_allocation_base(uintptr_t addr);

#endif
