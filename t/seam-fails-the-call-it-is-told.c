/* SPDX-License-Identifier: MIT */
/* seam-fails-the-call-it-is-told: the fault matrix rests on the test seam of
 * src/os.h, so the seam itself is checked here.  vs_os_fail_nth(call, n,
 * err) fails the nth next call of that kind, once, with err (ENOMEM when
 * err is 0), and no other call; n = 0 disarms it.  vs_os_fail_nth_late
 * does the same, but a verb that can fail partway (the fork-wipe mark)
 * makes its call all the same before it reports the failure, and any other
 * verb fails without making it.  vs_os_count counts every call made or
 * failed, and vs_os_fail_reset disarms everything and zeroes the counts. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

static size_t ps;
static char *base;

/* Commit pages [i, i+1) of the range: the errno. */
static int commit(int i)
{
    struct vs_os_err e;
    return vs_os_commit(base + (size_t)i * ps, ps, &e);
}

/* The errno of each of n commits, as a string of digits: 0 for success,
 * 1 for ENOMEM, 2 for EPERM, 9 for anything else. */
static const char *commits(int n, int from)
{
    static char out[16];
    for (int i = 0; i < n; i++) {
        int err = commit(from + i);
        out[i] = err == 0 ? '0' : err == ENOMEM ? '1' : err == EPERM ? '2' : '9';
    }
    out[n] = 0;
    return out;
}

int main(void)
{
    struct vs_os_err e;
    void *p;

    ps = vs_os_config()->page_size;
    vs_os_fail_reset();
    if (vs_os_reserve(64 * ps, &p, &e) != 0)
        bail_out("a reservation to work in: %s", vs_os_why(&e));
    base = p;
    is_int(vs_os_count(VS_OS_RESERVE), 1, "the reservation was counted");

    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_COMMIT, 3, EPERM);
    ok(strcmp(commits(5, 0), "00200") == 0, "fail_nth(3, EPERM): the third commit fails with EPERM, once");
    is_int(vs_os_count(VS_OS_COMMIT), 5, "every call is counted, the failed one too");
    vs_os_fail_nth(VS_OS_COMMIT, 1, 0);
    ok(strcmp(commits(2, 5), "10") == 0, "err 0: the call fails with ENOMEM");
    vs_os_fail_nth(VS_OS_COMMIT, 2, EPERM);
    vs_os_fail_nth(VS_OS_COMMIT, 0, EPERM);
    ok(strcmp(commits(3, 7), "000") == 0, "n = 0 disarms it");
    vs_os_fail_nth(VS_OS_RESERVE, 1, EPERM);
    ok(strcmp(commits(2, 10), "00") == 0, "a failure armed for another call leaves commits alone");
    vs_os_fail_reset();
    is_int(vs_os_count(VS_OS_COMMIT), 0, "fail_reset zeroes the counts");
    void *q = NULL;
    is_int(vs_os_reserve(4 * ps, &q, &e), 0, "and disarms the failures");
    if (q)
        (void)vs_os_release(q, 4 * ps, &e);

    /* Late: a commit cannot fail partway, so it fails without the call. */
    vs_os_fail_nth_late(VS_OS_COMMIT, 1, EPERM);
    is_int(commit(12), EPERM, "fail_nth_late on a commit: it fails with the errno given");
    if (vs_os_config()->reserves && tu_have_proc())
        ok(tu_mapped_as((uintptr_t)base + 12 * ps, (uintptr_t)base + 13 * ps, 0), "and the page stays inaccessible");
    else
        skip_check("no reservation or no /proc/self/smaps here", "and the page stays inaccessible");
    vs_os_fail_nth_late(VS_OS_COMMIT, 1, 0);
    is_int(commit(12), ENOMEM, "fail_nth_late with err 0: ENOMEM");
    vs_os_fail_nth_late(VS_OS_COMMIT, 2, EPERM);
    vs_os_fail_nth_late(VS_OS_COMMIT, 0, EPERM);
    ok(strcmp(commits(3, 12), "000") == 0, "fail_nth_late with n = 0 disarms it");

    /* Late: the fork-wipe mark is made, then reported as failed (where the
     * kernel makes it: the probe skips where it refuses or ignores it). */
    const char *nowipe = tu_lacks_wipe_on_fork();
    if (!nowipe) {
        uintptr_t lo = (uintptr_t)base + 12 * ps, hi = lo + 3 * ps;
        struct tu_smaps sm;
        vs_os_fail_nth_late(VS_OS_WIPE, 1, EBUSY);
        memset(&e, 0, sizeof e);
        is_int(vs_os_wipe_on_fork((void *)lo, hi - lo, 1, &e), EBUSY, "fail_nth_late on a mark: the errno given");
        ok(e.err == EBUSY && e.call && (strstr(e.call, "MADV_WIPEONFORK") || strstr(e.call, "INHERIT_ZERO")),
           "and names the call: %s", e.call ? e.call : "(none)");
        if (tu_smaps_range(lo, hi, &sm) == 0)
            is_int(sm.wf_bytes, hi - lo, "the mark was made all the same");
        else
            skip_check("no /proc/self/smaps", "the mark was made all the same");
        vs_os_fail_nth(VS_OS_WIPE, 1, EBUSY);
        is_int(vs_os_wipe_on_fork((void *)lo, hi - lo, 0, &e), EBUSY, "fail_nth on the unmark: the errno given");
        if (tu_smaps_range(lo, hi, &sm) == 0)
            is_int(sm.wf_bytes, hi - lo, "and the call was not made: still marked");
        else
            skip_check("no /proc/self/smaps", "and the call was not made: still marked");
        is_int(vs_os_wipe_on_fork((void *)lo, hi - lo, 0, &e), 0, "the next unmark works");
        if (tu_smaps_range(lo, hi, &sm) == 0)
            is_int(sm.wf_bytes, 0, "nothing marked");
        else
            skip_check("no /proc/self/smaps", "nothing marked");
    } else {
        skip(7, nowipe);
    }
    is_int(vs_os_release(base, 64 * ps, &e), 0, "the reservation is released");
    vs_os_fail_reset();
    return done_testing();
}
