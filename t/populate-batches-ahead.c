/* SPDX-License-Identifier: MIT */
/* populate-batches-ahead: first touch in batches (MADV_POPULATE_WRITE).
 * A stack that grows by small allocations, none of them written, is
 * resident all the same, ahead of what it handed out by at most one batch,
 * in far fewer calls than pages; with VSTACK_NOPOPULATE, or
 * VSTACK_POPULATE=0, it is not.  The flag beats the environment, and a
 * bogus value is a warning.  Reset and trim drop what was populated ahead;
 * the commit charge does not move; and a child of fork gets nothing of it
 * (a populated free page is a touched one: fork-wipe leaves it out), and
 * reads zero there.  A stack never populates more ahead than it already
 * uses, and one less than a page deep populates nothing.  Skips, with the
 * reason, where the kernel has no
 * MADV_POPULATE_WRITE. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <vstack.h>
#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#endif

#include "os.h"
#include "tap.h"
#include "testing.h"
#include "testutil.h"

#define MB ((size_t)1 << 20)
#define CHUNK ((size_t)64 << 10)
#define WALK (96 * MB)
/* The largest batch (src/internal.h's VS_POPULATE_MAX).  Stacks here reserve
 * 512 MiB, no more than under valgrind (VSTACK_VALGRIND_MAX). */
#define BATCH_MAX (32 * MB)

/* Resident kB of the stack's committed part. */
static long rss_kb(const vstack *st)
{
    struct tu_smaps sm;
    if (tu_smaps_range(tu_bot(st), vstack_top(st), &sm) != 0)
        return -1;
    return sm.rss_kb;
}

/* Walk WALK bytes down in CHUNK allocations, writing nothing. */
static int walk(vstack *st)
{
    for (size_t done = 0; done < WALK; done += CHUNK)
        if (!vstack_alloc(st, CHUNK))
            return -1;
    return 0;
}

/* Walk on from where the stack is, CHUNK by CHUNK, until at least
 * min_kb more are resident than were handed out (at most 64 MiB more):
 * the kB resident ahead of avma, or -1. */
static long walk_until_ahead(vstack *st, long min_kb)
{
    long ahead = -1;
    for (size_t done = 0; done < 64 * MB; done += CHUNK) {
        long rss = rss_kb(st);
        ahead = rss - (long)((vstack_top(st) - vstack_avma(st)) >> 10);
        if (rss < 0 || ahead >= min_kb)
            break;
        if (!vstack_alloc(st, CHUNK))
            return -1;
    }
    return ahead;
}

/* One stack made with flags under VSTACK_POPULATE=value: does it populate? */
static void switched(unsigned flags, const char *value, int want, const char *what)
{
    vstack st;
    struct tu_logs logs;
    tu_logs_clear(&logs);
    tu_capture_defaults(&logs);
    tu_env("VSTACK_POPULATE", value);
    if (vstack_init(&st, 8 * MB, 512 * MB, flags) != VSTACK_OK)
        bail_out("%s: no stack", what);
    vs_os_fail_reset();
    if (walk(&st) != 0)
        bail_out("%s: cannot walk %zu bytes", what, WALK);
    long rss = rss_kb(&st);
    struct vstack_stats stats;
    vstack_get_stats(&st, &stats);
    if (want) {
        ok(stats.ahead > 0 && stats.ahead <= BATCH_MAX, "%s: vstack_get_stats shows %zu bytes populated ahead", what,
           stats.ahead);
        ok(rss >= (long)((stats.used + stats.ahead) >> 10) - 64,
           "%s: what was handed out and what is ahead are resident (%ld kB for %zu + %zu bytes)", what, rss,
           stats.used, stats.ahead);
        ok(vs_os_count(VS_OS_POPULATE) > 0 && vs_os_count(VS_OS_POPULATE) <= WALK / (2 * MB),
           "%s: %lu populate calls for %zu pages", what, vs_os_count(VS_OS_POPULATE), WALK / tu_page_size());
        ok(rss >= (long)(WALK >> 10), "%s: what was handed out is resident, unwritten (%ld kB)", what, rss);
        ok(rss <= (long)((WALK + BATCH_MAX) >> 10), "%s: at most one batch more (%ld kB)", what, rss);
    } else {
        is_int(vs_os_count(VS_OS_POPULATE), 0, "%s: no populate call", what);
        is_int((long long)stats.ahead, 0, "%s: vstack_get_stats shows nothing ahead", what);
        ok(rss < (long)(WALK >> 10) / 4, "%s: nothing unwritten is resident (%ld kB)", what, rss);
    }
    if (value && strcmp(value, "0") && strcmp(value, "1"))
        ok(logs.warn.count == 1 && strstr(logs.warn.last, "VSTACK_POPULATE"), "%s: a warning names the variable",
           what);
    else
        is_int(logs.warn.count + logs.err.count, 0, "%s: nothing said", what);
    vstack_destroy(&st);
    vstack_set_default_handlers(NULL, NULL, NULL);
}

/* Reset and trim drop the pages populated ahead, like any free page. */
static void reset_and_trim_drop(void)
{
    vstack st;
    if (vstack_init(&st, 8 * MB, 512 * MB, 0) != VSTACK_OK)
        bail_out("reset/trim: no stack");
    vstack_sp top = vstack_top(&st);
    if (walk(&st) != 0)
        bail_out("reset/trim: cannot walk");
    vstack_set_avma(&st, top);
    is_int(vstack_reset(&st), VSTACK_OK, "reset succeeds");
    long rss = rss_kb(&st);
    ok(rss >= 0 && rss <= (long)(8 * MB >> 10) + 64, "after reset, at most parisize is resident (%ld kB)", rss);
    struct vstack_stats stats;
    vstack_get_stats(&st, &stats);
    is_int((long long)stats.ahead, 0, "after reset, vstack_get_stats shows nothing ahead");
    if (walk(&st) != 0)
        bail_out("reset/trim: cannot walk again");
    ok(rss_kb(&st) >= (long)(WALK >> 10), "the walk after the reset populates again (%ld kB)", rss_kb(&st));
    vstack_set_avma(&st, top - CHUNK);
    is_int(vstack_trim(&st), VSTACK_OK, "trim succeeds");
    rss = rss_kb(&st);
    ok(rss >= 0 && rss <= (long)(CHUNK >> 10) + 64, "after trim, only what is in use is resident (%ld kB)", rss);
    vstack_get_stats(&st, &stats);
    is_int((long long)stats.ahead, 0, "after trim, vstack_get_stats shows nothing ahead");
    unsigned long n = vs_os_count(VS_OS_POPULATE);
    if (walk(&st) != 0)
        bail_out("reset/trim: cannot walk after trim");
    ok(vs_os_count(VS_OS_POPULATE) > n, "the walk after trim populates again");
    vstack_destroy(&st);
}

/* Populate charges nothing: the mapping's VmFlags stay as growth left them. */
static void charge_unchanged(void)
{
    vstack st;
    struct tu_smaps before, after;
    if (vstack_init(&st, 8 * MB, 512 * MB, 0) != VSTACK_OK)
        bail_out("charge: no stack");
    /* Commit first, without touching: the growth has charged what it charges. */
    vstack_sp top = vstack_top(&st);
    if (vstack_grow(&st, WALK + 8 * MB) != VSTACK_OK)
        bail_out("charge: cannot grow");
    if (tu_smaps_range(tu_bot(&st), top, &before) != 0) {
        skip_check(tu_proc_why(), "the walk populated");
        skip_check(tu_proc_why(), "the charge is as before");
        vstack_destroy(&st);
        return;
    }
    unsigned long n = vs_os_count(VS_OS_POPULATE);
    if (walk(&st) != 0)
        bail_out("charge: cannot walk");
    tu_smaps_range(tu_bot(&st), top, &after);
    ok(vs_os_count(VS_OS_POPULATE) > n && after.rss_kb > before.rss_kb + (long)(WALK >> 11),
       "the walk populated (%ld kB -> %ld kB)", before.rss_kb, after.rss_kb);
    ok(after.ac_bytes == before.ac_bytes && after.without_nr == before.without_nr,
       "the charged bytes and MAP_NORESERVE are as before (%llu, %ld -> %llu, %ld)", before.ac_bytes,
       before.without_nr, after.ac_bytes, after.without_nr);
    vstack_destroy(&st);
}

struct forked {
    vstack *st;
    vstack_sp lo, hi;
};

/* In the child: nothing of the populated free part came along, and it reads zero. */
static void child_sees_nothing(int fd, void *arg)
{
    struct forked *f = arg;
    struct tu_smaps sm;
    if (tu_smaps_range(f->lo, f->hi, &sm) == 0)
        tu_child_ok(fd, sm.rss_kb <= 64, "the child has none of the populated free part resident (%ld kB)", sm.rss_kb);
    else
        tu_child_ok(fd, 1, "the child's resident memory not checked: %s", tu_proc_why());
    size_t bad = 0;
#ifdef VALGRIND_MAKE_MEM_DEFINED
    (void)VALGRIND_MAKE_MEM_DEFINED(f->lo, f->hi - f->lo); /* popped: memcheck calls it no-access */
#endif
    for (const unsigned char *p = (const unsigned char *)f->lo; p < (const unsigned char *)f->hi; p += 512)
        bad += *p != 0;
    tu_child_ok(fd, bad == 0, "the child reads zero there (%zu nonzero samples)", bad);
}

static void fork_wipe_leaves_it_out(void)
{
    vstack st;
    struct forked f = {&st, 0, 0};
    if (tu_lacks_wipe_on_fork()) {
        skip_check(tu_lacks_wipe_on_fork(), "the parent has memory populated ahead");
        skip_check(tu_lacks_wipe_on_fork(), "the child has none of the populated free part");
        return;
    }
    if (vstack_init(&st, 8 * MB, 512 * MB, 0) != VSTACK_OK)
        bail_out("fork: no stack");
    vstack_sp top = vstack_top(&st);
    /* Data written and popped in the first half, nothing written below. */
    unsigned char *d = vstack_alloc(&st, WALK / 2);
    if (!d)
        bail_out("fork: cannot allocate");
    memset(d, 0xa5, WALK / 2);
    if (walk(&st) != 0)
        bail_out("fork: cannot walk");
    long ahead = walk_until_ahead(&st, 2048);
    ok(ahead >= 2048, "fork: the parent has %ld kB populated ahead of avma", ahead);
    vstack_set_avma(&st, top - CHUNK);
    f.lo = tu_bot(&st);
    f.hi = top - CHUNK;
    tu_in_child(child_sees_nothing, &f, "fork after a populated walk");
    vstack_destroy(&st);
}

/* A batch is never more than the stack uses: the first allocations of a
 * fresh stack, less than a page deep, make no populate call (a stack made
 * for a short task pays one page fault, not a batch), and a stack a few
 * pages deep populates no more ahead than it uses. */
static void small_stacks_populate_little(void)
{
    vstack st;
    size_t page = tu_page_size();
    if (vstack_init(&st, 8 * MB, 512 * MB, 0) != VSTACK_OK)
        bail_out("small: no stack");
    vs_os_fail_reset();
    for (int i = 0; i < 1000; i++) {
        vstack_sp av = vstack_avma(&st);
        long *x = vstack_new_chunk(&st, 4 + (size_t)(i & 7));
        x[0] = i;
        vstack_set_avma(&st, av);
    }
    is_int(vs_os_count(VS_OS_POPULATE), 0, "small: allocations less than a page deep make no populate call");
    if (!vstack_alloc(&st, 3 * page))
        bail_out("small: cannot allocate");
    ok(vs_os_count(VS_OS_POPULATE) >= 1, "small: three pages deep, a populate (%lu calls)",
       vs_os_count(VS_OS_POPULATE));
    struct vstack_stats stats = tu_stats(&st);
    ok(stats.ahead > 0 && stats.ahead <= 3 * page, "small: ahead is at most what the stack uses (%zu bytes)",
       stats.ahead);
    vstack_destroy(&st);
}

int main(void)
{
    tu_require_mmap();
    tu_require(tu_lacks_populate());
    tu_require(tu_lacks_proc_maps()); /* resident pages come from /proc/self/smaps */
    switched(0, NULL, 1, "default");
    switched(VSTACK_NOPOPULATE, NULL, 0, "VSTACK_NOPOPULATE");
    switched(0, "0", 0, "VSTACK_POPULATE=0");
    switched(0, "1", 1, "VSTACK_POPULATE=1");
    switched(VSTACK_NOPOPULATE, "1", 0, "VSTACK_NOPOPULATE beats VSTACK_POPULATE=1");
    switched(0, "yes", 1, "VSTACK_POPULATE=yes (ignored)");
    tu_env("VSTACK_POPULATE", NULL);
    reset_and_trim_drop();
    charge_unchanged();
    fork_wipe_leaves_it_out();
    small_stacks_populate_little();
    return done_testing();
}
