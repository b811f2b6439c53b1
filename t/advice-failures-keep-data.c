/* SPDX-License-Identifier: MIT */
/* advice-failures-keep-data: madvise made to fail.  Discarding free pages
 * (vstack_trim) that fails is VSTACK_ESYS with a sentence naming the call
 * and the errno text, and changes nothing; the huge-page advice that fails,
 * at init or while the stack grows, is a warning ("continuing with normal
 * pages") and the stack works on.  (The fork-wipe advice:
 * t/fork-wipe-failures-still-fork.) */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <vstack.h>

#include "faults.h"
#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)
#define HUGE_ADVICE "madvise (MADV_HUGEPAGE)"

static long maps0;

static void discard_fails(int err, const char *what)
{
    struct tf_stack s;
    vstack_sp av;
    size_t committed;

    tf_open(&s, 4 * MB, 64 * MB, 0, 512 * KB, 61);
    av = vstack_avma(&s.st);
    tf_grow_pop(&s, 2 * MB, what);
    committed = tu_stats(&s.st).committed;
    vs_os_fail_nth(VS_OS_DISCARD, 1, err);
    is_int(vstack_trim(&s.st), tf_code(err), "%s: %s", what, tf_code_name(tf_code(err)));
    is_int(vs_os_count(VS_OS_DISCARD), 1, "%s: the call was made", what);
    is_int(s.logs.err.count, 0, "%s: the error handler is not called", what);
    tf_names(vstack_last_error(&s.st), "madvise (MADV_DONTNEED)|mmap (fresh read/write pages)", err, NULL,
             what);
    ok(vstack_avma(&s.st) == av && tu_stats(&s.st).committed == committed, "%s: nothing moved", what);
    tf_intact(&s, what);
    is_int(vstack_trim(&s.st), VSTACK_OK, "%s: the next trim succeeds", what);
    is_int(vstack_last_error(&s.st)[0], 0, "%s: and clears the sentence", what);
    tf_intact(&s, what);
    tf_usable(&s, 8 * MB, what);
    tf_close(&s, maps0, what);
}

/* A stack commits nothing at init: the advice comes with its first commit,
 * at the first allocation, which goes on with normal pages. */
static void huge_advice_at_first_commit(void)
{
    const char *what = "huge-page advice fails at the first commit";
    struct tf_stack s;

    vs_os_fail_reset();
    if (tf_init(&s.st, &s.logs, 4 * MB, 64 * MB, VSTACK_HUGEPAGES) != VSTACK_OK)
        bail_out("%s: no stack", what);
    tu_capture_stack(&s.st, &s.logs);
    is_int(vs_os_count(VS_OS_ADVISE), 0, "%s: no advice at init", what);
    vs_os_fail_nth(VS_OS_ADVISE, 1, EINVAL);
    s.live_n = 1 * MB;
    s.seed = 62;
    s.live = vstack_alloc(&s.st, s.live_n);
    ok(s.live != NULL, "%s: the allocation succeeds", what);
    if (!s.live)
        bail_out("%s: cannot allocate", what);
    is_int(vs_os_count(VS_OS_ADVISE), 1, "%s: the advice was asked for", what);
    if (!ok(s.logs.warn.count == 1 && tf_mentions(s.logs.warn.last, HUGE_ADVICE, EINVAL, NULL) &&
                tu_contains_nocase(s.logs.warn.last, "normal pages"),
            "%s: one warning names %s, the errno text, and normal pages", what, HUGE_ADVICE))
        tu_logs_diag(&s.logs);
    is_int(s.logs.err.count, 0, "%s: no error message", what);
    tu_fill(s.live, s.live_n, s.seed);
    s.logs.warn.count = 0;
    tf_usable(&s, 16 * MB, what);
    tf_close(&s, maps0, what);
}

static void huge_advice_in_growth(void)
{
    const char *what = "huge-page advice fails while the stack grows";
    struct tf_stack s;
    vstack_sp av;
    size_t committed;
    unsigned char *p;

    tf_open(&s, 4 * MB, 64 * MB, VSTACK_HUGEPAGES, 1 * MB, 63);
    av = vstack_avma(&s.st);
    committed = tu_stats(&s.st).committed;
    vs_os_fail_nth(VS_OS_ADVISE, 1, EINVAL);
    p = vstack_alloc(&s.st, 8 * MB);
    ok(p != NULL, "%s: the allocation succeeds", what);
    if (p)
        memset(p, 1, 8 * MB);
    ok(tu_stats(&s.st).committed > committed, "%s: the stack grew", what);
    is_int(vs_os_count(VS_OS_ADVISE), 1, "%s: the advice was asked for", what);
    if (!ok(s.logs.warn.count == 1 && tf_mentions(s.logs.warn.last, HUGE_ADVICE, EINVAL, NULL),
            "%s: one warning names %s and the errno text", what, HUGE_ADVICE))
        tu_logs_diag(&s.logs);
    ok(strcmp(vstack_last_error(&s.st), s.logs.warn.last) == 0, "%s: vstack_last_error keeps it", what);
    is_int(s.logs.err.count, 0, "%s: no error message", what);
    vstack_set_avma(&s.st, av);
    tf_intact(&s, what);
    is_int(vstack_grow(&s.st, 32 * MB), VSTACK_OK, "%s: vstack_grow works afterwards", what);
    tf_usable(&s, 16 * MB, what);
    tf_close(&s, maps0, what);
}

int main(void)
{
    tu_require_mmap();
    maps0 = tu_maps_baseline();
    discard_fails(EINVAL, "discard fails (EINVAL) in vstack_trim");
    discard_fails(EAGAIN, "discard refused (EAGAIN) in vstack_trim");
    if (!vs_os_config()->huge_page_size) {
        skip(1, "no transparent huge pages here: the huge-page advice is never asked for");
    } else {
        huge_advice_at_first_commit();
        huge_advice_in_growth();
    }
    vs_os_fail_reset();
    return done_testing();
}
