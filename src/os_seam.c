/* SPDX-License-Identifier: MIT */
/* os_seam.c -- the test seam of the OS layer.
 *
 * Each verb calls vs_os_seam() before its system call; tests arm it with
 * vs_os_fail_nth() to make a chosen call fail (vs_os_fail_nth_late: fail
 * after making it), or with vs_os_misplace_next() to make a MAP_FIXED
 * mapping look as if it had landed elsewhere.
 *
 * Compiled into the test build of the library only (src/libvstack_test.la,
 * with VS_TEST_SEAM defined: src/Makefile.inc); in the installed library
 * src/os.h makes the verbs' calls to the seam constants, and this file is
 * not compiled at all. */
#include "config.h"
#include "os.h"

#ifndef VS_TEST_SEAM
#error "os_seam.c belongs to the test build of the library only (VS_TEST_SEAM)"
#endif

#include <errno.h>
#include <stdatomic.h>

/* The seam's mark: a text that only a library built with the seam holds.
 * t/release-library-has-no-seam.t and .ci/package look for it (strings) in
 * the installed library, and find it in the test build. */
const char vs_os_seam_mark[] = "vstack OS test seam: this build fails OS calls on demand";

/* Atomic, so that stacks in several threads may count calls concurrently;
 * arming the seam is still meant for one thread. */
static atomic_ulong vs_seam_count[VS_OS_NCALLS];
static atomic_ulong vs_seam_when[VS_OS_NCALLS];
static int vs_seam_err[VS_OS_NCALLS];
static atomic_int vs_seam_misplace[VS_OS_NCALLS];
static atomic_ulong vs_seam_late_when[VS_OS_NCALLS]; /* the same, for vs_os_fail_nth_late */
static int vs_seam_late_err[VS_OS_NCALLS];
static atomic_int vs_seam_late_now[VS_OS_NCALLS];

void vs_os_fail_nth(enum vs_os_call call, unsigned long nth, int err)
{
    vs_seam_when[call] = nth ? vs_seam_count[call] + nth : 0;
    vs_seam_err[call] = err;
}

void vs_os_fail_nth_late(enum vs_os_call call, unsigned long nth, int err)
{
    vs_seam_late_when[call] = nth ? vs_seam_count[call] + nth : 0;
    vs_seam_late_err[call] = err;
}

void vs_os_fail_reset(void)
{
    for (int i = 0; i < VS_OS_NCALLS; i++) {
        /* One store each: clang refuses a chain of atomics of two types. */
        atomic_store(&vs_seam_count[i], 0);
        atomic_store(&vs_seam_when[i], 0);
        atomic_store(&vs_seam_misplace[i], 0);
        atomic_store(&vs_seam_late_when[i], 0);
        atomic_store(&vs_seam_late_now[i], 0);
    }
}

unsigned long vs_os_count(enum vs_os_call call) { return vs_seam_count[call]; }

void vs_os_misplace_next(enum vs_os_call call) { vs_seam_misplace[call] = 1; }

int vs_os_seam(enum vs_os_call call)
{
    unsigned long n = atomic_fetch_add_explicit(&vs_seam_count[call], 1, memory_order_relaxed) + 1;
    if (n == atomic_load_explicit(&vs_seam_when[call], memory_order_relaxed)) {
        vs_seam_when[call] = 0;
        return vs_seam_err[call] ? vs_seam_err[call] : ENOMEM;
    }
    if (n == atomic_load_explicit(&vs_seam_late_when[call], memory_order_relaxed)) {
        vs_seam_late_when[call] = 0;
        vs_seam_late_now[call] = 1;
        return vs_seam_late_err[call] ? vs_seam_late_err[call] : ENOMEM;
    }
    return 0;
}

int vs_os_misplaced(enum vs_os_call call)
{
    return atomic_exchange_explicit(&vs_seam_misplace[call], 0, memory_order_relaxed);
}

int vs_os_seam_late(enum vs_os_call call)
{
    return atomic_exchange_explicit(&vs_seam_late_now[call], 0, memory_order_relaxed);
}
