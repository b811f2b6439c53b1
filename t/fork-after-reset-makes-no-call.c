/* SPDX-License-Identifier: MIT */
/* fork-after-reset-makes-no-call: vstack_reset marks the touched free part
 * of the stack for fork-wipe at once, and the mark stays across forks, so a
 * fork after a reset makes no call of the library at all.  The fork
 * contract holds as for every fork: in the child the free part reads as
 * zero and every live byte is intact, in a grandchild too, and the parent's
 * memory is unchanged.  The first allocation below the mark clears it, and
 * what it hands out reaches later children intact.  A pop after the reset
 * widens the free part; the next fork marks that part for itself only.  A
 * stack reset by another thread is kept marked the same way, and that
 * thread's later allocations reach the child.  A mark that fails through
 * the seam costs only the mark: reset succeeds quietly and forks mark at
 * fork time; one that fails partway is undone at once, or, when that
 * fails too, recorded as kept, so nothing stays marked unrecorded; a clear that fails fails the allocation with the call's name,
 * or the binding of vstack_bind_avma, and the stack stays usable.  A
 * system without the advice (EINVAL, ENOSYS) turns fork-wipe off for the
 * process: later resets make no call. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vstack.h>

#include "faults.h"
#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)
#define UNMARK "MADV_KEEPONFORK|INHERIT_COPY"

static size_t ps;
static int vg; /* under memcheck, whose rules forbid reading popped memory */

/* A stack after a computation and a reset: `live` (258 KiB, so that avma
 * is inside a page) at the top, `extra` (128 KiB) below it, and 16 MiB of
 * work written with 0xee and popped; the reset gave back all but parisize
 * (1 MiB).  [lo, hi) is the touched free part: from the bottom of what is
 * committed up to the page that holds avma. */
struct after {
    struct tf_stack s;
    unsigned char *extra;
    uintptr_t lo, hi;
};

static vstack_sp page_down(vstack_sp a) { return a & ~(vstack_sp)(ps - 1); }

static void make_after(struct after *a, unsigned flags, uint64_t seed, int reset)
{
    tf_open(&a->s, 1 * MB, 64 * MB, flags, 258 * KB, seed);
    a->extra = tu_alloc_filled(&a->s.st, 128 * KB, seed + 1);
    vstack_sp av = vstack_avma(&a->s.st);
    unsigned char *work = vstack_alloc(&a->s.st, 16 * MB);
    if (!work)
        bail_out("cannot push 16 MiB");
    memset(work, 0xee, 16 * MB);
    vstack_set_avma(&a->s.st, av);
    vs_os_fail_reset();
    if (reset && vstack_reset(&a->s.st) != VSTACK_OK)
        bail_out("vstack_reset failed: %s", vstack_last_error(&a->s.st));
    a->lo = tu_bot(&a->s.st);
    a->hi = page_down(vstack_avma(&a->s.st));
}

/* Pages of [lo, hi) that read as zero, and that read as 0xee. */
static void count_free(uintptr_t lo, uintptr_t hi, size_t *zero, size_t *kept)
{
    *zero = *kept = 0;
    for (uintptr_t p = lo; p + ps <= hi; p += ps) {
        const unsigned char *b = (const unsigned char *)p;
        *zero += b[0] == 0 && b[ps - 1] == 0;
        *kept += b[0] == 0xee && b[ps - 1] == 0xee;
    }
}

static unsigned long long wf_bytes(uintptr_t lo, uintptr_t hi)
{
    struct tu_smaps sm;
    return tu_smaps_range(lo, hi, &sm) == 0 ? sm.wf_bytes : ~0ULL;
}

static int intact(const struct after *a)
{
    return tu_check(a->s.live, a->s.live_n, a->s.seed) < 0 && tu_check(a->extra, 128 * KB, a->s.seed + 1) < 0;
}

/* Fork; does fn(arg) hold in the child?  (It returns 1 or 0, the child's
 * exit status; a child that crashes gives -1.) */
static int child_sees(int (*fn)(void *), void *arg)
{
    return tu_fork_wait(fn, arg, NULL) == 1;
}

/* ---- the forking thread's own stack ------------------------------------------ */

struct grown {
    const struct after *a;
    unsigned char *p;
    size_t n;
    uint64_t seed;
};

static int grown_intact(void *arg)
{
    const struct grown *g = arg;
    return intact(g->a) && tu_check(g->p, g->n, g->seed) < 0;
}

static void child_after_reset(int fd, void *arg)
{
    struct after *a = arg;
    size_t zero, kept;
    tu_child_ok(fd, intact(a), "child: every live byte is intact");
    if (!vg) {
        count_free(a->lo, a->hi, &zero, &kept);
        tu_child_ok(fd, zero == (a->hi - a->lo) / ps, "child: the free part reads as zero (%zu of %zu pages)",
                    zero, (size_t)(a->hi - a->lo) / ps);
    }
    /* The child inherits the mark: its first allocation below clears it. */
    unsigned long n = vs_os_count(VS_OS_WIPE);
    struct grown g = {a, vstack_alloc(&a->s.st, 64 * KB), 64 * KB, 77};
    tu_child_ok(fd, g.p != NULL && vs_os_count(VS_OS_WIPE) == n + 1,
                "child: its first allocation below the mark clears it (one call)");
    if (!g.p)
        return;
    tu_fill(g.p, g.n, g.seed);
    tu_child_ok(fd, child_sees(grown_intact, &g), "grandchild: the child's new data and the live data are intact");
}

struct popped {
    const struct after *a;
    uintptr_t hi; /* the page that holds avma since the pop */
};

static int child_after_pop(void *arg)
{
    const struct popped *pp = arg;
    size_t zero, kept;
    count_free(pp->a->lo, pp->hi, &zero, &kept);
    return tu_check(pp->a->s.live, pp->a->s.live_n, pp->a->s.seed) < 0 && zero == (pp->hi - pp->a->lo) / ps;
}

static void own_stack(void)
{
    struct after a;
    size_t zero, kept;
    long maps0 = tu_maps_baseline();

    make_after(&a, 0, 11, 0);
    is_int(vstack_reset(&a.s.st), VSTACK_OK, "reset after a computation of 16 MiB");
    a.lo = tu_bot(&a.s.st);
    a.hi = page_down(vstack_avma(&a.s.st));
    is_int(vs_os_count(VS_OS_WIPE), 1, "reset marks the free part: one call");
    if (tu_have_proc()) {
        ok(wf_bytes(a.lo, a.hi) == a.hi - a.lo, "smaps: the whole free part carries wipe-on-fork (%zu KiB)",
           (size_t)(a.hi - a.lo) / KB);
        ok(wf_bytes(a.hi, vstack_top(&a.s.st)) == 0, "smaps: nothing in use carries it");
    } else {
        skip(2, "%s", tu_proc_why());
    }

    vs_os_fail_reset();
    for (int i = 0; i < 10; i++)
        tu_fork_wait(NULL, NULL, NULL);
    is_int(vs_os_count(VS_OS_WIPE), 0, "ten forks after the reset: no madvise call");
    is_int(vs_os_count(VS_OS_SIGBLOCK), 0, "ten forks after the reset: no signal mask call");

    tu_in_child(child_after_reset, &a, "a child after the reset");
    ok(intact(&a), "the parent's live data is unchanged");
    if (vg) {
        skip(1, "reading popped memory is an error under memcheck");
    } else {
        count_free(a.lo, a.hi, &zero, &kept);
        is_int(kept, (a.hi - a.lo) / ps, "the parent's popped data is unchanged by fork");
    }

    /* The parent allocates below the mark: one call clears it, and what it
     * writes there reaches the next child. */
    vs_os_fail_reset();
    struct grown g = {&a, vstack_alloc(&a.s.st, 64 * KB), 64 * KB, 78};
    ok(g.p != NULL && vs_os_count(VS_OS_WIPE) == 1, "the first allocation below the mark clears it (one call)");
    if (!g.p)
        bail_out("cannot allocate below the mark");
    if (tu_have_proc())
        ok(wf_bytes(a.lo, vstack_top(&a.s.st)) == 0, "smaps: no part of the stack carries wipe-on-fork any more");
    else
        skip(1, "%s", tu_proc_why());
    tu_fill(g.p, g.n, g.seed);
    ok(child_sees(grown_intact, &g), "a child sees the data allocated where the mark was");
    is_int(vs_os_count(VS_OS_WIPE), 3, "that fork marked and unmarked the rest of the free part");

    /* A reset with nothing to change marks once; a second one makes no call. */
    vstack_set_avma(&a.s.st, (vstack_sp)a.extra);
    vs_os_fail_reset();
    is_int(vstack_reset(&a.s.st), VSTACK_OK, "reset again");
    is_int(vs_os_count(VS_OS_WIPE), 1, "that reset marks the free part again: one call");
    is_int(vstack_reset(&a.s.st), VSTACK_OK, "and again");
    is_int(vs_os_count(VS_OS_WIPE), 1, "a reset that finds the mark in place makes no madvise call");

    /* A pop after the reset: the next fork marks only what the pop freed. */
    vstack_set_avma(&a.s.st, (vstack_sp)a.s.live);
    uintptr_t widened = page_down(vstack_avma(&a.s.st));
    vs_os_fail_reset();
    if (vg) {
        tu_fork_wait(NULL, NULL, NULL);
        skip(1, "reading popped memory is an error under memcheck");
    } else {
        memset((void *)a.hi, 0xee, (size_t)(widened - a.hi));
        struct popped pp = {&a, widened};
        ok(child_sees(child_after_pop, &pp), "a child after a pop: the live data intact, all below it zero");
    }
    is_int(vs_os_count(VS_OS_WIPE), 2, "that fork marked and unmarked the freed part only");
    if (tu_have_proc())
        ok(wf_bytes(a.lo, a.hi) == a.hi - a.lo && wf_bytes(a.hi, vstack_top(&a.s.st)) == 0,
           "smaps: the mark of the reset is still there, and nothing above it");
    else
        skip(1, "%s", tu_proc_why());
    ok(tu_check(a.s.live, a.s.live_n, a.s.seed) < 0, "the parent's live data is unchanged");
    tf_usable(&a.s, 4 * MB, "after all that");
    tf_close(&a.s, maps0, "own stack");
}

/* ---- off ----------------------------------------------------------------------- */

static void switched_off(void)
{
    struct after a;
    make_after(&a, VSTACK_NOFORKWIPE, 21, 1);
    is_int(vs_os_count(VS_OS_WIPE), 0, "VSTACK_NOFORKWIPE: reset makes no madvise call");
    if (tu_have_proc())
        ok(wf_bytes(a.lo, vstack_top(&a.s.st)) == 0, "VSTACK_NOFORKWIPE: nothing carries wipe-on-fork");
    else
        skip(1, "%s", tu_proc_why());
    vstack_destroy(&a.s.st);
}

/* ---- failures ------------------------------------------------------------------ */

/* In a child: the live data is intact, and every free page reads as zero
 * (want_zero) or kept its data.  Valgrind's copy is not looked at. */
static int free_part_is(const struct after *a, int want_zero)
{
    size_t zero, kept;
    if (!intact(a))
        return 0;
    if (vg)
        return 1;
    count_free(a->lo, a->hi, &zero, &kept);
    return (want_zero ? zero : kept) == (a->hi - a->lo) / ps;
}

static int child_reads_zero(void *arg) { return free_part_is(arg, 1); }

/* With the seam's counters just reset: the next allocation below a kept
 * mark clears it first (one call), and what it hands out reaches a child. */
static void clears_first(struct after *a, uint64_t seed, const char *what)
{
    struct grown g = {a, vstack_alloc(&a->s.st, 64 * KB), 64 * KB, seed};
    ok(g.p != NULL && vs_os_count(VS_OS_WIPE) == 1, "%s: the next allocation clears the mark first", what);
    if (tu_have_proc())
        ok(wf_bytes(a->lo, vstack_top(&a->s.st)) == 0, "%s: nothing carries wipe-on-fork then", what);
    else
        skip(1, "%s", tu_proc_why());
    if (g.p) {
        tu_fill(g.p, g.n, g.seed);
        ok(child_sees(grown_intact, &g), "%s: what it hands out reaches a child", what);
    } else {
        skip(1, "nothing allocated");
    }
}

/* The mark fails (late: after marking some or all of the range, as when a
 * split is refused at the map count limit, and reset undoes it at once, so
 * that nothing stays marked unrecorded): reset still succeeds quietly, and
 * forks mark at fork time instead. */
static void mark_fails(int late)
{
    const char *what = late ? "the mark fails partway" : "the mark fails";
    struct after a;
    long maps0 = tu_maps_baseline();
    make_after(&a, 0, late ? 33 : 31, 0);
    if (late)
        vs_os_fail_nth_late(VS_OS_WIPE, 1, ENOMEM);
    else
        vs_os_fail_nth(VS_OS_WIPE, 1, ENOMEM);
    is_int(vstack_reset(&a.s.st), VSTACK_OK, "%s: reset still succeeds", what);
    is_int(vs_os_count(VS_OS_WIPE), 2, "%s: the mark is undone at once", what);
    ok(a.s.logs.err.count == 0 && a.s.logs.warn.count == 0 && vstack_last_error_code(&a.s.st) == VSTACK_OK,
       "%s: nothing to say", what);
    a.lo = tu_bot(&a.s.st);
    a.hi = page_down(vstack_avma(&a.s.st));
    if (tu_have_proc())
        ok(wf_bytes(a.lo, vstack_top(&a.s.st)) == 0, "%s: nothing carries wipe-on-fork", what);
    else
        skip(1, "%s", tu_proc_why());
    vs_os_fail_reset();
    ok(child_sees(child_reads_zero, &a), "%s: the fork marks instead, the child reads zeros", what);
    is_int(vs_os_count(VS_OS_WIPE), 2, "%s: that fork marked and unmarked", what);
    tf_intact(&a.s, what);
    tf_close(&a.s, maps0, what);
}

/* The mark fails partway and cannot be undone either: the range is
 * recorded as kept marked all the same, the first allocation below it
 * clears it, and what that allocation hands out reaches a child. */
static void undo_fails(void)
{
    struct after a;
    long maps0 = tu_maps_baseline();
    make_after(&a, 0, 35, 0);
    vs_os_fail_nth_late(VS_OS_WIPE, 1, ENOMEM);
    vs_os_fail_nth(VS_OS_WIPE, 2, EAGAIN);
    is_int(vstack_reset(&a.s.st), VSTACK_OK, "the undo fails too: reset still succeeds");
    ok(a.s.logs.err.count == 0 && a.s.logs.warn.count == 0, "the undo fails too: nothing to say");
    a.lo = tu_bot(&a.s.st);
    a.hi = page_down(vstack_avma(&a.s.st));
    ok(a.s.st.lim >= a.hi, "the undo fails too: the range is recorded, lim above it");
    if (tu_have_proc())
        ok(wf_bytes(a.lo, vstack_top(&a.s.st)) == a.hi - a.lo, "the undo fails too: the free part is still marked");
    else
        skip(1, "%s", tu_proc_why());
    vs_os_fail_reset();
    ok(child_sees(child_reads_zero, &a) && vs_os_count(VS_OS_WIPE) == 0,
       "the undo fails too: a fork makes no call, the child reads zeros");
    clears_first(&a, 36, "the undo fails too");
    tf_usable(&a.s, 4 * MB, "the undo fails too");
    tf_close(&a.s, maps0, "the undo fails too");
}

static void clear_fails(void)
{
    struct after a;
    long maps0 = tu_maps_baseline();
    make_after(&a, 0, 41, 1);
    vs_os_fail_nth(VS_OS_WIPE, 1, ENOMEM);
    tu_logs_clear(&a.s.logs);
    unsigned char *p = vstack_alloc(&a.s.st, 64 * KB);
    ok(p == NULL && a.s.logs.err.count == 1 && a.s.logs.err.last_err == tf_code(ENOMEM),
       "the clear fails: the allocation fails with %s", tf_code_name(tf_code(ENOMEM)));
    tf_names(a.s.logs.err.last, UNMARK, ENOMEM, NULL, "the clear fails");
    ok(tu_contains_nocase(a.s.logs.err.last, "fork-wipe mark"), "the clear fails: the sentence says what it was for");
    tf_consistent(&a.s.st, "the clear fails");
    tf_intact(&a.s, "the clear fails");
    /* The mark is still there, and still recorded. */
    vs_os_fail_reset();
    ok(child_sees(child_reads_zero, &a), "the clear failed: a child reads zeros and the live data");
    is_int(vs_os_count(VS_OS_WIPE), 0, "the clear failed: the mark is still kept, the fork makes no call");
    clears_first(&a, 42, "the clear failed");
    tf_usable(&a.s, 4 * MB, "the clear failed");
    tf_close(&a.s, maps0, "the clear fails");
}

/* Binding clears a kept mark first (the embedder writes below avma
 * without a call); when that fails, nothing is bound and nothing changes. */
static void bind_clear_fails(void)
{
    struct after a;
    long maps0 = tu_maps_baseline();
    make_after(&a, 0, 43, 1);
    vstack_sp var = vstack_avma(&a.s.st), was = var;
    vs_os_fail_nth(VS_OS_WIPE, 1, ENOMEM);
    tu_logs_clear(&a.s.logs);
    is_int(vstack_bind_avma(&a.s.st, &var), tf_code(ENOMEM), "binding, the clear fails: %s",
           tf_code_name(tf_code(ENOMEM)));
    tf_names(vstack_last_error(&a.s.st), UNMARK, ENOMEM, NULL, "binding, the clear fails");
    ok(strstr(vstack_last_error(&a.s.st), "vstack_bind_avma") && tu_contains_nocase(vstack_last_error(&a.s.st), "fork-wipe mark"),
       "binding, the clear fails: the sentence names the call and the mark");
    is_int(a.s.logs.err.count, 0, "binding, the clear fails: no error handler call");
    tf_consistent(&a.s.st, "binding, the clear fails");
    vs_os_fail_reset();
    ok(child_sees(child_reads_zero, &a) && vs_os_count(VS_OS_WIPE) == 0,
       "binding failed: the mark is still kept, a child reads zeros, the fork makes no call");
    clears_first(&a, 44, "binding failed");
    ok(var == was, "binding failed: the stack is not bound, the variable is untouched");
    tf_usable(&a.s, 4 * MB, "binding failed");
    tf_close(&a.s, maps0, "binding, the clear fails");
}

/* A second reset finds nothing to give back: its only signal mask calls
 * are the mark's. */
static void make_second_reset(struct after *a, uint64_t seed)
{
    make_after(a, 0, seed, 1);
    vstack_sp av = vstack_avma(&a->s.st);
    if (!vstack_alloc(&a->s.st, 4096))
        bail_out("cannot allocate");
    vstack_set_avma(&a->s.st, av);
    vs_os_fail_reset();
}

static void sigmask_fails(void)
{
    struct after a;
    sigset_t before;
    long maps0 = tu_maps_baseline();

    make_second_reset(&a, 51);
    tf_mask(&before);
    vs_os_fail_nth(VS_OS_SIGBLOCK, 1, EINVAL);
    tu_logs_clear(&a.s.logs);
    is_int(vstack_reset(&a.s.st), VSTACK_OK, "blocking signals for the mark fails: reset still succeeds");
    ok(a.s.logs.err.count == 0 && a.s.logs.warn.count == 0, "blocking fails: nothing to say");
    is_int(vs_os_count(VS_OS_WIPE), 0, "blocking fails: no mark");
    tf_mask_same(&before, "blocking fails");
    vs_os_fail_reset();
    ok(child_sees(child_reads_zero, &a), "blocking failed: the fork marks instead, the child reads zeros");
    tf_close(&a.s, maps0, "blocking fails");

    make_second_reset(&a, 52);
    vs_os_fail_nth(VS_OS_SIGRESTORE, 1, EINVAL);
    tu_logs_clear(&a.s.logs);
    is_int(vstack_reset(&a.s.st), VSTACK_OK, "restoring the mask after the mark fails: reset still succeeds");
    ok(a.s.logs.warn.count == 1 && tf_mentions(a.s.logs.warn.last, "pthread_sigmask (restore)", EINVAL, NULL),
       "restoring fails: one warning that names the call");
    tf_mask_same(&before, "restoring fails");
    is_int(vs_os_count(VS_OS_WIPE), 1, "restoring fails: the mark was made");
    vs_os_fail_reset();
    ok(child_sees(child_reads_zero, &a) && vs_os_count(VS_OS_WIPE) == 0,
       "restoring failed: the mark is kept, a child reads zeros, the fork makes no call");
    tf_intact(&a.s, "restoring fails");
    tf_close(&a.s, maps0, "restoring fails");
}

/* EINVAL or ENOSYS says the system has no such advice: fork-wipe goes off
 * for the whole process, so this runs in a child.  A later reset marks
 * nothing, and makes no call. */
static int popped_copied(void *arg) { return free_part_is(arg, 0); }

static void unavailable_in_child(int fd, void *arg)
{
    const int err = *(const int *)arg;
    const char *name = err == EINVAL ? "EINVAL" : "ENOSYS";
    struct after a;
    make_after(&a, 0, 61, 0);
    vs_os_fail_nth(VS_OS_WIPE, 1, err);
    tu_child_ok(fd, vstack_reset(&a.s.st) == VSTACK_OK, "%s: reset still succeeds", name);
    a.lo = tu_bot(&a.s.st);
    a.hi = page_down(vstack_avma(&a.s.st));
    unsigned long n = vs_os_count(VS_OS_WIPE);
    tu_child_ok(fd, child_sees(popped_copied, &a), "%s: fork-wipe is off, a child gets the popped data", name);
    tu_child_ok(fd, vs_os_count(VS_OS_WIPE) == n, "%s: that fork made no madvise call", name);
    tu_child_ok(fd, vstack_alloc(&a.s.st, 256 * KB) != NULL, "%s: the stack allocates below", name);
    tu_child_ok(fd, vstack_reset(&a.s.st) == VSTACK_OK && vs_os_count(VS_OS_WIPE) == n,
                "%s: a later reset succeeds and makes no madvise call", name);
    vstack_destroy(&a.s.st);
}

/* ---- another thread's stack ------------------------------------------------------ */

struct other {
    struct after a;
    struct grown g;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int state; /* 0 start, 1 reset, 2 allocate, 3 allocated, 4 stop */
};

static void set_state(struct other *o, int s)
{
    pthread_mutex_lock(&o->mu);
    o->state = s;
    pthread_cond_broadcast(&o->cv);
    pthread_mutex_unlock(&o->mu);
}

static void wait_state(struct other *o, int s)
{
    pthread_mutex_lock(&o->mu);
    while (o->state < s)
        pthread_cond_wait(&o->cv, &o->mu);
    pthread_mutex_unlock(&o->mu);
}

static void *other_thread(void *arg)
{
    struct other *o = arg;
    make_after(&o->a, 0, 71, 1);
    set_state(o, 1);
    wait_state(o, 2);
    o->g.a = &o->a;
    o->g.n = 64 * KB;
    o->g.seed = 72;
    o->g.p = vstack_alloc(&o->a.s.st, o->g.n);
    if (o->g.p)
        tu_fill(o->g.p, o->g.n, o->g.seed);
    set_state(o, 3);
    wait_state(o, 4);
    vstack_destroy(&o->a.s.st);
    return NULL;
}

static void other_threads_stack(void)
{
    static struct other o = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    pthread_t th;
    if (pthread_create(&th, NULL, other_thread, &o) != 0)
        bail_out("pthread_create failed");
    wait_state(&o, 1);
    vs_os_fail_reset();
    ok(child_sees(child_reads_zero, &o.a), "another thread's reset stack: the child reads zeros below avma and the live data");
    is_int(vs_os_count(VS_OS_WIPE), 0, "another thread's reset stack: the fork makes no call");
    set_state(&o, 2);
    wait_state(&o, 3);
    ok(o.g.p != NULL && child_sees(grown_intact, &o.g),
       "what that thread allocated after the reset reaches the child intact");
    set_state(&o, 4);
    pthread_join(th, NULL);
}

int main(void)
{
    tu_require_mmap();
    ps = tu_page_size();
    vg = tap_under_valgrind();
    tu_require(tu_lacks_wipe_on_fork());
    alarm(vg ? 600 : 120);
    own_stack();
    switched_off();
    mark_fails(0);
    mark_fails(1);
    undo_fails();
    clear_fails();
    bind_clear_fails();
    sigmask_fails();
    static const int einval = EINVAL, enosys = ENOSYS;
    tu_in_child(unavailable_in_child, (void *)&einval, "EINVAL turns fork-wipe off");
    tu_in_child(unavailable_in_child, (void *)&enosys, "ENOSYS turns fork-wipe off");
    other_threads_stack();
    return done_testing();
}
