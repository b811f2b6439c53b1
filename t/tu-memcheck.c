/* SPDX-License-Identifier: MIT */
/* tu-memcheck.c -- what memcheck thinks of a range, for the tests that
 * check the annotations (valgrind-annotations, nt-heap-memcheck-states).
 * Empty without valgrind's headers. */
#include "config.h"

#include "testutil.h"

#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>

static unsigned char vbits[64 * 1024];

/* What memcheck thinks of [p, p+n): GET_VBITS returns 3 when any byte is not
 * addressable; otherwise vbits 0xff are undefined bytes, 0x00 defined. */
enum tu_mem_state tu_mem_state_of(const void *p, size_t n)
{
    size_t undef = 0, def = 0;
    if (n > sizeof vbits)
        n = sizeof vbits;
    unsigned r = VALGRIND_GET_VBITS(p, vbits, n);
    if (r == 0)
        return TU_NOT_VALGRIND;
    if (r == 3)
        return TU_NOACCESS;
    for (size_t i = 0; i < n; i++) {
        undef += vbits[i] == 0xff;
        def += vbits[i] == 0x00;
    }
    return undef == n ? TU_UNDEFINED : def == n ? TU_DEFINED : TU_MIXED;
}

const char *tu_mem_state_name(enum tu_mem_state s)
{
    static const char *const names[] = {"no access", "undefined", "defined", "mixed",
                                        "not under valgrind"};
    return names[s];
}

void tu_is_mem_state(const void *p, size_t n, enum tu_mem_state want, const char *what)
{
    enum tu_mem_state got = tu_mem_state_of(p, n);
    if (!ok(got == want, "%s: %s", what, tu_mem_state_name(want)))
        diag("  memcheck says %s for %zu bytes at %p", tu_mem_state_name(got), n, p);
}
#endif
