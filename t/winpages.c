/* SPDX-License-Identifier: MIT */
/* winpages.c -- see winpages.h. */
#include "config.h"
#include "winpages.h"

#include <stdarg.h>
#include <stdio.h>
#include <windows.h>

#include "tap.h"

long tu_win_state(uintptr_t lo, uintptr_t hi, uintptr_t *where)
{
    MEMORY_BASIC_INFORMATION mbi;
    long state = -1;
    uintptr_t at = lo;
    *where = lo;
    while (at < hi) {
        if (VirtualQuery((void *)at, &mbi, sizeof mbi) == 0) {
            *where = at;
            return -1;
        }
        if (at == lo)
            state = (long)mbi.State;
        else if ((long)mbi.State != state) {
            *where = at;
            return 0;
        }
        at = (uintptr_t)mbi.BaseAddress + mbi.RegionSize;
    }
    return state;
}

const char *tu_win_state_name(long state)
{
    switch (state) {
    case MEM_COMMIT: return "MEM_COMMIT";
    case MEM_RESERVE: return "MEM_RESERVE";
    case MEM_FREE: return "MEM_FREE";
    case 0: return "mixed";
    default: return "unknown";
    }
}

uintptr_t tu_win_allocation_base(uintptr_t addr)
{
    MEMORY_BASIC_INFORMATION mbi;
    if (VirtualQuery((void *)addr, &mbi, sizeof mbi) == 0 || mbi.State == MEM_FREE)
        return 0;
    return (uintptr_t)mbi.AllocationBase;
}

int tu_win_is_state(uintptr_t lo, uintptr_t hi, long want, const char *fmt, ...)
{
    char what[256];
    uintptr_t where;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    long got = lo < hi ? tu_win_state(lo, hi, &where) : -1;
    if (ok(got == want, "%s: %s", what, tu_win_state_name(want)))
        return 1;
    if (lo >= hi)
        diag("  empty range [%#llx, %#llx)", (unsigned long long)lo, (unsigned long long)hi);
    else if (got == -1)
        diag("  VirtualQuery failed at %#llx", (unsigned long long)where);
    else if (got == 0)
        diag("  [%#llx, %#llx) is mixed: the state changes at %#llx (offset %llu)", (unsigned long long)lo,
             (unsigned long long)hi, (unsigned long long)where, (unsigned long long)(where - lo));
    else
        diag("  [%#llx, %#llx) is %s", (unsigned long long)lo, (unsigned long long)hi, tu_win_state_name(got));
    return 0;
}
