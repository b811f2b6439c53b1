/* SPDX-License-Identifier: MIT */
/* trim-keeps-live-data: vstack_trim discards the dead pages below avma (the
 * stack's Rss drops, the popped memory reads as zero when handed out again)
 * while everything in use is kept, and the pages stay committed.  With no
 * free page below avma it changes nothing. */
#include "config.h"

#include <string.h>
#include <vstack.h>

#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

int main(void)
{
    struct tu_logs logs;
    vstack st;
    unsigned char *live, *dead;
    struct tu_smaps sm;
    long rss_before = -1;
    const size_t ndead = tap_under_valgrind() ? 8 * MB : 32 * MB;

    tu_require_mmap();
    tu_capture_defaults(&logs);
    if (vstack_init(&st, 1 * MB, 256 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init failed");
    live = tu_alloc_filled(&st, 1 * MB, 77);
    dead = vstack_alloc(&st, ndead);
    if (!dead)
        bail_out("cannot allocate the dead part");
    memset(dead, 0xee, ndead);
    vstack_set_avma(&st, (vstack_sp)live);
    if (tu_have_proc() && tu_smaps_range(tu_vbot(&st), vstack_top(&st), &sm) == 0)
        rss_before = sm.rss_kb;

    is_int(vstack_trim(&st), VSTACK_OK, "vstack_trim");
    if (rss_before >= 0 && tu_smaps_range(tu_vbot(&st), vstack_top(&st), &sm) == 0) {
        if (!ok(sm.rss_kb < rss_before - (long)(ndead / KB) / 2,
                "the dead pages were discarded (Rss %ld kB -> %ld kB)", rss_before, sm.rss_kb))
            diag("  %zu kB were dead", ndead / KB);
    } else {
        skip(1, "%s", tu_proc_why());
    }
    if (!ok(tu_check(live, 1 * MB, 77) < 0, "the data in use is intact"))
        diag("  first bad byte at %ld", tu_check(live, 1 * MB, 77));
    ok(tu_stats(&st).committed >= 1 * MB + ndead, "the dead pages stay committed");
    {
        unsigned char *again = vstack_alloc(&st, ndead);
        size_t nonzero = 0;
        ok(again == dead, "the same request gets the same address");
        if (tap_under_valgrind()) {
            skip(1, "reading fresh chunks is undefined under memcheck");
        } else {
            for (size_t i = 0; again && i < ndead; i += 4096)
                nonzero += again[i] != 0;
            is_int(nonzero, 0, "the discarded pages read as zero");
        }
    }
    /* Nothing free below avma: the whole committed part in use, a trim
     * has nothing to discard and changes nothing. */
    {
        struct vstack_stats s = tu_stats(&st);
        size_t room = (size_t)(vstack_avma(&st) - tu_bot(&st));
        unsigned char *last = vstack_alloc(&st, room);
        if (last)
            memset(last, 0x5c, room);
        ok(last && vstack_avma(&st) == tu_bot(&st), "all that is committed is in use");
        is_int(vstack_trim(&st), VSTACK_OK, "vstack_trim with nothing free below avma");
        ok(last && last[0] == 0x5c && last[room - 1] == 0x5c && tu_stats(&st).committed == s.committed,
           "changes nothing");
    }
    vstack_destroy(&st);
    is_int(logs.err.count, 0, "no error message");
    vstack_set_default_handlers(NULL, NULL, NULL);
    return done_testing();
}
