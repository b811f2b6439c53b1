/* SPDX-License-Identifier: MIT */
/* populate-stays-noaccess: under memcheck, memory that the slow path
 * populated ahead of use stays no-access until it is handed out: the
 * populate faults pages in, it hands nothing out.  A chunk handed out is
 * undefined as before, the part below it no-access, down to the populated
 * watermark and past it.  Outside valgrind there is nothing to check
 * (make check-valgrind runs it under memcheck). */
#include "config.h"

#include <vstack.h>
#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#endif

#include "os.h"
#include "tap.h"
#include "testutil.h"

#define MB ((size_t)1 << 20)
#define CHUNK ((size_t)64 << 10)

int main(void)
{
#ifndef HAVE_VALGRIND_MEMCHECK_H
    skip_all("built without valgrind's headers");
#else
    vstack st;
    tu_require_mmap();
    tu_require(tu_lacks_populate());
    if (tu_mem_state_of(&st, 1) == TU_NOT_VALGRIND)
        skip_all("not running under valgrind (make check-valgrind runs this under memcheck)");
    if (vstack_init(&st, 8 * MB, 256 * MB, 0) != VSTACK_OK)
        bail_out("no stack: %s", vstack_last_error(&st));
    vs_os_fail_reset();
    vstack_sp top = vstack_top(&st);
    for (size_t done = 0; done < 24 * MB; done += CHUNK)
        if (!vstack_alloc(&st, CHUNK))
            bail_out("cannot allocate");
    if (vs_os_count(VS_OS_POPULATE) == 0)
        bail_out("no populate call was made");
    unsigned char *p = vstack_alloc(&st, CHUNK);
    if (!p)
        bail_out("cannot allocate");
    tu_is_mem_state(p, CHUNK, TU_UNDEFINED, "the chunk handed out");
    tu_is_mem_state(p - CHUNK, CHUNK, TU_NOACCESS, "just below it, populated ahead");
    tu_is_mem_state((void *)(tu_bot(&st)), CHUNK, TU_NOACCESS, "the bottom of the committed part");
    /* Popped memory, populated or not, is no-access again. */
    vstack_set_avma(&st, top - CHUNK);
    vstack_trim(&st);
    tu_is_mem_state(p, CHUNK, TU_NOACCESS, "the chunk after the pop and a trim");
    vstack_destroy(&st);
    return done_testing();
#endif
}
