/* SPDX-License-Identifier: MIT */
/* pool-populates-ahead: first touch in batches for a pool, which grows
 * upward and whose client writes without a call.  vstack_pool_resize
 * populates one batch past the old size, no more; vstack_pool_set_used
 * populates the next batch when `used` comes within half a batch of the
 * watermark, and a call that does not cross it makes no system call at
 * all; a shrink drops the watermark, and the next growth populates again.
 * VSTACK_NOPOPULATE and VSTACK_POPULATE=0 populate nothing.  A child of
 * fork reads zero in the populated free tail and has none of it resident.
 * Under memcheck the grown part stays defined (zeros) and the reservation
 * above it no-access: populate changes no annotation.  Skips, with the
 * reason, where the kernel has no MADV_POPULATE_WRITE. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <vstack.h>

#include "os.h"
#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#endif
#include "tap.h"
#include "testing.h"
#include "testutil.h"

#define MB ((size_t)1 << 20)
/* Pools here commit 64 MiB: the batch is 64 MiB / 16 (src/internal.h's
 * VS_POPULATE_SHARE), within its bounds of 2 and 32 MiB. */
#define SIZE (64 * MB)
#define BATCH (SIZE / 16)
/* Slack for resident memory: a page table's worth of rounding. */
#define SLACK_KB 256L

/* Resident kB of the mappings that overlap [base + from, base + to): the
 * tests measure from the base and subtract what the client wrote. */
static long rss_kb(const vstack_pool *p, size_t from, size_t to)
{
    struct tu_smaps sm;
    uintptr_t b = (uintptr_t)vstack_pool_base(p);
    if (tu_smaps_range(b + from, b + to, &sm) != 0)
        return -1;
    return sm.rss_kb;
}

static void on_warn(vstack_pool *p, int err, const char *msg, void *ctx)
{
    (void)p;
    (void)err;
    (void)msg;
    ++*(int *)ctx;
}

/* Growth, set_used, shrink: the watermark at most one batch ahead.  The
 * pool starts with BASE in use, a batch's worth, so that the batch is not
 * cut to what the pool uses (small(), below). */
#define BASE BATCH
static void batches(void)
{
    vstack_pool p;
    int said = 0;
    tu_env("VSTACK_POPULATE", NULL);
    if (vstack_pool_init(&p, BASE, 512 * MB, 0) != VSTACK_OK)
        bail_out("no pool");
    vstack_pool_set_warn_handler(&p, on_warn, &said);
    unsigned char *b = vstack_pool_base(&p);
    memset(b, 1, BASE);
    vs_os_fail_reset();
    is_int(vstack_pool_resize(&p, SIZE), VSTACK_OK, "the pool grows to 64 MiB");
    is_int(vs_os_count(VS_OS_POPULATE), 1, "growth: one populate call");
    long rss = rss_kb(&p, 0, SIZE), ahead = rss - (long)(BASE >> 10);
    ok(ahead >= (long)(BATCH >> 10) - SLACK_KB && ahead <= (long)(BATCH >> 10) + SLACK_KB,
       "growth: one batch (%zu kB) resident past the old size, unwritten (%ld kB)", BATCH >> 10, ahead);

    /* The watermark is at BASE + BATCH: used BASE + BATCH / 2 is half a
     * batch below it. */
    vs_os_fail_reset();
    vstack_pool_set_used(&p, BASE + BATCH / 2);
    is_int(vs_os_count(VS_OS_POPULATE), 0, "set_used half a batch below the watermark: no populate");
    memset(b + BASE, 2, BATCH / 2 + MB);
    vs_os_fail_reset();
    vstack_pool_set_used(&p, BASE + MB + BATCH / 2);
    is_int(vs_os_count(VS_OS_POPULATE), 1, "set_used within half a batch of the watermark: one populate");
    rss = rss_kb(&p, 0, SIZE);
    ahead = rss - (long)((BASE + MB + BATCH / 2) >> 10);
    ok(ahead >= (long)(BATCH >> 10) - SLACK_KB && ahead <= (long)(BATCH >> 10) + SLACK_KB,
       "set_used: one batch resident past used (%ld kB)", ahead);
    struct vstack_pool_stats stats;
    vstack_pool_get_stats(&p, &stats);
    is_int(stats.ahead, BATCH, "vstack_pool_get_stats: ahead is the batch past used");
    vs_os_fail_reset();
    vstack_pool_set_used(&p, BASE + MB + BATCH / 2);
    ok(vs_os_count(VS_OS_POPULATE) == 0 && vs_os_count(VS_OS_WIPE) == 0 && vs_os_count(VS_OS_SIGBLOCK) == 0,
       "set_used with the same tail again: no call at all (%lu populate, %lu wipe, %lu block)",
       vs_os_count(VS_OS_POPULATE), vs_os_count(VS_OS_WIPE), vs_os_count(VS_OS_SIGBLOCK));
    vstack_pool_set_used(&p, BASE);
    is_int(vs_os_count(VS_OS_POPULATE), 0, "set_used lower: no populate");
    vstack_pool_get_stats(&p, &stats);
    is_int(stats.ahead, BATCH, "after a collection, ahead still counts from the most used, not the pages written");

    /* Near the top: clipped at the committed part. */
    vs_os_fail_reset();
    vstack_pool_set_used(&p, SIZE - MB);
    is_int(vs_os_count(VS_OS_POPULATE), 1, "set_used near the top: one populate");
    ok(rss_kb(&p, 0, SIZE) <= (long)(SIZE >> 10) && rss_kb(&p, SIZE, 512 * MB) == 0,
       "nothing past the committed part (%ld kB above it)", rss_kb(&p, SIZE, 512 * MB));
    vstack_pool_set_used(&p, SIZE);
    is_int(vs_os_count(VS_OS_POPULATE), 1, "set_used of the whole pool: no populate");

    /* A shrink drops the watermark with the pages; growth populates again. */
    vstack_pool_set_used(&p, BASE);
    is_int(vstack_pool_resize(&p, 2 * BASE), VSTACK_OK, "the pool shrinks to 8 MiB");
    rss = rss_kb(&p, 0, 512 * MB);
    ok(rss >= 0 && rss <= (long)(2 * BASE >> 10), "after the shrink, at most 8 MiB resident (%ld kB)", rss);
    vs_os_fail_reset();
    is_int(vstack_pool_resize(&p, SIZE), VSTACK_OK, "the pool grows again");
    is_int(vs_os_count(VS_OS_POPULATE), 1, "growth after the shrink: one populate call");
    ahead = rss_kb(&p, 0, SIZE) - (long)(2 * BASE >> 10);
    ok(ahead >= (long)(BATCH >> 10) - SLACK_KB && ahead <= (long)(BATCH >> 10) + SLACK_KB,
       "one batch past the old size again (%ld kB)", ahead);
    vstack_pool_get_stats(&p, &stats);
    is_int(stats.ahead, BATCH, "vstack_pool_get_stats: ahead counts from the size before the growth");
    ok(b[0] == 1 && b[BASE] == 2 && b[BASE + BATCH / 2 + MB - 1] == 2 && b[BASE + BATCH / 2 + MB] == 0 &&
           b[2 * BASE] == 0,
       "the pool's data stays");
    is_int(said, 0, "nothing said");
    vstack_pool_destroy(&p);
}

/* A pool that uses less than a batch populates no more than it uses, and
 * one that uses less than a page, nothing. */
static void small(void)
{
    vstack_pool p;
    if (vstack_pool_init(&p, 1 * MB, 512 * MB, 0) != VSTACK_OK)
        bail_out("small: no pool");
    memset(vstack_pool_base(&p), 1, 1 * MB);
    vs_os_fail_reset();
    is_int(vstack_pool_resize(&p, SIZE), VSTACK_OK, "small: the pool that uses 1 MiB grows to 64 MiB");
    is_int(vs_os_count(VS_OS_POPULATE), 1, "small: one populate call");
    long ahead = rss_kb(&p, 0, SIZE) - (long)(1 * MB >> 10);
    ok(ahead >= (long)(1 * MB >> 10) - SLACK_KB && ahead <= (long)(1 * MB >> 10) + SLACK_KB,
       "small: 1 MiB resident past the old size, what it uses, not the batch of %zu kB (%ld kB)", BATCH >> 10,
       ahead);
    struct vstack_pool_stats stats;
    vstack_pool_get_stats(&p, &stats);
    is_int(stats.ahead, 1 * MB, "small: vstack_pool_get_stats says 1 MiB ahead");
    vstack_pool_destroy(&p);

    if (vstack_pool_init(&p, 1 * MB, 512 * MB, 0) != VSTACK_OK)
        bail_out("small: no pool");
    size_t page = tu_page_size();
    vs_os_fail_reset();
    vstack_pool_set_used(&p, page - 1);
    is_int(vs_os_count(VS_OS_POPULATE), 0, "small: less than a page in use: no populate");
    vstack_pool_set_used(&p, 3 * page + 5);
    is_int(vs_os_count(VS_OS_POPULATE), 1, "small: three pages in use: one populate");
    vstack_pool_get_stats(&p, &stats);
    is_int(stats.ahead, 3 * page, "small: three pages ahead, no more");
    vstack_pool_destroy(&p);
}

/* A pool made with flags under VSTACK_POPULATE=value populates nothing. */
static void off(unsigned flags, const char *value, const char *what)
{
    vstack_pool p;
    tu_env("VSTACK_POPULATE", value);
    if (vstack_pool_init(&p, 1 * MB, 512 * MB, flags) != VSTACK_OK)
        bail_out("%s: no pool", what);
    vs_os_fail_reset();
    vstack_pool_set_used(&p, 0);
    if (vstack_pool_resize(&p, SIZE) != VSTACK_OK)
        bail_out("%s: cannot grow", what);
    vstack_pool_set_used(&p, MB);
    is_int(vs_os_count(VS_OS_POPULATE), 0, "%s: no populate call", what);
    long rss = rss_kb(&p, 0, SIZE);
    ok(rss >= 0 && rss <= SLACK_KB, "%s: nothing resident (%ld kB)", what, rss);
    vstack_pool_destroy(&p);
    tu_env("VSTACK_POPULATE", NULL);
}

/* GAP's pattern: grow by 8 MiB, write all of the new part, set_used. */
static void walk(void)
{
    vstack_pool p;
    if (vstack_pool_init(&p, 1 * MB, 512 * MB, 0) != VSTACK_OK)
        bail_out("walk: no pool");
    unsigned char *b = vstack_pool_base(&p);
    size_t size = 1 * MB;
    long worst = 0;
    vs_os_fail_reset();
    while (size < 256 * MB) {
        size_t n = size + 8 * MB;
        if (vstack_pool_resize(&p, n) != VSTACK_OK)
            bail_out("walk: cannot grow to %zu", n);
        long ahead = rss_kb(&p, 0, 512 * MB) - (long)(size >> 10);
        worst = ahead > worst ? ahead : worst;
        memset(b + size, 3, n - size);
        vstack_pool_set_used(&p, n);
        size = n;
    }
    unsigned long calls = vs_os_count(VS_OS_POPULATE);
    ok(calls >= 32 && calls <= 64, "walk to 256 MiB in 8 MiB steps: %lu populate calls for %zu pages", calls,
       size / tu_page_size());
    ok(worst <= (long)(32 * MB >> 10) + SLACK_KB, "at most one batch (32 MiB) resident past the old size (%ld kB)",
       worst);
    vstack_pool_destroy(&p);
}

/* Under memcheck: what the pool says of the grown part (defined: zeros)
 * and of the reservation above it (no-access), populate changes nothing. */
static void memcheck_as_before(void)
{
#ifdef HAVE_VALGRIND_MEMCHECK_H
    vstack_pool p;
    unsigned char probe = 0;
    if (tu_mem_state_of(&probe, 1) == TU_NOT_VALGRIND) {
        skip(3, "not running under valgrind (make check-valgrind runs this under memcheck)");
        return;
    }
    if (vstack_pool_init(&p, 1 * MB, 512 * MB, 0) != VSTACK_OK)
        bail_out("memcheck: no pool");
    const unsigned char *b = vstack_pool_base(&p);
    vs_os_fail_reset();
    if (vstack_pool_resize(&p, SIZE) != VSTACK_OK)
        bail_out("memcheck: cannot grow");
    ok(vs_os_count(VS_OS_POPULATE) == 1, "memcheck: the growth populated");
    tu_is_mem_state(b + 1 * MB, 64 << 10, TU_DEFINED, "memcheck: the populated part is defined, as grown");
    tu_is_mem_state(b + SIZE, 64 << 10, TU_NOACCESS, "memcheck: above the committed part, no-access");
    vstack_pool_destroy(&p);
#else
    skip(3, "built without valgrind's headers");
#endif
}

struct forked {
    const unsigned char *lo, *hi;
};

static void child_reads_zero(int fd, void *arg)
{
    struct forked *f = arg;
    struct tu_smaps sm;
    if (tu_smaps_range((uintptr_t)f->lo, (uintptr_t)f->hi, &sm) == 0)
        tu_child_ok(fd, sm.rss_kb <= 64, "the child has none of the free tail resident (%ld kB)", sm.rss_kb);
    else
        tu_child_ok(fd, 1, "the child's resident memory not checked: %s", tu_proc_why());
    size_t bad = 0;
    for (const unsigned char *q = f->lo; q < f->hi; q += 512)
        bad += *q != 0;
    tu_child_ok(fd, bad == 0, "the child reads zero above used (%zu nonzero samples)", bad);
}

static void fork_child_reads_zero(void)
{
    vstack_pool p;
    if (tu_lacks_wipe_on_fork()) {
        skip_check(tu_lacks_wipe_on_fork(), "the parent has a batch populated above used");
        skip_check(tu_lacks_wipe_on_fork(), "the child has none of it");
        skip_check(tu_lacks_wipe_on_fork(), "the child reads zero there");
        return;
    }
    if (vstack_pool_init(&p, 1 * MB, 512 * MB, 0) != VSTACK_OK)
        bail_out("fork: no pool");
    unsigned char *b = vstack_pool_base(&p);
    vstack_pool_set_used(&p, 1 * MB);
    if (vstack_pool_resize(&p, SIZE) != VSTACK_OK)
        bail_out("fork: cannot grow");
    /* Written up to 3 MiB, then only 1 MiB of it in use. */
    memset(b, 0xa5, 3 * MB);
    vstack_pool_set_used(&p, 3 * MB);
    vstack_pool_set_used(&p, 1 * MB);
    long rss = rss_kb(&p, 0, SIZE) - (long)(3 * MB >> 10);
    ok(rss >= (long)(BATCH >> 11), "fork: the parent has %ld kB populated above what it wrote", rss);
    struct forked f = {b + 1 * MB, b + SIZE};
    tu_in_child(child_reads_zero, &f, "fork with a populated free tail");
    ok(b[MB] == 0xa5 && b[3 * MB - 1] == 0xa5, "the parent's memory is as it was");
    vstack_pool_destroy(&p);
}

int main(void)
{
    tu_require_mmap();
    tu_require(tu_lacks_populate());
    if (!tu_have_proc())
        skip_all("%s", tu_proc_why());
    batches();
    small();
    off(VSTACK_NOPOPULATE, NULL, "VSTACK_NOPOPULATE");
    off(0, "0", "VSTACK_POPULATE=0");
    off(VSTACK_NOPOPULATE, "1", "VSTACK_NOPOPULATE beats VSTACK_POPULATE=1");
    walk();
    memcheck_as_before();
    fork_child_reads_zero();
    return done_testing();
}
