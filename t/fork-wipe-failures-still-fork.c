/* SPDX-License-Identifier: MIT */
/* fork-wipe-failures-still-fork: the fork hooks mark the free part of the
 * forking thread's stacks with wipe-on-fork before fork() and clear the mark
 * after it, in the parent and in the child, with signals blocked in between.
 * Each of those calls is made to fail through the seam.  A failed mark (or
 * block) leaves the child a plain copy; EINVAL turns fork-wipe off for the
 * process; a mark that fails partway is undone before fork, or recorded and
 * cleared after it when the undo fails too.  A failed unmark keeps the
 * range recorded, in the parent and in the child alike: lim stays above it,
 * and the next allocation below it clears it first, or fails with
 * VSTACK_ESYS and a sentence naming the call, leaving the stack usable.  A failed restore still leaves the mask as it
 * was.  The parent's memory is never changed, and live data is intact on
 * both sides. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vstack.h>
#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#endif

#include "faults.h"
#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)
#define UNMARK "MADV_KEEPONFORK|INHERIT_COPY"

static long maps0;
static sigset_t mask0;
static struct tf_stack s;
static unsigned char *popped; /* 4 MiB below the live data, popped */
static vstack_sp av;          /* avma, just above popped */
static const size_t popped_n = 4 * MB;

/* Make the stack: 1 MiB and 2 KiB live, so that avma is inside a page,
 * then 4 MiB written and popped. */
static void make(void)
{
    tf_open(&s, 1 * MB, 64 * MB, 0, 1 * MB + 2 * KB, 91);
    av = vstack_avma(&s.st);
    popped = tu_alloc_filled(&s.st, popped_n, 92);
    vstack_set_avma(&s.st, av);
    vs_os_fail_reset();
}

/* The middle MiB of the popped part: 1 when it reads as zero, 0 when it
 * holds its pattern, -1 for anything else. */
static int middle_state(void)
{
    unsigned char *mid = popped + popped_n / 2 - 512 * KB;
    size_t zeros = 0;
#ifdef VALGRIND_MAKE_MEM_DEFINED
    (void)VALGRIND_MAKE_MEM_DEFINED(mid, 1 * MB); /* popped: memcheck calls it no-access */
#endif
    for (size_t i = 0; i < 1 * MB; i++)
        zeros += mid[i] == 0;
    if (zeros == 1 * MB)
        return 1;
    return tu_check(popped, popped_n, 92) < 0 ? 0 : -1;
}

/* What a child checks, run by tu_in_child (arg unused) or fork_into. */
typedef void (*child_fn)(int fd, void *arg);

/* ---- what children check ---------------------------------------------------- */

static void child_copied(int fd, void *arg)
{
    (void)arg;
    tu_child_ok(fd, middle_state() == 0, "the popped part is a plain copy");
    tu_child_ok(fd, tu_check(s.live, s.live_n, s.seed) < 0, "the live data is intact");
}

static void child_wiped(int fd, void *arg)
{
    (void)arg;
    tu_child_ok(fd, middle_state() == 1, "the popped part reads as zero");
    tu_child_ok(fd, tu_check(s.live, s.live_n, s.seed) < 0, "the live data is intact");
}

static void child_mask(int fd, void *arg)
{
    sigset_t now;
    int same = 1;
    (void)arg;
    tf_mask(&now);
    for (int sig = 1; sig < NSIG; sig++)
        if (sigismember(&mask0, sig) != sigismember(&now, sig))
            same = 0;
    tu_child_ok(fd, same, "the signal mask is as it was");
    child_wiped(fd, NULL);
}

/* The unmark failed here too: the range is still recorded. */
static int stuck(void) { return s.st.lim > vstack_avma(&s.st) - popped_n / 2; }

static void child_stuck_clears(int fd, void *arg)
{
    unsigned long n = vs_os_count(VS_OS_WIPE);
    unsigned char *p;
    (void)arg;
    tu_child_ok(fd, stuck(), "the mark is still recorded (lim above it)");
    tu_child_ok(fd, middle_state() == 1, "the popped part reads as zero");
    p = vstack_alloc(&s.st, popped_n);
    tu_child_ok(fd, p != NULL && vs_os_count(VS_OS_WIPE) == n + 1,
                "the next allocation below clears the mark first and succeeds");
    if (p)
        memset(p, 3, popped_n);
    tu_child_ok(fd, s.logs.err.count == 0, "no error message");
    tu_child_ok(fd, tu_check(s.live, s.live_n, s.seed) < 0, "the live data is intact");
}

static void child_stuck_fails(int fd, void *arg)
{
    unsigned char *p;
    int errs = s.logs.err.count;
    (void)arg;
    vs_os_fail_nth(VS_OS_WIPE, 1, EINVAL);
    p = vstack_alloc(&s.st, popped_n);
    tu_child_ok(fd, p == NULL && s.logs.err.count == errs + 1 && s.logs.err.last_err == VSTACK_ESYS,
                "when clearing fails again, the allocation fails with VSTACK_ESYS");
    tu_child_ok(fd, tf_mentions(s.logs.err.last, UNMARK, EINVAL, NULL) &&
                        tu_contains_nocase(s.logs.err.last, "fork-wipe mark"),
                "the sentence names the call and the errno text: %s", s.logs.err.last);
    tu_child_ok(fd, vstack_avma(&s.st) == av, "avma unchanged");
    p = vstack_alloc(&s.st, popped_n);
    tu_child_ok(fd, p != NULL, "the next try clears the mark and allocates");
    if (p)
        memset(p, 4, popped_n);
    tu_child_ok(fd, tu_check(s.live, s.live_n, s.seed) < 0, "the live data is intact");
}

/* From a child: fork a grandchild that reports into the same pipe. */
static void fork_into(int fd, child_fn fn, const char *what)
{
    int status = 0;
    pid_t pid = fork();
    if (pid == 0) {
        fn(fd, NULL);
        tu_child_exit(0);
    }
    tu_child_ok(fd, pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
                "%s: the grandchild exited with status 0", what);
}

static void child_einval(int fd, void *arg)
{
    unsigned long n;
    /* This process got zeros there: write the pattern again. */
    unsigned char *p = vstack_alloc(&s.st, popped_n);
    (void)arg;
    if (p != popped)
        _exit(3);
    tu_fill(popped, popped_n, 92);
    vstack_set_avma(&s.st, av);
    tf_fail(VS_OS_WIPE, 1, EINVAL);
    fork_into(fd, child_copied, "a mark refused with EINVAL");
    n = vs_os_count(VS_OS_WIPE);
    tu_child_ok(fd, n == 1, "the mark was tried once (%lu)", n);
    fork_into(fd, child_copied, "the fork after it");
    tu_child_ok(fd, vs_os_count(VS_OS_WIPE) == n, "fork-wipe is off for the process: no more marks");
}

/* ---- the cases -------------------------------------------------------------- */

static void mark_fails(void)
{
    const char *what = "mark refused (ENOMEM)";
    make();
    vs_os_fail_nth(VS_OS_WIPE, 1, ENOMEM);
    tu_in_child(child_copied, NULL, what);
    is_int(vs_os_count(VS_OS_WIPE), 2, "%s: the mark is undone before fork, no unmark after it", what);
    ok(s.st.lim <= (vstack_sp)popped, "%s: nothing recorded in the parent", what);
    is_int(middle_state(), 0, "%s: the parent's popped part is untouched", what);
    is_int(s.logs.warn.count + s.logs.err.count, 0, "%s: no message (nobody to tell inside fork)", what);
    tu_in_child(child_wiped, NULL, "the next fork");
    is_int(vs_os_count(VS_OS_WIPE), 4, "the next fork marks and unmarks");
    tf_intact(&s, what);
    tf_usable(&s, 8 * MB, what);
    tf_close(&s, maps0, what);
}

/* Bytes of the stack's mappings marked wipe-on-fork, or -1 without smaps. */
static long long marked_bytes(void)
{
    struct tu_smaps sm;
    if (tu_smaps_range(tu_bot(&s.st), vstack_top(&s.st), &sm) != 0)
        return -1;
    return (long long)sm.wf_bytes;
}

static void child_new_data(int fd, void *arg)
{
    (void)arg;
    tu_child_ok(fd, tu_check(popped, popped_n, 94) < 0, "what the parent wrote there since is intact");
    tu_child_ok(fd, tu_check(s.live, s.live_n, s.seed) < 0, "the live data is intact");
}

/* The mark fails after marking some or all of the range (a split refused
 * at the map count limit): it is undone before fork, the child gets a plain
 * copy, and nothing stays marked unrecorded in the parent.  When the undo
 * fails too, the range is recorded and cleared after fork as usual.  Either
 * way, what the parent writes there next reaches the next child. */
static void mark_fails_partway(int undo_fails)
{
    const char *what = undo_fails ? "mark fails partway, undo fails" : "mark fails partway";
    unsigned char *p;
    make();
    vs_os_fail_nth_late(VS_OS_WIPE, 1, ENOMEM);
    if (undo_fails)
        vs_os_fail_nth(VS_OS_WIPE, 2, EAGAIN);
    tu_in_child(undo_fails ? child_wiped : child_copied, NULL, what);
    is_int(vs_os_count(VS_OS_WIPE), undo_fails ? 3 : 2,
           undo_fails ? "%s: marked, the undo tried, unmarked after fork" : "%s: marked and undone before fork", what);
    ok(!stuck(), "%s: nothing stays recorded", what);
    if (marked_bytes() >= 0)
        is_int((int)marked_bytes(), 0, "%s: nothing carries wipe-on-fork", what);
    else
        skip(1, "%s", tu_proc_why());
    is_int(middle_state(), 0, "%s: the parent's popped part is untouched", what);
    p = vstack_alloc(&s.st, popped_n);
    if (p != popped)
        bail_out("%s: the popped part was not handed out again", what);
    tu_fill(popped, popped_n, 94);
    tu_in_child(child_new_data, NULL, what);
    vstack_set_avma(&s.st, av);
    is_int(s.logs.warn.count + s.logs.err.count, 0, "%s: no message", what);
    tf_intact(&s, what);
    tf_usable(&s, 8 * MB, what);
    tf_close(&s, maps0, what);
}

static void mark_einval(void)
{
    make();
    tu_in_child(child_einval, NULL, "EINVAL turns fork-wipe off");
    is_int(vs_os_count(VS_OS_WIPE), 2, "EINVAL in a child: this process marked and unmarked");
    tu_in_child(child_wiped, NULL, "EINVAL in a child: this process");
    is_int(vs_os_count(VS_OS_WIPE), 4, "EINVAL in a child: this process still has fork-wipe");
    tf_close(&s, maps0, "mark refused with EINVAL");
}

static void unmark_fails(void)
{
    const char *what = "unmark fails";
    unsigned char *p;
    make();
    vs_os_fail_nth(VS_OS_WIPE, 2, EINVAL);
    tu_in_child(child_stuck_clears, NULL, "unmark fails, in the child");
    is_int(vs_os_count(VS_OS_WIPE), 2, "%s: marked, then the unmark was tried", what);
    ok(stuck(), "%s: the parent keeps the range recorded (lim above it)", what);
    is_int(middle_state(), 0, "%s: the parent's popped part is untouched", what);
    p = vstack_alloc(&s.st, 1 * KB);
    ok(p != NULL && vs_os_count(VS_OS_WIPE) == 2, "%s: an allocation above the range needs no call", what);
    vstack_set_avma(&s.st, av);
    p = vstack_alloc(&s.st, popped_n);
    ok(p != NULL && vs_os_count(VS_OS_WIPE) == 3, "%s: the next allocation below clears it first", what);
    if (p)
        memset(p, 5, popped_n);
    vstack_set_avma(&s.st, av);
    is_int(s.logs.err.count, 0, "%s: no error message", what);

    tf_fail(VS_OS_WIPE, 2, EINVAL);
    tu_in_child(child_stuck_fails, NULL, "unmark fails, in the child, clearing fails");
    vs_os_fail_nth(VS_OS_WIPE, 1, EINVAL);
    p = vstack_alloc(&s.st, popped_n);
    ok(p == NULL && s.logs.err.count == 1 && s.logs.err.last_err == VSTACK_ESYS,
       "%s: when clearing fails in the parent, the allocation fails with VSTACK_ESYS", what);
    tf_names(s.logs.err.last, UNMARK, EINVAL, NULL, what);
    ok(vstack_avma(&s.st) == av, "%s: avma unchanged", what);
    tf_intact(&s, what);
    tf_consistent(&s.st, what);
    p = vstack_alloc(&s.st, popped_n);
    ok(p != NULL, "%s: the next try clears the mark and allocates", what);
    vstack_set_avma(&s.st, av);
    tu_in_child(child_wiped, NULL, "unmark fails, then a fork");
    tf_usable(&s, 8 * MB, what);
    tf_close(&s, maps0, what);
}

/* A reset while the mark is stuck gives back part of the marked range:
 * what stays committed stays recorded, and is cleared before use. */
static void reset_while_stuck(void)
{
    const char *what = "a reset while the mark is stuck";
    unsigned char *p;
    tf_open(&s, 3 * MB, 64 * MB, 0, 1 * MB + 2 * KB, 93);
    av = vstack_avma(&s.st);
    popped = tu_alloc_filled(&s.st, popped_n, 92);
    vstack_set_avma(&s.st, av);
    tf_fail(VS_OS_WIPE, 2, EINVAL);
    tu_in_child(child_wiped, NULL, what);
    ok(stuck(), "%s: the range is recorded", what);
    is_int(vstack_reset(&s.st), VSTACK_OK, "%s: the reset succeeds", what);
    is_int(tu_stats(&s.st).committed, 3 * MB, "%s: down to parisize, inside the marked range", what);
    ok(stuck(), "%s: the part still committed stays recorded", what);
    p = vstack_alloc(&s.st, popped_n / 2);
    ok(p != NULL && vs_os_count(VS_OS_WIPE) == 3, "%s: the next allocation below clears it first", what);
    if (p)
        memset(p, 6, popped_n / 2);
    vstack_set_avma(&s.st, av);
    ok(!stuck(), "%s: nothing stays recorded", what);
    tf_intact(&s, what);
    tf_usable(&s, 8 * MB, what);
    tf_close(&s, maps0, what);
}

static void block_fails(void)
{
    const char *what = "signal block fails in the fork hook";
    make();
    vs_os_fail_nth(VS_OS_SIGBLOCK, 1, EINVAL);
    tu_in_child(child_copied, NULL, what);
    is_int(vs_os_count(VS_OS_WIPE), 0, "%s: nothing was marked", what);
    tf_mask_same(&mask0, what);
    tu_in_child(child_wiped, NULL, "the next fork");
    tf_intact(&s, what);
    tf_close(&s, maps0, what);
}

static void restore_fails(void)
{
    const char *what = "signal restore fails in the fork hook";
    make();
    vs_os_fail_nth(VS_OS_SIGRESTORE, 1, EINVAL);
    tu_in_child(child_mask, NULL, what);
    is_int(vs_os_count(VS_OS_WIPE), 2, "%s: marked and unmarked", what);
    tf_mask_same(&mask0, what);
    ok(!stuck(), "%s: nothing stays recorded", what);
    tf_intact(&s, what);
    tf_usable(&s, 8 * MB, what);
    tf_close(&s, maps0, what);
}

int main(void)
{
    tu_require_mmap();
    tu_require(tu_lacks_wipe_on_fork());
    maps0 = tu_maps_baseline();
    tf_mask(&mask0);
    mark_fails();
    mark_fails_partway(0);
    mark_fails_partway(1);
    mark_einval();
    unmark_fails();
    reset_while_stuck();
    block_fails();
    restore_fails();
    vs_os_fail_reset();
    return done_testing();
}
