/* SPDX-License-Identifier: MIT */
/* track.h -- memcheck annotations for the stack.
 *
 * With valgrind's headers available, these tell memcheck which parts of the
 * stack are accessible: memory below avma is no-access, a fresh chunk is
 * undefined.  Otherwise they compile to nothing, so call sites stay clean. */
#ifndef VSTACK_TRACK_H
#define VSTACK_TRACK_H

#include "config.h"

#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#define vs_track_noaccess(p, n) ((void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
#define vs_track_undefined(p, n) ((void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#define vs_track_defined(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#define vs_running_on_valgrind() (RUNNING_ON_VALGRIND != 0)
#else
#define vs_track_noaccess(p, n) ((void)(p), (void)(n))
#define vs_track_undefined(p, n) ((void)(p), (void)(n))
#define vs_track_defined(p, n) ((void)(p), (void)(n))
#define vs_running_on_valgrind() 0
#endif

#endif
