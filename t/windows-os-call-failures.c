/* SPDX-License-Identifier: MIT */
/* windows-os-call-failures: every call of the Win32 memory layer, made to
 * fail once through the test seam where the library calls it (the POSIX
 * layer has its own fault matrix: the t/...-failures-... tests).  Each failure gives a
 * clear code (VSTACK_ENOMEM for ENOMEM, VSTACK_ESYS otherwise) and a message
 * naming the call and the reason (for a Win32 call, the system's words for
 * the Win32 code the errno stands for); the stack stays usable with its live
 * data intact, and nothing stays mapped after vstack_destroy. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <windows.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

/* How the messages name each call. */
#define C_PROBE "VirtualAlloc (trial"
#define C_RESERVE "VirtualAlloc (MEM_RESERVE)"
#define C_COMMIT "VirtualAlloc (MEM_COMMIT)"
#define C_REMAP "VirtualFree (MEM_DECOMMIT)"
#define C_UNMAP "VirtualFree (MEM_DECOMMIT)"
#define C_RELEASE "VirtualFree (MEM_RELEASE)"

static struct tu_logs logs;
static long maps0;

static int want_code(int err)
{
    return err == ENOMEM ? VSTACK_ENOMEM : VSTACK_ESYS;
}

/* The reason a message gives for err.  A Win32 call that the seam fails
 * takes the path of a real failure: the Win32 code err stands for, in the
 * system's words and by number, "... (Windows error 1455)".  The other
 * verbs (signals, huge pages) give strerror(err). */
static const char *reason_of(const char *calls, int err, char *buf, size_t n)
{
    if (!strstr(calls, "Virtual"))
        return strerror(err);
    DWORD code = err == ENOMEM ? ERROR_COMMITMENT_LIMIT
                 : err == EINVAL ? ERROR_INVALID_PARAMETER
                 : err == EACCES ? ERROR_ACCESS_DENIED
                                 : ERROR_GEN_FAILURE;
    snprintf(buf, n, " (Windows error %lu)", (unsigned long)code);
    return buf;
}

/* Does msg name the call (any of the words in calls, separated by '|') and
 * the reason for err? */
static int names_call(const char *msg, const char *calls, int err)
{
    char buf[128], why[48];
    int found = 0;
    snprintf(buf, sizeof buf, "%s", calls);
    for (char *w = strtok(buf, "|"); w; w = strtok(NULL, "|"))
        if (strstr(msg, w))
            found = 1;
    return found && strstr(msg, reason_of(calls, err, why, sizeof why)) != NULL;
}

static void check_message(const char *msg, const char *calls, int err, const char *what)
{
    char why[48];
    if (!ok(names_call(msg, calls, err), "%s: the message names %s and \"%s\"", what, calls,
            reason_of(calls, err, why, sizeof why)))
        diag("  message: \"%s\"", msg);
}

/* A stack with live data: rsize, vsize and flags, then `live` bytes filled
 * with seed.  The seam is reset afterwards. */
static unsigned char *setup(vstack *st, size_t rsize, size_t vsize, unsigned flags, size_t live,
                            uint64_t seed)
{
    unsigned char *p;
    tu_capture_defaults(&logs);
    vs_os_fail_reset();
    if (vstack_init(st, rsize, vsize, flags) != VSTACK_OK)
        bail_out("vstack_init(%zu, %zu, %#x) failed", rsize, vsize, flags);
    tu_capture_stack(st, &logs);
    p = tu_alloc_filled(st, live, seed);
    vs_os_fail_reset();
    return p;
}

static void teardown(vstack *st, const char *what)
{
    vs_os_fail_reset();
    vstack_destroy(st);
    tu_maps_check(maps0, 0, -1, what);
    vstack_set_default_handlers(NULL, NULL, NULL);
}

/* ---- init: probe and reserve ------------------------------------------- */

static void init_failures(void)
{
    vstack st;
    int rc;

    /* One failed probe: the reservation is halved, as PARI does, with one
     * warning. */
    tu_capture_defaults(&logs);
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_PROBE, 1, ENOMEM);
    rc = vstack_init(&st, 1 * MB, 64 * MB, 0);
    is_int(rc, VSTACK_OK, "probe fails once: vstack_init still succeeds");
    if (rc == VSTACK_OK) {
        size_t v = 0;
        vstack_default_get(&st, "parisizemax", &v);
        is_int(tu_stats(&st).reserved, 32 * MB, "probe fails once: half the reservation");
        is_int(v, 32 * MB, "probe fails once: parisizemax reads 32 MiB");
        if (!ok(logs.warn.count == 1 && tu_mentions_size(logs.warn.last, 32 * MB),
                "probe fails once: one warning naming the new size"))
            tu_logs_diag(&logs);
        check_message(logs.warn.last, C_PROBE, ENOMEM, "probe fails once");
        is_int(vs_os_count(VS_OS_PROBE), 2, "probe fails once: the probe ran again");
        unsigned char *p = vstack_alloc(&st, 8 * MB);
        ok(p != NULL, "probe fails once: the stack grows to 8 MiB");
        if (p)
            memset(p, 1, 8 * MB);
        is_int(logs.err.count, 0, "probe fails once: no error message");
        teardown(&st, "probe fails once: nothing left mapped");
    } else {
        skip(1, "init failed");
    }

    /* Every probe fails: at the minimum size there is nothing to halve. */
    tu_capture_defaults(&logs);
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_PROBE, 1, ENOMEM);
    rc = vstack_init(&st, VSTACK_MIN_SIZE, VSTACK_MIN_SIZE, 0);
    is_int(rc, VSTACK_ENOMEM, "probe fails at the minimum size: VSTACK_ENOMEM");
    check_message(vstack_last_error(&st), C_PROBE, ENOMEM,
                  "probe fails at the minimum size: vstack_last_error");
    is_int(logs.err.count, 0, "probe fails at the minimum size: no error handler call");
    tu_maps_check(maps0, 0, -1, "probe fails at the minimum size: nothing mapped");

    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_PROBE, 1, EPERM);
    rc = vstack_init(&st, VSTACK_MIN_SIZE, 0, 0);
    is_int(rc, VSTACK_ESYS, "probe fails with EPERM: VSTACK_ESYS");
    check_message(vstack_last_error(&st), C_PROBE, EPERM, "probe fails with EPERM");
    if (rc == VSTACK_OK)
        vstack_destroy(&st);

    /* VSTACK_NOPROBE: no trial mapping at all. */
    vs_os_fail_reset();
    rc = vstack_init(&st, 1 * MB, 64 * MB, VSTACK_NOPROBE);
    ok(rc == VSTACK_OK && vs_os_count(VS_OS_PROBE) == 0, "VSTACK_NOPROBE: no probe is made");
    if (rc == VSTACK_OK)
        vstack_destroy(&st);

    /* One failed reservation: halved, with a warning. */
    tu_capture_defaults(&logs);
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_RESERVE, 1, ENOMEM);
    rc = vstack_init(&st, 1 * MB, 64 * MB, 0);
    is_int(rc, VSTACK_OK, "reserve fails once: vstack_init still succeeds");
    if (rc == VSTACK_OK) {
        is_int(tu_stats(&st).reserved, 32 * MB, "reserve fails once: half the reservation");
        if (!ok(logs.warn.count == 1 && tu_mentions_size(logs.warn.last, 32 * MB),
                "reserve fails once: one warning naming the new size"))
            tu_logs_diag(&logs);
        check_message(logs.warn.last, C_RESERVE, ENOMEM, "reserve fails once");
        ok(vstack_alloc(&st, 8 * MB) != NULL, "reserve fails once: the stack grows");
        teardown(&st, "reserve fails once: nothing left mapped");
    } else {
        skip(1, "init failed");
    }

    tu_capture_defaults(&logs);
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_RESERVE, 1, EINVAL);
    rc = vstack_init(&st, VSTACK_MIN_SIZE, 0, 0);
    is_int(rc, VSTACK_ESYS, "reserve fails with EINVAL at the minimum: VSTACK_ESYS");
    check_message(vstack_last_error(&st), C_RESERVE, EINVAL, "reserve fails with EINVAL");
    tu_maps_check(maps0, 0, -1, "reserve fails with EINVAL: nothing mapped");
    vstack_set_default_handlers(NULL, NULL, NULL);

    /* The first commit (of parisize, at the first allocation) fails: the
     * allocation fails through the error handler, parisizemax is kept (the
     * stack has no size to lower it to), and the next allocation works. */
    tu_capture_defaults(&logs);
    vs_os_fail_reset();
    rc = vstack_init(&st, 1 * MB, 64 * MB, 0);
    is_int(rc, VSTACK_OK, "first commit: init commits nothing");
    is_int(vs_os_count(VS_OS_COMMIT), 0, "first commit: no mprotect at init");
    if (rc == VSTACK_OK) {
        vs_os_fail_nth(VS_OS_COMMIT, 1, ENOMEM);
        ok(vstack_alloc(&st, 512 * KB) == NULL && logs.err.count == 1 && logs.err.last_err == VSTACK_ENOMEM,
           "first commit fails: the allocation fails with VSTACK_ENOMEM");
        check_message(logs.err.last, C_COMMIT, ENOMEM, "first commit fails");
        is_int(tu_default(&st, "parisizemax"), 64 * MB, "first commit fails: parisizemax is kept");
        unsigned char *p = vstack_alloc(&st, 512 * KB);
        ok(p != NULL, "first commit fails: the next allocation works");
        if (p)
            memset(p, 1, 512 * KB);
        vs_os_fail_reset();
        vstack_destroy(&st);
    }
    tu_maps_check(maps0, 0, -1, "first commit fails: nothing left mapped");
    vstack_set_default_handlers(NULL, NULL, NULL);
}

/* ---- commit during growth ------------------------------------------------ */

static void commit_failures(int err)
{
    vstack st;
    char what[64];
    unsigned char *live = setup(&st, 1 * MB, 64 * MB, 0, 512 * KB, 31);
    vstack_sp av = vstack_avma(&st);
    size_t committed = tu_stats(&st).committed, v = 0;
    void *p;

    snprintf(what, sizeof what, "%s fails (%s) in growth", C_COMMIT, strerror(err));
    vs_os_fail_nth(VS_OS_COMMIT, 1, err);
    p = vstack_alloc(&st, 2 * MB);
    ok(p == NULL, "%s: vstack_alloc returns NULL", what);
    is_int(logs.err.count, 1, "%s: the error handler was called once", what);
    is_int(logs.err.last_err, want_code(err), "%s: with %s", what,
           err == ENOMEM ? "VSTACK_ENOMEM" : "VSTACK_ESYS");
    check_message(logs.err.last, C_COMMIT, err, what);
    ok(vstack_avma(&st) == av && tu_stats(&st).committed == committed,
       "%s: avma and the committed size unchanged", what);
    vstack_default_get(&st, "parisizemax", &v);
    is_int(v, committed, "%s: parisizemax lowered to the current size", what);
    if (!ok(tu_contains_nocase(logs.err.last, "parisizemax lowered"),
            "%s: the message says parisizemax was lowered", what))
        tu_logs_diag(&logs);
    ok(tu_check(live, 512 * KB, 31) < 0, "%s: live data intact", what);
    p = vstack_alloc(&st, 256 * KB);
    ok(p != NULL, "%s: allocation within the current size works", what);
    if (p)
        memset(p, 2, 256 * KB);
    logs.err.count = 0;
    ok(vstack_alloc(&st, 2 * MB) == NULL && logs.err.last_err == VSTACK_ESTACK,
       "%s: growth past the lowered parisizemax is now VSTACK_ESTACK", what);
    is_int(vstack_set_sizemax(&st, 64 * MB), VSTACK_OK, "%s: parisizemax can be raised again",
           what);
    ok(vstack_alloc(&st, 8 * MB) != NULL, "%s: and the stack grows again", what);
    teardown(&st, C_COMMIT " failure: nothing left mapped");
}

static void grow_commit_failure(void)
{
    vstack st;
    unsigned char *live = setup(&st, 1 * MB, 64 * MB, 0, 512 * KB, 32);
    const char *what = C_COMMIT " fails in vstack_grow";
    vs_os_fail_nth(VS_OS_COMMIT, 1, ENOMEM);
    is_int(vstack_grow(&st, 8 * MB), VSTACK_ENOMEM, "%s: VSTACK_ENOMEM", what);
    is_int(logs.err.count, 0, "%s: the error handler is not called", what);
    check_message(vstack_last_error(&st), C_COMMIT, ENOMEM, what);
    is_int(tu_stats(&st).committed, 1 * MB, "%s: committed unchanged", what);
    ok(tu_check(live, 512 * KB, 32) < 0, "%s: live data intact", what);
    ok(vstack_alloc(&st, 256 * KB) != NULL, "%s: the stack allocates", what);
    teardown(&st, "vstack_grow failure: nothing left mapped");
}

/* ---- decommit: remap, unmap, map again ----------------------------------- */

/* Grow st to 16 MiB beyond the live data, pop it, make `call` fail with err,
 * and reset. */
static void decommit_failure(unsigned flags, enum vs_os_call call, int err, const char *calls,
                             const char *what)
{
    vstack st;
    unsigned char *live = setup(&st, 1 * MB, 64 * MB, flags, 2 * MB, 41);
    vstack_sp av = vstack_avma(&st), old_vbot = tu_vbot(&st);
    unsigned char *tmp = vstack_alloc(&st, 16 * MB);
    size_t committed, used;
    int rc;

    if (tmp)
        memset(tmp, 3, 16 * MB);
    vstack_set_avma(&st, av);
    committed = tu_stats(&st).committed;
    used = tu_stats(&st).used;
    logs.err.count = logs.warn.count = 0;
    vs_os_fail_nth(call, 1, err);
    rc = vstack_reset(&st);
    is_int(vs_os_count(call), 1, "%s: the call was made", what);
    is_int(rc, want_code(err), "%s: vstack_reset returns %s", what,
           err == ENOMEM ? "VSTACK_ENOMEM" : "VSTACK_ESYS");
    is_int(logs.err.count, 0, "%s: the error handler is not called", what);
    check_message(vstack_last_error(&st), calls, err, what);
    ok(vstack_avma(&st) == av, "%s: avma unchanged", what);
    if (!ok(tu_check(live, 2 * MB, 41) < 0, "%s: live data intact", what))
        diag("  first bad byte at %ld", tu_check(live, 2 * MB, 41));
    {
        struct vstack_stats s = tu_stats(&st);
        ok(s.committed >= s.used && s.used == used && tu_bot(&st) >= tu_vbot(&st),
           "%s: consistent stats (committed %zu, used %zu)", what, s.committed, s.used);
    }
    /* Whatever the library did, every byte it calls committed is usable:
     * fill the whole committed part, then grow or fail cleanly. */
    {
        size_t room = vstack_avma(&st) - tu_bot(&st);
        unsigned char *p = room ? vstack_alloc(&st, room) : NULL;
        ok(room == 0 || p != NULL, "%s: the %zu free committed bytes can be allocated", what,
           room);
        if (p)
            memset(p, 4, room);
        vstack_set_avma(&st, av);
        logs.err.count = 0;
        p = vstack_alloc(&st, 8 * MB);
        ok(p != NULL || logs.err.count == 1, "%s: growth afterwards works or is reported", what);
        if (p)
            memset(p, 5, 8 * MB);
        vstack_set_avma(&st, av);
    }
    /* Never a silent hole: the stack's reservation is mapped from end to
     * end, and what it gave up (if anything) is not mapped by us. */
    if (tu_have_proc()) {
        struct tu_smaps sm;
        tu_smaps_range(tu_vbot(&st), vstack_top(&st), &sm);
        if (!ok(sm.covered == vstack_top(&st) - tu_vbot(&st), "%s: the reservation has no hole", what))
            diag("  %llu of %zu bytes mapped", sm.covered, (size_t)(vstack_top(&st) - tu_vbot(&st)));
        if (tu_vbot(&st) > old_vbot) {
            tu_smaps_range(old_vbot, tu_vbot(&st), &sm);
            is_int(sm.nmaps, 0, "%s: the range given up is not mapped", what);
        } else {
            ok(tu_vbot(&st) == old_vbot, "%s: the reservation was kept whole", what);
        }
    } else {
        skip(1, "%s: no /proc/self/smaps", what);
    }
    /* A later reset works again. */
    rc = vstack_reset(&st);
    is_int(rc, VSTACK_OK, "%s: the next reset succeeds", what);
    ok(tu_stats(&st).committed <= (committed > 2 * MB ? committed : 2 * MB),
       "%s: and shrinks (%zu)", what, tu_stats(&st).committed);
    ok(tu_check(live, 2 * MB, 41) < 0, "%s: live data still intact", what);
    teardown(&st, what);
}

/* ---- release, discard, advise -------------------------------------------- */

static void release_failure(void)
{
    vstack st;
    void *base;
    size_t len;
    unsigned char *live = setup(&st, 1 * MB, 64 * MB, 0, 512 * KB, 51);
    (void)live;
    base = (void *)tu_vbot(&st); /* no huge pages: the mapping is the reservation */
    len = tu_stats(&st).reserved;
    logs.warn.count = 0;
    vs_os_fail_nth(VS_OS_RELEASE, 1, EINVAL);
    vstack_destroy(&st);
    ok(1, C_RELEASE " fails in vstack_destroy: no crash");
    is_int(vs_os_count(VS_OS_RELEASE), 1, C_RELEASE " fails in vstack_destroy: the call was made");
    if (!ok(logs.warn.count + logs.err.count >= 1 &&
                (names_call(logs.warn.all, C_RELEASE, EINVAL) ||
                 names_call(logs.err.all, C_RELEASE, EINVAL)),
            C_RELEASE " fails in vstack_destroy: reported, naming " C_RELEASE " and the errno"))
        tu_logs_diag(&logs);
    /* The seam skipped the real release: give the range back ourselves. */
    ok(base && VirtualFree(base, 0, MEM_RELEASE), "the reservation was still there to release");
    (void)len;
    vs_os_fail_reset();
    is_int(vstack_init(&st, 1 * MB, 64 * MB, 0), VSTACK_OK,
           C_RELEASE " fails in vstack_destroy: the struct can be initialised again");
    teardown(&st, C_RELEASE " fails in vstack_destroy: nothing else left mapped");
}

static void discard_failure(void)
{
    vstack st;
    unsigned char *live = setup(&st, 4 * MB, 64 * MB, 0, 512 * KB, 61);
    const char *what = "discard fails in vstack_trim";
    logs.err.count = 0;
    vs_os_fail_nth(VS_OS_DISCARD, 1, EINVAL);
    is_int(vstack_trim(&st), VSTACK_ESYS, "%s: VSTACK_ESYS", what);
    is_int(logs.err.count, 0, "%s: the error handler is not called", what);
    if (!ok(names_call(vstack_last_error(&st), "VirtualFree (MEM_DECOMMIT, to discard)", EINVAL),
            "%s: the message names the call and the system's reason", what))
        diag("  message: \"%s\"", vstack_last_error(&st));
    ok(tu_check(live, 512 * KB, 61) < 0, "%s: live data intact", what);
    is_int(vstack_trim(&st), VSTACK_OK, "%s: the next trim succeeds", what);
    ok(tu_check(live, 512 * KB, 61) < 0, "%s: live data intact after trim", what);
    {
        unsigned char *p = vstack_alloc(&st, 1 * MB);
        ok(p != NULL, "%s: the stack allocates", what);
        if (p)
            memset(p, 1, 1 * MB);
    }
    teardown(&st, what);
}

static void advise_failure(void)
{
    vstack st;
    int rc;
    const char *what = "madvise(MADV_HUGEPAGE) fails";
    if (!vs_os_config()->huge_page_size) {
        skip(1, "no transparent huge pages here");
        return;
    }
    tu_capture_defaults(&logs);
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_ADVISE, 1, EINVAL);
    rc = vstack_init(&st, 4 * MB, 64 * MB, VSTACK_HUGEPAGES);
    is_int(rc, VSTACK_OK, "%s: vstack_init still succeeds", what);
    if (rc == VSTACK_OK) {
        tu_capture_stack(&st, &logs);
        unsigned char *p = vstack_alloc(&st, 16 * MB);
        if (!ok(vs_os_count(VS_OS_ADVISE) >= 1 && logs.warn.count >= 1 &&
                    names_call(logs.warn.all, "madvise", EINVAL),
                "%s: the commit goes on, and a warning names madvise and the errno", what))
            tu_logs_diag(&logs);
        ok(p != NULL, "%s: the stack grows", what);
        if (p)
            memset(p, 1, 16 * MB);
        teardown(&st, what);
    } else {
        skip(1, "init failed");
    }
}

/* ---- a failed re-reservation keeps the old stack ------------------------- */

static void rebuild_failure(void)
{
    vstack st;
    unsigned char *live = setup(&st, VSTACK_MIN_SIZE, VSTACK_MIN_SIZE, 0, 16 * KB, 71);
    const char *what = "reserve fails in vstack_set_size";
    int rc;
    vs_os_fail_nth(VS_OS_RESERVE, 1, ENOMEM);
    rc = vstack_set_size(&st, VSTACK_MIN_SIZE);
    is_int(rc, VSTACK_ENOMEM, "%s: VSTACK_ENOMEM (nothing left to halve)", what);
    check_message(vstack_last_error(&st), C_RESERVE, ENOMEM, what);
    if (!ok(tu_check(live, 16 * KB, 71) < 0 && tu_stats(&st).used >= 16 * KB,
            "%s: the old stack and its data are kept", what))
        diag("  used %zu", tu_stats(&st).used);
    ok(vstack_alloc(&st, 16 * KB) != NULL, "%s: the old stack allocates", what);
    teardown(&st, what);
}

/* ---- the release of the trial, and the signal verbs --------------------- */

/* The trial's release failing is taken as a refusal, as on Unix: halved,
 * one warning naming it. */
static void trial_release_failure(void)
{
    vstack st;
    const char *what = "the release of the trial fails";
    tu_capture_defaults(&logs);
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_PROBE_UNMAP, 1, EINVAL);
    int rc = vstack_init(&st, 1 * MB, 64 * MB, 0);
    is_int(rc, VSTACK_OK, "%s: vstack_init still succeeds", what);
    if (rc != VSTACK_OK)
        return;
    is_int(tu_stats(&st).reserved, 32 * MB, "%s: taken as a refusal, half the reservation", what);
    if (!ok(logs.warn.count == 1, "%s: one warning", what))
        tu_logs_diag(&logs);
    check_message(logs.warn.last, "VirtualFree (MEM_RELEASE of the trial)", EINVAL, what);
    teardown(&st, what);
}

/* Windows has no asynchronous signals, but the verbs go through the seam:
 * a failed block stops the growth before anything changes, a failed
 * restore after it is only a warning. */
static void signal_failures(void)
{
    vstack st;
    unsigned char *live = setup(&st, 1 * MB, 64 * MB, 0, 512 * KB, 71);
    size_t committed = tu_stats(&st).committed;
    const char *what = "blocking signals fails in growth";

    vs_os_fail_nth(VS_OS_SIGBLOCK, 1, EINVAL);
    ok(vstack_alloc(&st, 4 * MB) == NULL, "%s: vstack_alloc returns NULL", what);
    is_int(logs.err.last_err, VSTACK_ESYS, "%s: the error handler gets VSTACK_ESYS", what);
    check_message(logs.err.last, "block signals", EINVAL, what);
    is_int(tu_stats(&st).committed, committed, "%s: nothing committed", what);
    ok(tu_check(live, 512 * KB, 71) < 0, "%s: live data intact", what);

    what = "restoring signals fails in growth";
    vs_os_fail_reset();
    logs.warn.count = 0;
    vs_os_fail_nth(VS_OS_SIGRESTORE, 1, EINVAL);
    unsigned char *p = vstack_alloc(&st, 4 * MB);
    ok(p != NULL && tu_stats(&st).committed > committed, "%s: the stack grows all the same", what);
    if (!ok(logs.warn.count == 1, "%s: one warning", what))
        tu_logs_diag(&logs);
    check_message(logs.warn.last, "restore signals", EINVAL, what);
    if (p)
        memset(p, 3, 4 * MB);
    ok(tu_check(live, 512 * KB, 71) < 0, "%s: live data intact", what);
    teardown(&st, "signal failures");
}

int main(void)
{
    tu_require_mmap();
    maps0 = tu_maps_baseline();
    init_failures();
    commit_failures(ENOMEM);
    commit_failures(EACCES);
    grow_commit_failure();
    decommit_failure(VSTACK_DECOMMIT_REMAP, VS_OS_REMAP, ENOMEM, C_REMAP,
                     "remap fails (ENOMEM) in reset");
    decommit_failure(VSTACK_DECOMMIT_REMAP, VS_OS_REMAP, EINVAL, C_REMAP,
                     "remap fails (EINVAL) in reset");
    decommit_failure(VSTACK_DECOMMIT_UNMAP, VS_OS_UNMAP, EINVAL, C_UNMAP,
                     "munmap fails (EINVAL) in reset, unmap path");
    skip(1, "map-again fails in reset: Windows decommits in place, with no second call and no hole");
    release_failure();
    discard_failure();
    advise_failure();
    rebuild_failure();
    trial_release_failure();
    signal_failures();
    vs_os_fail_reset();
    return done_testing();
}
