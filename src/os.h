/* SPDX-License-Identifier: MIT */
/* os.h -- the operating-system layer: the only code that maps memory.
 *
 * One verb per change of state of an address range:
 *   reserve   address space only: inaccessible, no commit charge
 *   commit    make [addr, addr+size) of a reservation readable and writable
 *   decommit  give pages and commit charge of a committed range back; the
 *             range stays reserved
 *   release   return a whole reservation to the system
 *   discard   drop the contents of committed pages; they stay committed and
 *             read as zero afterwards
 *   advise_huge  ask for transparent huge pages on a committed range
 *   wipe_on_fork mark (on) or unmark (off) a committed range so that a child
 *             of fork() gets zero pages there and fork copies nothing of it
 *   populate  fault a committed range in for writing, in one call, as a
 *             first touch of every page would (the pages read as they did)
 * plus probe, a trial of whether the system would let us commit that much,
 * and the blocking of asynchronous signals around multi-step changes.
 *
 * Preconditions, asserted by every verb: sizes are > 0, and addresses and
 * sizes are multiples of vs_os_config()->page_size.  Every verb returns 0,
 * or the errno of the call that failed; then *e says which call failed and
 * why, for the message.  Nothing here prints.
 *
 * Windows (src/os_win32.c) keeps the same contract, with three rules of its
 * own: a failed Win32 call returns the nearest errno (ENOMEM for the memory
 * and commit-limit errors, EINVAL, EACCES, else EIO) and *e carries the
 * system's own words for GetLastError(); decommit never leaves a hole, so
 * *hole stays 0 and release is only ever given a whole reservation (the base
 * that reserve returned and the size it was given: VirtualFree cannot
 * release part of one); and discard is a decommit followed by a commit,
 * which may fail halfway (see discard_decommits).
 */
#ifndef VSTACK_OS_H
#define VSTACK_OS_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

struct vs_os_config {
    size_t page_size;       /* mapping granularity (64 KiB on Cygwin) */
    size_t huge_page_size;  /* transparent huge page size, 0 if none */
    int reserves;           /* 1: reserve and commit apart; 0: a fixed block (no growth) */
    int default_unmap;      /* decommit by munmap + mmap by default (Cygwin) */
    int wipes_on_fork;      /* the system has wipe_on_fork */
    int discard_decommits;  /* discard decommits, then commits again: when it
                             * fails, the range may be left decommitted */
    int populates;          /* the system may have populate: the build knows
                             * the call (a kernel may still refuse it, EINVAL) */
};

/* Read once, at first use; thread-safe. */
const struct vs_os_config *vs_os_config(void);

/* How a verb failed: filled in by the verb, owned by the caller. */
struct vs_os_err {
    int err;          /* the errno returned */
    const char *call; /* the failing call, as a message names it: "mprotect" */
    const char *why;  /* NULL: strerror(err) says it; else the reason in words */
#ifdef _WIN32
    char text[160];   /* with why NULL: the system's words for GetLastError(),
                       * kept here so that a copy of *e keeps them */
#endif
};
/* The reason of a failure, in words. */
const char *vs_os_why(const struct vs_os_err *e);

/* Would the system let us commit size bytes?  A trial read/write mapping
 * without MAP_NORESERVE, unmapped at once (on Windows a trial commit of the
 * whole size, released at once). */
int vs_os_probe(size_t size, struct vs_os_err *e);
/* Reserve size bytes of inaccessible address space at *base. */
int vs_os_reserve(size_t size, void **base, struct vs_os_err *e);
int vs_os_commit(void *addr, size_t size, struct vs_os_err *e);
/* unmap != 0: munmap then map again at the same address (the Cygwin path).
 * *hole is set when the range was unmapped but could not be mapped again:
 * it no longer belongs to us, and the caller must stop using it.  The
 * caller blocks asynchronous signals around it, as around every change
 * (src/signals.c): no verb blocks them itself.  (Windows decommits in place
 * either way and never sets *hole.) */
int vs_os_decommit(void *addr, size_t size, int unmap, int *hole, struct vs_os_err *e);
/* Give back [addr, addr+size).  On Windows only a whole reservation, as
 * reserve returned it; anything else fails with EINVAL.  The policy releases
 * part of one only after a hole (region.c), which Windows never makes. */
int vs_os_release(void *addr, size_t size, struct vs_os_err *e);
int vs_os_discard(void *addr, size_t size, struct vs_os_err *e);
int vs_os_advise_huge(void *addr, size_t size, struct vs_os_err *e);
/* Only where vs_os_config()->wipes_on_fork; the range must be committed. */
int vs_os_wipe_on_fork(void *addr, size_t size, int on, struct vs_os_err *e);

/* Only where vs_os_config()->populates; the range must be committed.
 * EINVAL: this kernel has no such advice (Linux before 5.14).  Any other
 * failure (ENOMEM, EFAULT, EINTR) may come after part of the range was
 * populated: the range stays committed either way, and its pages fault in
 * on first touch as they would have without the call. */
int vs_os_populate(void *addr, size_t size, struct vs_os_err *e);

/* Block every asynchronous signal in this thread (not SIGSEGV, SIGBUS,
 * SIGFPE, SIGILL, SIGTRAP, which a fault raises), saving the old mask in
 * *saved; vs_os_signals_restore puts it back. */
#ifdef _WIN32
struct vs_os_sigmask {
    int unused; /* Windows has no asynchronous signals to block */
};
#else
#include <signal.h>
struct vs_os_sigmask {
    sigset_t set;
};
#endif
int vs_os_signals_block(struct vs_os_sigmask *saved, struct vs_os_err *e);
int vs_os_signals_restore(const struct vs_os_sigmask *saved, struct vs_os_err *e);

/* Test seam: make chosen OS calls fail, so that tests reach every error
 * path.  Only the verbs above consult it; the allocation fast path never
 * does.  Not thread-safe: arm it from the thread under test.  The names are
 * the Unix calls; on Windows each stands for the Win32 call of the same
 * step (VS_OS_REMAP and VS_OS_UNMAP for VirtualFree(MEM_DECOMMIT), and so
 * on: src/os_win32.c says which).
 *
 * The seam exists in the test build of the library only: the same sources
 * compiled with VS_TEST_SEAM defined (src/libvstack_test.la, which the
 * tests and the fuzz harnesses link; src/Makefile.inc).  In the installed
 * library src/os_seam.c is not compiled, and the hooks the verbs call are
 * the constant 0 (below): the verbs keep no branch on the seam.  The
 * functions that arm it are declared in both builds, so that a test
 * compiled without the define still links against the test build, and
 * fails to link against the installed one. */
enum vs_os_call {
    VS_OS_PROBE,       /* the trial read/write mapping */
    VS_OS_PROBE_UNMAP, /* the munmap of that trial mapping */
    VS_OS_RESERVE,     /* mmap of the reservation */
    VS_OS_COMMIT,      /* mprotect to read/write */
    VS_OS_REMAP,       /* mmap(PROT_NONE|MAP_FIXED) over a committed range */
    VS_OS_UNMAP,       /* munmap, first half of the unmap path */
    VS_OS_MAPAGAIN,    /* mmap at the same address, second half of the unmap path */
    VS_OS_STRAY_UNMAP, /* munmap of a mapping the system placed elsewhere */
    VS_OS_RELEASE,     /* munmap of a whole reservation */
    VS_OS_DISCARD,     /* madvise(MADV_DONTNEED) */
    VS_OS_ADVISE,      /* madvise(MADV_HUGEPAGE) */
    VS_OS_WIPE,        /* madvise(MADV_WIPEONFORK / MADV_KEEPONFORK) */
    VS_OS_SIGBLOCK,    /* pthread_sigmask(SIG_BLOCK) */
    VS_OS_SIGRESTORE,  /* pthread_sigmask(SIG_SETMASK) back */
    VS_OS_POPULATE,    /* madvise(MADV_POPULATE_WRITE) */
    VS_OS_NCALLS
};
/* Make the nth next call of that kind fail with errno err (nth = 1: the very
 * next one); nth = 0 disarms it. */
void vs_os_fail_nth(enum vs_os_call call, unsigned long nth, int err);
/* The same, armed apart from it, but the failing call is made all the same
 * before it reports err: a call that failed partway, its work done in part
 * or in whole.  Only the verbs that can fail that way honour it
 * (VS_OS_WIPE, VS_OS_POPULATE); the others fail without the call. */
void vs_os_fail_nth_late(enum vs_os_call call, unsigned long nth, int err);
/* Disarm every call and zero the counters. */
void vs_os_fail_reset(void);
/* How many calls of that kind were attempted since the last reset. */
unsigned long vs_os_count(enum vs_os_call call);
/* Make a call that the seam does not fail behave as if the system had placed
 * a mapping elsewhere (the MAP_FIXED checks), the next time it is made. */
void vs_os_misplace_next(enum vs_os_call call);

#ifdef VS_TEST_SEAM
/* For the verbs only (os_seam.c): count a call of that kind; returns the
 * errno to fake, or 0 to make the call.  vs_os_misplaced() says whether to
 * pretend the mapping landed elsewhere (the verbs ask it under
 * VS_TEST_SEAM only: the stand-in mapping is test code). */
int vs_os_seam(enum vs_os_call call);
int vs_os_misplaced(enum vs_os_call call);
/* After vs_os_seam() returned a failure: should the verb make the call all
 * the same (vs_os_fail_nth_late)? */
int vs_os_seam_late(enum vs_os_call call);
/* The seam's mark, a text that only the test build holds (os_seam.c). */
extern const char vs_os_seam_mark[];
#else
/* The installed library: no call is ever faked. */
#define vs_os_seam(call) ((void)(call), 0)
#define vs_os_seam_late(call) ((void)(call), 0)
#endif
/* Fill *e and return err: the verbs' way out on failure. */
int vs_os_fail(struct vs_os_err *e, int err, const char *call, const char *why);
/* The verbs' preconditions: a size > 0, and an address, both multiples of
 * the page size. */
#define VS_ASSERT_SIZE(size) assert((size) > 0 && (size) % vs_os_config()->page_size == 0)
#define VS_ASSERT_RANGE(addr, size) \
    (VS_ASSERT_SIZE(size), assert((uintptr_t)(addr) % vs_os_config()->page_size == 0))

#endif
