/* SPDX-License-Identifier: MIT */
/* reset-returns-memory: vstack_reset shrinks the committed part back to
 * parisize and the pages really go back (Linux: the mapping's Rss in
 * /proc/self/smaps drops); the PROT_NONE part never carries the "ac" VmFlag
 * (no commit charge); reset never moves avma nor gives back memory in use. */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <vstack.h>

#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

/* The smaps view of the whole reservation of st. */
static int scan(const vstack *st, struct tu_smaps *sm)
{
    return tu_smaps_range(tu_vbot(st), vstack_top(st), sm);
}

/* The PROT_NONE part is never charged ("ac"), and, where the kernel honours
 * MAP_NORESERVE (overcommit modes 0 and 1), the whole reservation is
 * MAP_NORESERVE ("nr"): the reservation and every decommit use it. */
static void check_no_ac(const vstack *st, int have_proc, const char *what)
{
    struct tu_smaps sm;
    int mode = tu_overcommit_mode();
    if (!have_proc) {
        skip(1, "%s: %s", what, tu_proc_why());
        return;
    }
    if (scan(st, &sm) < 0) {
        skip(1, "%s: smaps unreadable", what);
        return;
    }
    if (!ok(sm.none_maps >= 1 && sm.none_with_ac == 0,
            "%s: %ld PROT_NONE mapping(s) in the reservation, %ld with \"ac\"", what,
            sm.none_maps, sm.none_with_ac))
        diag("  reservation %#" PRIxPTR "-%#" PRIxPTR ", %ld mappings", tu_vbot(st), vstack_top(st),
             sm.nmaps);
    if (mode == 0 || mode == 1)
        is_int(sm.without_nr, 0, "%s: every mapping of the reservation is MAP_NORESERVE", what);
    else
        skip(1, "%s: MAP_NORESERVE is ignored in overcommit mode %d", what, mode);
}

int main(void)
{
    struct tu_logs logs;
    vstack st;
    const int vg = tap_under_valgrind();
    const int have_proc = tu_have_proc();
    const size_t big = vg ? 64 * MB : 256 * MB;
    const size_t rsize = 1 * MB;
    struct tu_smaps sm;
    unsigned long shrinks0;

    tu_require_mmap();

    tu_capture_defaults(&logs);
    if (vstack_init(&st, rsize, vg ? VSTACK_VALGRIND_MAX : 1024 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init failed");
    check_no_ac(&st, have_proc, "fresh stack");

    /* Grow to big, touching every page. */
    {
        unsigned char *p = vstack_alloc(&st, big);
        if (!p)
            bail_out("cannot allocate %zu bytes", big);
        memset(p, 0x5a, big);
    }
    ok(tu_stats(&st).committed >= big, "committed %zu after growth", tu_stats(&st).committed);
    if (have_proc && scan(&st, &sm) == 0) {
        if (!ok(sm.rss_kb >= (long)(big / KB) * 9 / 10, "Rss of the stack after growth: %ld kB",
                sm.rss_kb))
            diag("  expected about %zu kB", big / KB);
    } else {
        skip(1, "%s", tu_proc_why());
    }
    check_no_ac(&st, have_proc, "grown stack");

    /* Pop everything and reset. */
    shrinks0 = tu_stats(&st).shrinks;
    vstack_pop_all(&st);
    is_int(vstack_reset(&st), VSTACK_OK, "vstack_reset");
    is_int(tu_stats(&st).committed, rsize, "committed is back to parisize");
    is_int(tu_stats(&st).shrinks, shrinks0 + 1, "stats.shrinks counted the decommit");
    ok(vstack_avma(&st) == vstack_top(&st), "avma still at top");
    if (have_proc && scan(&st, &sm) == 0) {
        if (!ok(sm.rss_kb <= (long)((rsize + 256 * KB) / KB),
                "Rss dropped to about parisize: %ld kB", sm.rss_kb))
            diag("  parisize is %zu kB", rsize / KB);
        ok(sm.nmaps <= 3, "the reservation is %ld mapping(s) after reset", sm.nmaps);
    } else {
        skip(1, "%s", tu_proc_why());
    }
    check_no_ac(&st, have_proc, "after reset");

    /* Reset keeps what is in use: 8 MiB live, 64 MiB more popped. */
    {
        const size_t live_n = 8 * MB + 12345;
        unsigned char *live = vstack_alloc(&st, live_n);
        vstack_sp av;
        size_t want, ps = tu_page_size();
        struct vstack_stats s;
        if (!live)
            bail_out("cannot allocate 8 MiB");
        tu_fill(live, live_n, 21);
        av = vstack_avma(&st);
        unsigned char *tmp = vstack_alloc(&st, 64 * MB);
        ok(tmp != NULL, "64 MiB more");
        if (tmp)
            memset(tmp, 1, 64 * MB);
        vstack_set_avma(&st, av);
        shrinks0 = tu_stats(&st).shrinks;
        is_int(vstack_reset(&st), VSTACK_OK, "vstack_reset with 8 MiB in use");
        s = tu_stats(&st);
        want = tu_round_up(s.used, ps);
        if (want < rsize)
            want = rsize;
        ok(vstack_avma(&st) == av, "reset did not move avma");
        ok(s.committed >= s.used, "committed %zu >= used %zu", s.committed, s.used);
        ok(s.committed >= want && s.committed <= want + 2 * MB,
           "committed is max(parisize, used) page-rounded (%zu, want %zu)", s.committed, want);
        is_int(s.shrinks, shrinks0 + 1, "stats.shrinks incremented");
        if (!ok(tu_check(live, live_n, 21) < 0, "live data intact after reset"))
            diag("  first bad byte at %ld", tu_check(live, live_n, 21));
        if (have_proc && scan(&st, &sm) == 0)
            ok(sm.rss_kb <= (long)((s.committed + 256 * KB) / KB),
               "Rss follows: %ld kB for %zu committed", sm.rss_kb, s.committed);
        else
            skip(1, "%s", tu_proc_why());
        check_no_ac(&st, have_proc, "after a partial reset");

        /* Reset again with nothing to give back: nothing changes. */
        is_int(vstack_reset(&st), VSTACK_OK, "a second reset");
        ok(tu_stats(&st).committed == s.committed && vstack_avma(&st) == av,
           "the second reset changes nothing");
        ok(tu_check(live, live_n, 21) < 0, "live data still intact");

        /* The memory in use stays writable after reset. */
        memset(live, 7, live_n);
        ok(live[0] == 7 && live[live_n - 1] == 7, "live memory is writable after reset");
        /* And the stack grows again from there. */
        unsigned char *more = vstack_alloc(&st, 32 * MB);
        ok(more != NULL, "the stack grows again after reset");
        if (more)
            memset(more, 2, 32 * MB);
    }

    /* Avma below the committed part after a reset is impossible: every
     * chunk handed out is still writable.  Check the boundary page. */
    vstack_pop_all(&st);
    vstack_reset(&st);
    {
        unsigned char *p = vstack_alloc(&st, rsize);
        ok(p != NULL && (vstack_sp)p >= tu_bot(&st), "all of parisize is usable after reset");
        if (p)
            memset(p, 3, rsize);
    }
    vstack_destroy(&st);
    if (!ok(logs.err.count == 0, "no error message"))
        tu_logs_diag(&logs);
    vstack_set_default_handlers(NULL, NULL, NULL);
    return done_testing();
}
