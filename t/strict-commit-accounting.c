/* SPDX-License-Identifier: MIT */
/* strict-commit-accounting: under Linux's strict commit accounting
 * (vm.overcommit_memory=2, the rule Windows and Cygwin always follow) the
 * library is charged for what it commits and for nothing else.  A 64 GiB
 * reservation costs nothing; the probe lowers a parisizemax above the
 * limit to what fits, with a warning; growth past the limit fails with
 * VSTACK_ENOMEM and keeps the stack and its data; reset gives the charge
 * back; a process whose stack holds 1 GiB cannot fork under a tight limit
 * and can after a reset; ntcalc reports a line the system refuses and runs
 * the next one; a pool is charged for its size, not its reservation.
 *
 * The test changes the system's commit limit for a few milliseconds, so it
 * runs only when asked to: as root, with VSTACK_STRICT_COMMIT=1, in
 * overcommit mode 2 with a limit a few GiB above Committed_AS, which is
 * what .ci/strict-commit sets up (and undoes).  Elsewhere it skips, with
 * the reason.  ntcalc is $NTCALC, or $top_builddir/calc/ntcalc.
 *
 * Committed_AS is system-wide, and other processes move it: each figure is
 * the median of ROUNDS deltas measured across one library call, checked
 * with the tolerance TOL; the process's own charge (the "ac" mappings of
 * /proc/self/smaps) is exact and checked exactly. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vstack.h>

#include "tap.h"
#include "testutil.h"

#define KiB ((long long)1 << 10)
#define MiB ((long long)1 << 20)
#define GiB ((long long)1 << 30)
/* The reservations: 64 GiB for a stack, 16 GiB for a pool (the test
 * skips where size_t has 32 bits). */
#define VSIZE ((size_t)64 << 30)
#define POOL_MAX ((size_t)16 << 30)
#define ROUNDS 5
/* Committed_AS deltas: the median of ROUNDS, each across one call, moves
 * with other processes by a few MiB at most, and every failure this
 * guards against (a charged reservation, a reset or a pool shrink that
 * keeps the charge) is off by 255 MiB or more. */
#define TOL (32 * MiB)
/* What the kernel lets a mapping commit, against what /proc/meminfo says
 * is left: the check reads a per-CPU counter that lags the exact sum by up
 * to (CPUs x batch), 48 MiB per CPU on a 24 GiB machine in mode 2, and
 * keeps user_reserve_kbytes (about 100 MiB) from a large process. */
#define KTOL (256 * MiB)

static int near(long long got, long long want, long long tol) { return got >= want - tol && got <= want + tol; }

static const char kbytes_file[] = "/proc/sys/vm/overcommit_kbytes";
static long long stage_kbytes = -1; /* the limit the stage set, put back after each tight moment */
static int tightened;

/* ---- /proc/meminfo and the limit ------------------------------------------ */

struct commit {
    long long limit, committed; /* bytes */
};

static struct commit commit_now(void)
{
    struct commit c = {-1, -1};
    char line[256];
    long long kb;
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return c;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "CommitLimit: %lld kB", &kb) == 1)
            c.limit = kb * KiB;
        else if (sscanf(line, "Committed_AS: %lld kB", &kb) == 1)
            c.committed = kb * KiB;
    }
    fclose(f);
    return c;
}

static long long committed(void) { return commit_now().committed; }

/* What is left under the limit. */
static long long headroom(void)
{
    struct commit c = commit_now();
    return c.limit - c.committed;
}

/* The same without the passing charges of other processes (a trial
 * mapping of a few GiB lives for microseconds): the most left in 5
 * samples over about 4 ms. */
static long long headroom_steady(void)
{
    long long best = headroom();
    for (int i = 1; i < 5; i++) {
        usleep(1000);
        long long h = headroom();
        if (h > best)
            best = h;
    }
    return best;
}

static long long read_kbytes(void)
{
    long long kb = -1;
    FILE *f = fopen(kbytes_file, "r");
    if (f) {
        if (fscanf(f, "%lld", &kb) != 1)
            kb = -1;
        fclose(f);
    }
    return kb;
}

static int write_kbytes(long long kb)
{
    int fd = open(kbytes_file, O_WRONLY), ok = 0;
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%lld\n", kb);
    if (fd >= 0) {
        ok = write(fd, buf, (size_t)n) == n;
        ok &= close(fd) == 0;
    }
    return ok ? 0 : -1;
}

/* Put back the stage's limit; atexit too, so that bail_out leaves none of
 * this test's tight limits behind (.ci/strict-commit restores the rest). */
static void untighten(void)
{
    if (tightened && write_kbytes(stage_kbytes) != 0)
        fprintf(stderr, "# cannot put back overcommit_kbytes %lld: %s\n", stage_kbytes, strerror(errno));
    tightened = 0;
}

/* Lower the limit so that `room` bytes are left above Committed_AS.  The
 * limit is the overcommit_kbytes plus the swap, so it moves by the
 * difference.  Returns 0 once what is left is room, give or take 64 MiB,
 * -1 when Committed_AS would not hold still for three tries. */
static int tighten(long long room)
{
    for (int i = 0; i < 3; i++) {
        long long kb = stage_kbytes - (headroom_steady() - room) / KiB;
        tightened = 1;
        if (kb <= 0 || write_kbytes(kb) != 0)
            bail_out("cannot set overcommit_kbytes to %lld: %s", kb, strerror(errno));
        if (near(headroom_steady(), room, 64 * MiB))
            return 0;
    }
    return -1;
}

/* ---- measurements ----------------------------------------------------------- */

/* The commit charge of this process: the "ac" mappings of its smaps. */
static long long own_charge(void)
{
    struct tu_smaps sm;
    return tu_smaps_range(0, UINTPTR_MAX, &sm) == 0 ? (long long)sm.ac_bytes : -1;
}

/* The charge of the mappings in [lo, hi). */
static long long range_charge(uintptr_t lo, uintptr_t hi)
{
    struct tu_smaps sm;
    return tu_smaps_range(lo, hi, &sm) == 0 ? (long long)sm.ac_bytes : -1;
}

static long long stack_charge(const vstack *st) { return range_charge(tu_vbot(st), vstack_top(st)); }

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static long long median(const long long *v)
{
    long long s[ROUNDS];
    memcpy(s, v, sizeof s);
    qsort(s, ROUNDS, sizeof s[0], cmp_ll);
    return s[ROUNDS / 2];
}


static void diag_rounds(const char *what, const long long *v)
{
    diag("  %s, MiB: %.1f %.1f %.1f %.1f %.1f", what, v[0] / (double)MiB, v[1] / (double)MiB,
         v[2] / (double)MiB, v[3] / (double)MiB, v[4] / (double)MiB);
}

static double secs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the checks ----------------------------------------------------------- */

/* How Committed_AS moves across nothing at all: the noise the medians
 * filter out, for the record. */
static void noise(void)
{
    long long d[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
        long long c0 = committed();
        d[i] = committed() - c0;
    }
    diag("Committed_AS across no call at all (the noise), median %.1f MiB", median(d) / (double)MiB);
    diag_rounds("deltas", d);
}

/* A 64 GiB reservation, without the probe (which would be refused and
 * halve it), and its first allocation cost parisize: in mode 2 a charged
 * reservation could not even be made. */
static void reservation_charges_nothing(void)
{
    const size_t vsize = VSIZE, rsize = 1 * MiB;
    long long d[ROUNDS], own0 = -1, own1 = -1;
    struct vstack_stats s;
    vstack st;
    int rc = VSTACK_OK, bad_rc = VSTACK_OK;

    /* Once first, so that the table of live stacks and malloc's arena
     * exist before the process's own charge is measured. */
    if (vstack_init(&st, rsize, vsize, VSTACK_NOPROBE) == VSTACK_OK)
        vstack_destroy(&st);
    for (int i = 0; i < ROUNDS; i++) {
        if (i == ROUNDS - 1)
            own0 = own_charge();
        long long c0 = committed();
        rc = vstack_init(&st, rsize, vsize, VSTACK_NOPROBE);
        if (rc == VSTACK_OK && !vstack_alloc(&st, 16))
            rc = vstack_last_error_code(&st);
        d[i] = committed() - c0;
        if (rc != VSTACK_OK) {
            bad_rc = rc;
            continue;
        }
        if (i < ROUNDS - 1)
            vstack_destroy(&st);
    }
    if (!is_int(bad_rc, VSTACK_OK, "64 GiB reserved without the probe and a first allocation made, %d times",
                ROUNDS) || rc != VSTACK_OK)
        bail_out("cannot go on without the reservation");
    own1 = own_charge();
    s = tu_stats(&st);
    if (!ok(s.reserved == vsize && *vstack_last_error(&st) == 0, "the reservation is 64 GiB, with no warning"))
        diag("  reserved %zu, warning \"%s\"", s.reserved, vstack_last_error(&st));
    {
        long long ac = stack_charge(&st);
        if (!ok(ac == (long long)s.committed && s.committed == rsize,
                "its charged mappings (smaps \"ac\") hold %lld KiB: the committed part, parisize", ac / KiB))
            diag("  committed %zu bytes", s.committed);
    }
    if (!ok(own1 - own0 >= (long long)rsize && own1 - own0 <= (long long)rsize + 1 * MiB,
            "the process's own charge grew by %lld KiB", (own1 - own0) / KiB))
        diag("  own charge %lld before, %lld after", own0, own1);
    if (!ok(near(median(d), (long long)rsize, TOL),
            "Committed_AS grew by %.1f MiB (median of %d), parisize, tolerance %lld MiB", median(d) / (double)MiB,
            ROUNDS, TOL / MiB))
        diag_rounds("deltas", d);
    vstack_destroy(&st);
}

/* With the probe (the default), a parisizemax above the limit comes down
 * to something that fits: no more than was asked, no more than is left, at
 * least half of what is left (halving until the trial fits gives that;
 * less is needlessly small), with a warning that names both sizes.  The
 * size asked is chosen so that what is left lies midway between two
 * halvings: 1.5 times the largest one that fits.  When what is left moved
 * by more than KTOL across the init (another process), it is tried again,
 * up to 3 times. */
static void probe_halves(void)
{
    static const char what[] = "the probe lowers a parisizemax above the limit";
    const size_t step = 64 * MiB;
    struct tu_logs logs;
    vstack st;
    long long left = 0, after = 0;
    size_t fits = 0, asked = 0, granted;
    int rc = VSTACK_ENOMEM, tries = 0;

    for (tries = 1; tries <= 3; tries++) {
        left = headroom_steady();
        if (left < 2 * GiB) {
            char why[64];
            snprintf(why, sizeof why, "only %lld MiB left under the limit", left / MiB);
            skip_check(why, "%s", what);
            return;
        }
        fits = (size_t)(left * 2 / 3) & ~(step - 1);
        for (asked = fits; asked < 8 * fits || (long long)asked <= commit_now().limit;)
            asked *= 2;
        tu_capture_defaults(&logs);
        rc = vstack_init(&st, 1 * MiB, asked, 0);
        vstack_set_default_handlers(NULL, NULL, NULL);
        after = headroom_steady();
        if (rc != VSTACK_OK || near(after, left, KTOL) || tries == 3)
            break;
        vstack_destroy(&st);
    }
    if (!is_int(rc, VSTACK_OK, "parisizemax %zu MiB, above the limit, with the probe: init succeeds", asked >> 20))
        diag("  %s", vstack_last_error(&st));
    if (rc != VSTACK_OK)
        return;
    granted = tu_stats(&st).reserved;
    diag("asked %zu MiB with %lld MiB left (%lld MiB after init, try %d): granted %zu MiB", asked >> 20,
         left / MiB, after / MiB, tries, granted >> 20);
    ok(granted <= asked, "granted %zu MiB, no more than asked", granted >> 20);
    ok((long long)granted <= left + KTOL, "granted no more than what is left (%lld MiB, give or take %lld)",
       left / MiB, KTOL / MiB);
    {
        void *p = mmap(NULL, granted, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        int e = p == MAP_FAILED ? errno : 0;
        if (!ok(p != MAP_FAILED, "a read/write mapping of the granted size fits under the limit"))
            diag("  mmap of %zu bytes: %s", granted, strerror(e));
        if (p != MAP_FAILED && munmap(p, granted) != 0)
            bail_out("munmap of the trial mapping: %s", strerror(errno));
    }
    if (!ok(2 * (long long)granted > left - KTOL,
            "granted more than half of what is left: not needlessly small (2 x %zu > %lld - %lld MiB)",
            granted >> 20, left / MiB, KTOL / MiB))
        diag("  halving until the trial fits grants %zu MiB here", fits >> 20);
    {
        const char *w = vstack_last_error(&st);
        if (!ok(logs.warn.count == 1 && strcmp(logs.warn.last, w) == 0 && tu_mentions_size(w, asked) &&
                    tu_mentions_size(w, granted),
                "one warning, in vstack_last_error too, naming both sizes"))
            tu_logs_diag(&logs);
        diag("  \"%s\"", w);
    }
    vstack_destroy(&st);
}

/* Growth past the limit: VSTACK_ENOMEM from vstack_grow (no handler
 * called), or through the error handler from vstack_alloc; either way the
 * stack keeps its size and its data, hands out what is committed, and
 * resets. */
static void growth_refused(int through_alloc)
{
    const char *how = through_alloc ? "vstack_alloc" : "vstack_grow";
    const size_t data = 16 * MiB, room = 32 * MiB;
    struct tu_logs logs;
    struct vstack_stats s0, s1;
    vstack st;
    unsigned char *p;
    int rc;

    if (vstack_init(&st, 1 * MiB, VSIZE, VSTACK_NOPROBE) != VSTACK_OK)
        bail_out("vstack_init(1 MiB, 64 GiB): %s", vstack_last_error(&st));
    tu_capture_stack(&st, &logs);
    if (vstack_grow(&st, room) != VSTACK_OK || !(p = vstack_alloc(&st, data)))
        bail_out("cannot commit %zu MiB: %s", room >> 20, vstack_last_error(&st));
    tu_fill(p, data, 41);
    s0 = tu_stats(&st);
    size_t big = ((size_t)headroom_steady() + 1 * GiB) & ~(size_t)(MiB - 1);
    vstack_sp av = vstack_avma(&st);
    if (through_alloc) {
        void *q = vstack_alloc(&st, big);
        ok(q == NULL && logs.err.count == 1 && logs.err.last_err == VSTACK_ENOMEM,
           "%s of %zu MiB, 1 GiB past the limit: NULL, the handler got VSTACK_ENOMEM", how, big >> 20);
        diag("  \"%s\"", logs.err.last);
    } else {
        rc = vstack_grow(&st, big);
        is_int(rc, VSTACK_ENOMEM, "%s to %zu MiB, 1 GiB past the limit: VSTACK_ENOMEM", how, big >> 20);
        ok(vstack_last_error_code(&st) == VSTACK_ENOMEM && *vstack_last_error(&st) && logs.err.count == 0,
           "%s: the sentence is in vstack_last_error; no handler called", how);
        diag("  \"%s\"", vstack_last_error(&st));
    }
    s1 = tu_stats(&st);
    ok(s1.committed == s0.committed && vstack_avma(&st) == av, "%s refused: %zu MiB still committed, avma unmoved",
       how, s1.committed >> 20);
    ok(tu_check(p, data, 41) < 0, "%s refused: the %zu MiB of data are intact", how, data >> 20);
    {
        size_t more = s1.committed - s1.used;
        unsigned char *q = vstack_alloc(&st, more);
        if (q)
            tu_fill(q, more, 42);
        ok(q && tu_check(q, more, 42) < 0 && tu_check(p, data, 41) < 0,
           "%s refused: the %zu MiB left of what is committed are handed out", how, more >> 20);
        vstack_set_avma(&st, (vstack_sp)p);
    }
    ok(vstack_reset(&st) == VSTACK_OK && tu_stats(&st).committed == data && tu_check(p, data, 41) < 0,
       "%s refused: reset gives back all but the data, which stay", how);
    vstack_destroy(&st);
}

/* Write to the first and the last page of [lo, hi): a mapping that was
 * never written to gives its charge back even to mprotect(PROT_NONE),
 * which would hide a decommit that forgets the charge. */
static void touch_ends(uintptr_t lo, uintptr_t hi)
{
    *(volatile char *)lo = 1;
    *(volatile char *)(hi - 1) = 1;
}

/* Committing 1 GiB charges 1 GiB, and reset gives it back. */
static void reset_returns_charge(void)
{
    const size_t rsize = 1 * MiB, big = (size_t)1 * GiB;
    long long up[ROUNDS], down[ROUNDS], ac_grown = -1, ac_reset = -1;
    int bad = 0;
    vstack st;

    if (vstack_init(&st, rsize, VSIZE, VSTACK_NOPROBE) != VSTACK_OK)
        bail_out("vstack_init(1 MiB, 64 GiB): %s", vstack_last_error(&st));
    for (int i = 0; i < ROUNDS; i++) {
        long long c0 = committed();
        bad |= vstack_grow(&st, big) != VSTACK_OK;
        up[i] = committed() - c0;
        touch_ends(tu_bot(&st), vstack_top(&st));
        if (i == 0)
            ac_grown = stack_charge(&st);
        c0 = committed();
        bad |= vstack_reset(&st) != VSTACK_OK;
        down[i] = c0 - committed();
    }
    ac_reset = stack_charge(&st);
    is_int(bad, 0, "1 MiB to 1 GiB committed, written to, and reset, %d times", ROUNDS);
    ok(ac_grown == (long long)big && ac_reset == (long long)rsize,
       "the stack's charged mappings: %lld MiB grown, %lld KiB after reset", ac_grown / MiB, ac_reset / KiB);
    if (!ok(near(median(up), (long long)(big - rsize), TOL), "growth by 1023 MiB: Committed_AS +%.1f MiB (median)",
            median(up) / (double)MiB))
        diag_rounds("deltas", up);
    if (!ok(near(median(down), (long long)(big - rsize), TOL), "reset: Committed_AS -%.1f MiB (median)",
            median(down) / (double)MiB))
        diag_rounds("deltas", down);
    vstack_destroy(&st);
}

/* A pool reserving 16 GiB is charged for the 256 MiB it commits. */
static void pool_charges_its_size(void)
{
    const size_t minsize = 1 * MiB, maxsize = POOL_MAX, size = 256 * MiB;
    long long up[ROUNDS], down[ROUNDS], ac_grown = -1, ac_shrunk = -1;
    struct vstack_pool_stats s;
    vstack_pool p;
    int bad = 0;

    /* Without the probe, which would find 16 GiB too much and halve it. */
    if (vstack_pool_init(&p, minsize, maxsize, VSTACK_NOPROBE) != VSTACK_OK)
        bail_out("vstack_pool_init(1 MiB, 16 GiB): %s", vstack_pool_last_error(&p));
    vstack_pool_get_stats(&p, &s);
    uintptr_t base = (uintptr_t)vstack_pool_base(&p);
    ok(s.reserved == maxsize, "a pool reserves 16 GiB (%zu MiB)", s.reserved >> 20);
    for (int i = 0; i < ROUNDS; i++) {
        long long c0 = committed();
        bad |= vstack_pool_resize(&p, size) != VSTACK_OK;
        up[i] = committed() - c0;
        touch_ends(base, base + vstack_pool_size(&p));
        if (i == 0)
            ac_grown = range_charge(base, base + s.reserved);
        c0 = committed();
        bad |= vstack_pool_resize(&p, 0) != VSTACK_OK;
        down[i] = c0 - committed();
    }
    ac_shrunk = range_charge(base, base + s.reserved);
    is_int(bad, 0, "resized to 256 MiB, written to, and back to 1 MiB, %d times", ROUNDS);
    ok(ac_grown == (long long)size && ac_shrunk == (long long)minsize,
       "the pool's charged mappings: %lld MiB at 256 MiB, %lld KiB at 1 MiB", ac_grown / MiB, ac_shrunk / KiB);
    if (!ok(near(median(up), (long long)(size - minsize), TOL),
            "resize to 256 MiB: Committed_AS +%.1f MiB (median), not 16 GiB", median(up) / (double)MiB))
        diag_rounds("deltas", up);
    if (!ok(near(median(down), (long long)(size - minsize), TOL), "resize down: Committed_AS -%.1f MiB (median)",
            median(down) / (double)MiB))
        diag_rounds("deltas", down);
    vstack_pool_destroy(&p);
}

/* fork, and in the child nothing but _exit; errno of a failed fork, or 0. */
static int fork_and_wait(void)
{
    int fork_err, status = tu_fork_wait(NULL, NULL, &fork_err);
    return fork_err ? fork_err : status == 0 ? 0 : -1;
}

static const char *fork_result(int e) { return e > 0 ? strerror(e) : e == 0 ? "succeeded" : "the child failed"; }

/* With 1 GiB committed and 512 MiB left (the limit at Committed_AS before
 * the commit + 1.5 GiB), the child's copy cannot be charged: fork fails
 * with ENOMEM.  After a reset the same limit lets it fork.  The limit is
 * that tight only around the two forks.  Another process may free or take
 * memory meanwhile: the pair is tried up to 3 times, and a library that
 * gets it wrong gets it wrong every time. */
static void fork_needs_reset(void)
{
    const size_t big = (size_t)1 * GiB;
    long long ac = -1, left_before = 0, left_after = 0;
    double t0 = 0, t1 = 0;
    int e1 = -1, e2 = -1, rc = -1, tries, set = -1;
    vstack st;
    unsigned char *p;

    if (vstack_init(&st, 1 * MiB, VSIZE, VSTACK_NOPROBE) != VSTACK_OK)
        bail_out("vstack_init(1 MiB, 64 GiB): %s", vstack_last_error(&st));
    for (tries = 1; tries <= 3; tries++) {
        if (vstack_grow(&st, big) != VSTACK_OK || !(p = vstack_alloc(&st, 1 * MiB)))
            bail_out("cannot commit 1 GiB: %s", vstack_last_error(&st));
        tu_fill(p, 1 * MiB, 43);
        touch_ends(tu_bot(&st), vstack_top(&st));
        ac = stack_charge(&st);
        t0 = secs();
        set = tighten(512 * MiB);
        left_before = headroom();
        e1 = fork_and_wait();
        vstack_pop_all(&st);
        rc = vstack_reset(&st);
        left_after = headroom();
        e2 = fork_and_wait();
        untighten();
        t1 = secs();
        if (set == 0 && e1 == ENOMEM && rc == VSTACK_OK && e2 == 0)
            break;
        diag("try %d: %lld MiB left before the reset, %lld after; fork %s, then %s", tries, left_before / MiB,
             left_after / MiB, fork_result(e1), fork_result(e2));
    }
    if (tries > 3)
        tries = 3;
    diag("the stack charged %lld MiB; %lld MiB left before the reset, %lld MiB after; tight for %.1f ms (try %d)",
         ac / MiB, left_before / MiB, left_after / MiB, (t1 - t0) * 1e3, tries);
    if (set != 0) {
        skip_check("Committed_AS would not hold still", "fork under a tight limit");
        vstack_destroy(&st);
        return;
    }
    if (!is_int(e1, ENOMEM, "1 GiB committed, 512 MiB left: fork fails with ENOMEM"))
        diag("  fork: %s", fork_result(e1));
    is_int(rc, VSTACK_OK, "vstack_reset under the tight limit");
    if (!is_int(e2, 0, "after the reset, with the same limit, fork succeeds"))
        diag("  fork: %s", fork_result(e2));
    vstack_destroy(&st);
}

/* ---- ntcalc ------------------------------------------------------------------ */

/* Read from fd into buf (NUL-terminated) until it holds `until` (NULL:
 * until EOF) or 20 s pass. */
static size_t read_until(int fd, char *buf, size_t size, size_t len, const char *until)
{
    double end = secs() + 20;
    buf[len] = 0;
    while (len + 1 < size && !(until && strstr(buf, until)) && secs() < end) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (poll(&pf, 1, 1000) <= 0)
            continue;
        ssize_t n = read(fd, buf + len, size - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = 0;
    }
    return len;
}

static const char *ntcalc_path(char *buf, size_t size)
{
    const char *p = getenv("NTCALC"), *top = getenv("top_builddir");
    if (p && *p)
        return p;
    snprintf(buf, size, "%s/calc/ntcalc", top && *top ? top : ".");
    return buf;
}

/* ntcalc with parisizemax 2G (which the probe lets through) has started
 * and printed its first line; then only 512 MiB are left, and a line that
 * needs 1.5 GB on the stack is refused by the system, not by parisizemax:
 * one message on stderr, and the next line prints its result. */
static void ntcalc_survives(void)
{
    static const char what[] = "ntcalc: a line the system refuses";
    char path[4096], out[4096], err[4096];
    const char *nt = ntcalc_path(path, sizeof path);
    int in[2], op[2], status = 0;
    FILE *errf;
    size_t n = 0;
    pid_t pid;

    if (access(nt, X_OK) != 0) {
        skip_check("ntcalc is not built (no GMP)", "%s", what);
        return;
    }
    if (!(errf = tmpfile()) || pipe(in) != 0 || pipe(op) != 0)
        bail_out("tmpfile or pipe: %s", strerror(errno));
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) < 0)
        bail_out("fork: %s", strerror(errno));
    if (pid == 0) {
        if (dup2(in[0], 0) < 0 || dup2(op[1], 1) < 0 || dup2(fileno(errf), 2) < 0)
            _exit(126);
        close(in[0]), close(in[1]), close(op[0]), close(op[1]);
        unsetenv("NTCALC_PARISIZE");
        unsetenv("NTCALC_PARISIZEMAX");
        unsetenv("NTCALC_HEAPSIZEMAX");
        execl(nt, nt, "--parisizemax=2G", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(op[1]);
    signal(SIGPIPE, SIG_IGN);
    /* The first line's result says that the stack is set up. */
    if (write(in[1], "1\n", 2) != 2)
        diag("  write to ntcalc: %s", strerror(errno));
    n = read_until(op[0], out, sizeof out, 0, "1\n");
    double t0 = secs();
    int set = tighten(512 * MiB);
    static const char lines[] = "2^(12*10^9)\n6*7\n";
    if (write(in[1], lines, sizeof lines - 1) != (ssize_t)sizeof lines - 1)
        diag("  write to ntcalc: %s", strerror(errno));
    close(in[1]);
    n = read_until(op[0], out, sizeof out, n, NULL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    untighten();
    double t1 = secs();
    close(op[0]);
    {
        size_t k = 0;
        rewind(errf);
        k = fread(err, 1, sizeof err - 1, errf);
        err[k] = 0;
        fclose(errf);
    }
    diag("ntcalc: tight for %.1f ms; stderr: %.*s", (t1 - t0) * 1e3, (int)strcspn(err, "\n"), err);
    if (set != 0) {
        skip_check("Committed_AS would not hold still", "%s", what);
        return;
    }
    if (!ok(strcmp(out, "1\n42\n") == 0, "%s: the next line prints its result", what))
        diag("  stdout: \"%s\"", out);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 1, "%s: exit status 1 (got %s %d)", what,
       WIFEXITED(status) ? "status" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    {
        char *nl = strchr(err, '\n');
        ok(nl && nl[1] == 0 && strncmp(err, "  *** ", 6) == 0 && strstr(err, "cannot grow the stack") &&
               strstr(err, strerror(ENOMEM)) && !strstr(err, "overflows"),
           "%s: one line on stderr, a refused commit (not parisizemax)", what);
    }
}

int main(void)
{
    const char *want = getenv("VSTACK_STRICT_COMMIT");
    int mode;

    if (!want || strcmp(want, "1") != 0)
        skip_all("changes the system's commit limit: runs with VSTACK_STRICT_COMMIT=1, as root, in overcommit "
                 "mode 2 (.ci/strict-commit)");
    if (tap_under_valgrind())
        skip_all("not under valgrind, which caps the reservations");
    tu_require_mmap();
    if (sizeof(size_t) < 8)
        skip_all("a 64 GiB reservation needs a 64-bit address space");
    if ((mode = tu_overcommit_mode()) != 2)
        skip_all("overcommit mode is %d, not 2 (strict accounting)", mode);
    if (!tu_have_proc() || committed() < 0 || commit_now().limit < 0)
        skip_all("no /proc/self/smaps, or no Committed_AS and CommitLimit in /proc/meminfo");
    if ((stage_kbytes = read_kbytes()) <= 0 || write_kbytes(stage_kbytes) != 0)
        skip_all("%s is 0 or cannot be written back (not root?)", kbytes_file);
    atexit(untighten);
    diag("CommitLimit %lld MiB, Committed_AS %lld MiB: %lld MiB left", commit_now().limit / MiB,
         committed() / MiB, headroom() / MiB);

    noise();
    reservation_charges_nothing();
    probe_halves();
    growth_refused(0);
    growth_refused(1);
    reset_returns_charge();
    pool_charges_its_size();
    fork_needs_reset();
    ntcalc_survives();
    is_int(read_kbytes(), stage_kbytes, "overcommit_kbytes is back at %lld", stage_kbytes);
    return done_testing();
}
