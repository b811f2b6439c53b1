/* SPDX-License-Identifier: MIT */
/* testutil.h -- helpers shared by the vstack tests, the one header they
 * include for them: message capture (t/tu-logs.c), data patterns and a
 * stack's stats (t/tu-stack.c), the environment the library reads
 * (t/tu-env.c), probes of what this system does
 * (t/tu-probes.c), what Linux shows of our mappings (/proc/self/maps, smaps,
 * Committed_AS: t/tu-proc.c), and checks made in a child of fork
 * (t/tu-child.c).  The /proc readers return -1 where /proc is missing or
 * does not show the mappings as they are, so the tests can skip those
 * checks there. */
#ifndef VSTACK_TESTUTIL_H
#define VSTACK_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <vstack.h>

#include "tap.h"

/* ---- handler capture ---------------------------------------------------- */

/* Messages delivered to one handler: how many, the last code and text, and
 * every text joined by newlines (truncated to the buffer). */
struct tu_log {
    int count;
    int last_err;
    char last[1024];
    char all[8192];
};

/* An error log and a warning log, for one handler pair. */
struct tu_logs {
    struct tu_log err;
    struct tu_log warn;
};

void tu_log_clear(struct tu_log *log);
void tu_logs_clear(struct tu_logs *logs);
/* Handlers whose ctx is a struct tu_logs *. */
void tu_err_handler(vstack *st, int err, const char *msg, void *ctx);
void tu_warn_handler(vstack *st, int err, const char *msg, void *ctx);
/* Install both as the process-wide default handlers, logging into logs. */
void tu_capture_defaults(struct tu_logs *logs);
/* Install both on st, logging into logs. */
void tu_capture_stack(vstack *st, struct tu_logs *logs);
/* Print every captured message as a diagnostic (after a failure). */
void tu_logs_diag(const struct tu_logs *logs);

/* Does text mention the size n, as decimal bytes or as a whole number of
 * KiB/MiB/GiB/TiB or k/M/G/T (for example "1048576", "1 MiB", "1M", "1MB")? */
int tu_mentions_size(const char *text, size_t n);
/* Does text contain needle, ignoring case? */
int tu_contains_nocase(const char *text, const char *needle);

/* ---- data patterns ------------------------------------------------------ */

/* Fill [p, p+nbytes) with a pattern derived from seed and the offset. */
void tu_fill(void *p, size_t nbytes, uint64_t seed);
/* Offset of the first byte that differs from tu_fill's pattern, or -1. */
long tu_check(const void *p, size_t nbytes, uint64_t seed);
/* n bytes allocated on st and filled from seed; bail out when they cannot
 * be allocated. */
void *tu_alloc_filled(vstack *st, size_t n, uint64_t seed);

/* ---- the memory layer ---------------------------------------------------- */

/* Skip the whole test unless the library under test reserves with mmap (a
 * --without-mmap build has a fixed-size stack: t/without-mmap covers it). */
void tu_require_mmap(void);

/* ---- what this system does ------------------------------------------------ */
/* Each probe tries one feature the tests rely on, once (the answer is kept),
 * and returns NULL when it works here, or the reason it cannot be checked
 * here, which names the feature: for skip_all, skip_check and ok_or_skip.
 * They try the feature itself rather than guess from the system's name: a
 * kernel may lack it (MADV_WIPEONFORK before Linux 4.14), and an emulator
 * such as qemu-user accepts some calls and does nothing. */

/* skip_all(why), unless why is NULL. */
void tu_require(const char *why);
/* A page marked wipe-on-fork reads as zero in a child of fork. */
const char *tu_lacks_wipe_on_fork(void);
/* madvise(MADV_HUGEPAGE) is accepted on a mapped range. */
const char *tu_lacks_huge_advice(void);
/* madvise(MADV_POPULATE_WRITE) is accepted (Linux 5.14+), and the library
 * under test was built with it. */
const char *tu_lacks_populate(void);
/* madvise and mprotect of a range that nothing maps fail with ENOMEM. */
const char *tu_lacks_enomem_for_unmapped(void);
/* mincore of a PROT_NONE mapping succeeds, so that ENOMEM from it means a
 * hole in the range. */
const char *tu_lacks_mincore_of_prot_none(void);
/* Under a low limit on resource (RLIMIT_AS, RLIMIT_DATA), set in a child of
 * fork, a larger read/write mmap fails. */
const char *tu_lacks_rlimit(int resource);
/* /proc/self/maps and /proc/self/smaps show this process's mappings as they
 * are: a PROT_NONE mapping is listed, and an unmapped page is a hole.
 * Without that, tu_have_proc is 0 and the /proc readers below return -1. */
const char *tu_lacks_proc_maps(void);

/* ---- the environment, the page size, stats ------------------------------- */

/* Set the environment variable name to value, or remove it (NULL), and
 * make the library read the environment again at its next init (it reads
 * it once per process). */
void tu_env(const char *name, const char *value);
size_t tu_page_size(void);
size_t tu_round_up(size_t n, size_t unit);
struct vstack_stats tu_stats(const vstack *st);
/* The lowest committed and the lowest reserved address, from the stats. */
vstack_sp tu_bot(const vstack *st);
vstack_sp tu_vbot(const vstack *st);
/* vstack_default_get of name; (size_t)-2 when the call fails. */
size_t tu_default(const vstack *st, const char *name);

/* ---- Linux /proc --------------------------------------------------------- */

/* Non-zero when /proc/self/maps and /proc/self/smaps can be read and show
 * the mappings as they are (tu_lacks_proc_maps). */
int tu_have_proc(void);
/* Why they cannot be used, for a skip: tu_lacks_proc_maps's reason, or
 * "/proc/self/smaps could not be read" where that found nothing wrong. */
const char *tu_proc_why(void);
/* Number of lines of /proc/self/maps, or -1. */
long tu_maps_count(void);
/* The same, after making sure stdio and malloc have set up their memory, so
 * later counts compare with it; -1 without /proc. */
long tu_maps_baseline(void);
/* Non-zero when AddressSanitizer's allocator (or ThreadSanitizer's
 * runtime) maps memory of its own, so that the process's mapping count
 * moves without us. */
int tu_under_asan(void);
/* One TAP line: the number of mappings is at most baseline + slack.  Skipped
 * without /proc, and under valgrind unless slack_vg >= 0 (memcheck maps its
 * own shadow memory as it goes, so counts there need a wider margin). */
void tu_maps_check(long baseline, long slack, long slack_vg, const char *what);
/* Sum of the lengths of every mapping of this process, in bytes, or -1. */
long long tu_maps_total(void);

/* The anonymous mappings of this process (no file, no [heap] or [stack]),
 * as address ranges, to find later what a test's failure left mapped. */
#define TU_SNAP_MAX 4096
struct tu_maps_snap {
    long n; /* -1: no /proc */
    uintptr_t lo[TU_SNAP_MAX], hi[TU_SNAP_MAX];
};
void tu_maps_snapshot(struct tu_maps_snap *s);
/* Non-zero when a test may unmap what tu_maps_sweep finds: not under
 * valgrind or AddressSanitizer, which map memory of their own as they go. */
int tu_maps_sweep_safe(void);
/* Bytes of anonymous memory mapped now that no anonymous mapping of the
 * snapshot covered, or -1 when that cannot be told (no /proc, or not
 * tu_maps_sweep_safe).  With unmap != 0 they are unmapped: what the seam
 * kept mapped when it made a munmap fail. */
long long tu_maps_sweep(const struct tu_maps_snap *before, int unmap);

/* What /proc/self/smaps says about the mappings that overlap [lo, hi). */
struct tu_smaps {
    long nmaps;         /* mappings overlapping the range */
    long rss_kb;        /* sum of their Rss */
    long none_maps;     /* of those, mappings with permissions ---p */
    long none_with_ac;  /* ---p mappings whose VmFlags carry "ac" */
    long rw_maps;       /* rw-p mappings */
    unsigned long long covered;  /* bytes of [lo, hi) inside some mapping */
    unsigned long long ac_bytes; /* of those, bytes in mappings charged ("ac") */
    long without_nr;    /* mappings whose VmFlags lack "nr" (MAP_NORESERVE) */
    unsigned long long wf_bytes; /* bytes in mappings marked wipe-on-fork ("wf") */
};
/* 0 on success, -1 when smaps is unavailable. */
int tu_smaps_range(uintptr_t lo, uintptr_t hi, struct tu_smaps *out);
/* Is [lo, hi) mapped from end to end, every mapping of it read/write
 * (rw != 0) or PROT_NONE?  An empty range is; 0 when smaps is unavailable. */
int tu_mapped_as(uintptr_t lo, uintptr_t hi, int rw);

/* /proc/sys/vm/overcommit_memory, or -1. */
int tu_overcommit_mode(void);

/* Committed_AS from /proc/meminfo in kB, or -1. */
long tu_committed_as_kb(void);

/* ---- the decommit paths (t/decommit.c) --------------------------------------- */

/* Run ncycles grow/reset cycles on a stack made with flags under the
 * environment value env (NULL: unset); want_unmap says which path must run.
 * Checks that the path ran, that the mappings stay bounded, that live data
 * and avma survive, and that what decommit leaves is MAP_NORESERVE. */
void tu_decommit_cycles(const char *what, unsigned flags, const char *env, int want_unmap, int ncycles);
/* An unknown VSTACK_DECOMMIT value is ignored with a warning that names the
 * variable, an empty one quietly; the platform default runs. */
void tu_decommit_bogus_env(void);

/* ---- stderr capture ------------------------------------------------------ */

/* Redirect file descriptor 2 to a temporary file until tu_stderr_end, which
 * restores it and copies what was written (NUL-terminated, truncated). */
int tu_stderr_begin(void);
size_t tu_stderr_end(char *buf, size_t size);

/* ---- checks made in a child process -------------------------------------- */

/* A child reports results through a pipe; the parent turns them into TAP
 * lines, so a crash in the child is a failed test, not a broken plan. */
void tu_child_ok(int fd, int cond, const char *fmt, ...) TAP_PRINTF(3, 4);
/* End a child of fork with _exit(status), after writing its coverage data
 * in a --enable-coverage build (gcov writes it only at exit()). */
void tu_child_exit(int status)
#if defined(__GNUC__)
    __attribute__((noreturn))
#endif
    ;
/* Read the child's results from fd until EOF, emit them with ok(), wait for
 * pid and report how it ended.  Returns the number of results read. */
int tu_child_collect(int fd, int pid, const char *what);
/* Fork; the child runs fn(arg) (nothing when fn is NULL) and exits with
 * what it returns, and the parent waits for it.  The child's exit status,
 * or -1 when it did not exit (a signal ended it) or could not be made.
 * When fork fails: with fork_err, *fork_err is its errno (else 0); without,
 * the test bails out.  (On Windows, where there is no fork: -1, with
 * *fork_err ENOSYS.) */
int tu_fork_wait(int (*fn)(void *), void *arg, int *fork_err);
/* Fork; the child runs fn(fd, arg), reporting with tu_child_ok on fd, and
 * exits 0; the parent collects its results as tu_child_collect does.
 * (On Windows: one skipped line.) */
void tu_in_child(void (*fn)(int fd, void *arg), void *arg, const char *what);

/* ---- memcheck (tu-memcheck.c; with valgrind's headers only) -------------- */
#ifdef HAVE_VALGRIND_MEMCHECK_H
enum tu_mem_state { TU_NOACCESS, TU_UNDEFINED, TU_DEFINED, TU_MIXED, TU_NOT_VALGRIND };
/* What memcheck thinks of [p, p+n) (at most 64 KiB of it). */
enum tu_mem_state tu_mem_state_of(const void *p, size_t n);
const char *tu_mem_state_name(enum tu_mem_state s);
/* One check: [p, p+n) is in state want, or a diagnostic says what it is. */
void tu_is_mem_state(const void *p, size_t n, enum tu_mem_state want, const char *what);
#endif

#endif
