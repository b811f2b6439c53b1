/* SPDX-License-Identifier: MIT */
/* pool-grows-from-a-fixed-base: vstack_pool, GAP's workspace on the stack's
 * machinery.  The base never moves; sizes are page-rounded and never below
 * minsize; growing keeps the data and shrinking keeps the first bytes and
 * gives pages and commit charge back; a huge maxsize costs no commit charge;
 * the soft limit warns once per crossing and the hard limit refuses; bad
 * arguments are refused with a sentence and change nothing; a minsize that
 * cannot be had is refused, never clipped. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)
#define GB ((size_t)1 << 30)

static size_t ps;

struct warns {
    int count, last_err;
    char last[256];
};

static void on_warn(vstack_pool *p, int err, const char *msg, void *ctx)
{
    struct warns *w = ctx;
    (void)p;
    w->count++;
    w->last_err = err;
    strncpy(w->last, msg, sizeof w->last - 1);
}

static struct vstack_pool_stats stats(const vstack_pool *p)
{
    struct vstack_pool_stats s;
    vstack_pool_get_stats(p, &s);
    return s;
}

/* What smaps says of [base, base + reserved): rss and charged bytes. */
static int charge(const vstack_pool *p, struct tu_smaps *sm)
{
    uintptr_t b = (uintptr_t)vstack_pool_base(p);
    return tu_have_proc() ? tu_smaps_range(b, b + stats(p).reserved, sm) : -1;
}

static void sizes_and_data(void)
{
    vstack_pool p;
    struct tu_smaps sm;
    long maps0 = tu_maps_baseline();

    is_int(vstack_pool_init(&p, 1 * MB + 1, 256 * MB, 0), VSTACK_OK, "init(1 MiB + 1, 256 MiB)");
    unsigned char *base = vstack_pool_base(&p);
    is_int(vstack_pool_size(&p), tu_round_up(1 * MB + 1, ps), "the size is minsize, page-rounded");
    is_int(stats(&p).minsize, tu_round_up(1 * MB + 1, ps), "stats.minsize as rounded");
    is_int(stats(&p).reserved, 256 * MB, "stats.reserved is maxsize");
    ok(base != NULL && (uintptr_t)base % ps == 0, "the base is page-aligned");
    tu_fill(base, vstack_pool_size(&p), 1);

    is_int(vstack_pool_resize(&p, 100 * MB), VSTACK_OK, "resize to 100 MiB");
    ok(vstack_pool_base(&p) == base, "the base did not move");
    is_int(vstack_pool_size(&p), 100 * MB, "size 100 MiB");
    ok(tu_check(base, 1 * MB, 1) < 0, "the first MiB survived the growth");
    memset(base + 1 * MB, 7, 99 * MB);
    ok(base[100 * MB - 1] == 7, "all of the new part is writable");
    if (charge(&p, &sm) == 0)
        ok(sm.rss_kb >= (long)(99 * MB / KB), "it is resident once written (%ld kB)", sm.rss_kb);
    else
        skip(1, "%s", tu_proc_why());

    is_int(vstack_pool_resize(&p, 10 * MB + 5), VSTACK_OK, "resize down to 10 MiB + 5");
    is_int(vstack_pool_size(&p), tu_round_up(10 * MB + 5, ps), "size page-rounded up");
    ok(tu_check(base, 1 * MB, 1) < 0 && base[10 * MB - 1] == 7, "the first bytes are kept");
    if (charge(&p, &sm) == 0) {
        ok(sm.rss_kb <= (long)(11 * MB / KB), "the tail's pages went back (Rss %ld kB)", sm.rss_kb);
        ok(sm.ac_bytes <= 11 * MB, "and its commit charge (%llu bytes charged)", sm.ac_bytes);
    } else {
        skip(1, "%s", tu_proc_why());
    }
    is_int(vstack_pool_resize(&p, 100 * MB), VSTACK_OK, "grow again");
    if (tap_under_valgrind()) {
        skip(1, "memcheck: a fresh commit is undefined, by design");
    } else {
        size_t nonzero = 0;
        for (size_t off = 11 * MB; off < 100 * MB; off += ps)
            nonzero += base[off] != 0;
        is_int(nonzero, 0, "the part given back reads as zero when committed again");
    }
    is_int(vstack_pool_resize(&p, 0), VSTACK_OK, "resize(0)");
    is_int(vstack_pool_size(&p), tu_round_up(1 * MB + 1, ps), "0 means minsize");
    is_int(vstack_pool_resize(&p, 4096), VSTACK_OK, "resize below minsize");
    is_int(vstack_pool_size(&p), tu_round_up(1 * MB + 1, ps), "is minsize");
    struct vstack_pool_stats s = stats(&p);
    is_int(s.high_water, 100 * MB, "high_water is the largest size ever committed");
    ok(s.grows == 2 && s.shrinks == 2, "two grows and two shrinks (%lu, %lu)", s.grows, s.shrinks);

    /* Beyond the reservation: refused, nothing changed. */
    size_t before = vstack_pool_size(&p);
    is_int(vstack_pool_resize(&p, 257 * MB), VSTACK_ESTACK, "beyond maxsize: VSTACK_ESTACK");
    ok(tu_mentions_size(vstack_pool_last_error(&p), 256 * MB), "the sentence names maxsize: %s",
       vstack_pool_last_error(&p));
    is_int(vstack_pool_last_error_code(&p), VSTACK_ESTACK, "vstack_pool_last_error_code agrees");
    is_int(vstack_pool_size(&p), before, "the size is unchanged");
    is_int(vstack_pool_resize(&p, 2 * MB), VSTACK_OK, "a later resize works");
    ok(*vstack_pool_last_error(&p) == 0, "and clears the last error");
    vstack_pool_destroy(&p);
    tu_maps_check(maps0, 0, 32, "destroy leaves nothing mapped");
    ok(vstack_pool_base(&p) == NULL && vstack_pool_size(&p) == 0, "a destroyed pool is zeroed");
    vstack_pool_destroy(&p);
    ok(1, "destroying it twice is harmless");
}

static void huge_reservation(void)
{
    vstack_pool p;
    struct tu_smaps sm;
    size_t max = sizeof(size_t) >= 8 && !tap_under_valgrind() ? 16 * GB : 512 * MB;
    long long before = tu_have_proc() && tu_smaps_range(0, UINTPTR_MAX, &sm) == 0 ? (long long)sm.ac_bytes : -1;

    is_int(vstack_pool_init(&p, 4 * MB, max, VSTACK_NOPROBE), VSTACK_OK, "init(4 MiB, %zu MiB)", max / MB);
    if (before >= 0 && tu_smaps_range(0, UINTPTR_MAX, &sm) == 0)
        ok((long long)sm.ac_bytes - before < 64 * (long long)MB,
           "the process's commit charge grew by %lld kB, under 64 MiB", ((long long)sm.ac_bytes - before) / 1024);
    else
        skip(1, "%s", tu_proc_why());
    if (charge(&p, &sm) == 0)
        ok(sm.without_nr == 0 || tu_overcommit_mode() == 2, "the reservation is MAP_NORESERVE");
    else
        skip(1, "%s", tu_proc_why());
    vstack_pool_destroy(&p);
}

static void limits(void)
{
    vstack_pool p;
    struct warns w = {0};

    is_int(vstack_pool_init(&p, 1 * MB, 64 * MB, 0), VSTACK_OK, "init(1 MiB, 64 MiB)");
    vstack_pool_set_warn_handler(&p, on_warn, &w);
    is_int(vstack_pool_set_limits(&p, 8 * MB, 16 * MB), VSTACK_OK, "soft 8 MiB, hard 16 MiB");
    is_int(vstack_pool_resize(&p, 8 * MB), VSTACK_OK, "up to the soft limit");
    is_int(w.count, 0, "no warning at the soft limit itself");
    is_int(vstack_pool_resize(&p, 12 * MB), VSTACK_OK, "past the soft limit: succeeds");
    ok(w.count == 1 && tu_mentions_size(w.last, 8 * MB), "one warning naming the soft limit: %s", w.last);
    ok(strcmp(vstack_pool_last_error(&p), w.last) == 0, "it is also the last error of that call");
    is_int(vstack_pool_resize(&p, 14 * MB), VSTACK_OK, "further past it");
    is_int(w.count, 1, "no second warning");
    is_int(vstack_pool_resize(&p, 17 * MB), VSTACK_ESTACK, "past the hard limit: VSTACK_ESTACK");
    is_int(w.count, 1, "a refusal is not a warning");
    ok(tu_mentions_size(vstack_pool_last_error(&p), 16 * MB), "the sentence names the hard limit: %s",
       vstack_pool_last_error(&p));
    is_int(vstack_pool_size(&p), 14 * MB, "nothing changed");
    is_int(vstack_pool_resize(&p, 16 * MB), VSTACK_OK, "up to the hard limit itself");
    is_int(vstack_pool_resize(&p, 8 * MB), VSTACK_OK, "down to the soft limit");
    is_int(vstack_pool_resize(&p, 9 * MB), VSTACK_OK, "across it again");
    is_int(w.count, 2, "the warning re-armed");
    is_int(vstack_pool_set_limits(&p, 0, 0), VSTACK_OK, "no limits");
    is_int(vstack_pool_resize(&p, 64 * MB), VSTACK_OK, "up to maxsize");
    is_int(w.count, 2, "and no warning");

    /* A soft limit set below the size was crossed already: the next
     * growth says nothing, nor does a shrink that stays above it; going
     * down to it re-arms the warning. */
    is_int(vstack_pool_resize(&p, 20 * MB), VSTACK_OK, "down to 20 MiB");
    is_int(vstack_pool_set_limits(&p, 8 * MB, 0), VSTACK_OK, "soft 8 MiB below the size, no hard limit");
    is_int(vstack_pool_resize(&p, 24 * MB), VSTACK_OK, "growth past a soft limit crossed already");
    is_int(vstack_pool_resize(&p, 12 * MB), VSTACK_OK, "a shrink that stays above it");
    is_int(vstack_pool_resize(&p, 16 * MB), VSTACK_OK, "growth again");
    is_int(w.count, 2, "no warning: it was crossed before the limit was set");
    is_int(vstack_pool_resize(&p, 8 * MB), VSTACK_OK, "down to the soft limit");
    is_int(vstack_pool_resize(&p, 10 * MB), VSTACK_OK, "across it");
    ok(w.count == 3 && tu_mentions_size(w.last, 8 * MB), "now it warns: %s", w.last);
    is_int(vstack_pool_set_limits(&p, 0, 0), VSTACK_OK, "no limits again");
    is_int(vstack_pool_resize(&p, 64 * MB), VSTACK_OK, "back up to maxsize");

    /* Bad limits: refused, nothing changed. */
    is_int(vstack_pool_set_limits(&p, 0, 32 * MB), VSTACK_EINVAL, "a hard limit below the size");
    ok(strstr(vstack_pool_last_error(&p), "the pool's size") != NULL, "names the pool's size: %s",
       vstack_pool_last_error(&p));
    vstack_pool_resize(&p, 0);
    is_int(vstack_pool_set_limits(&p, 0, 512 * KB), VSTACK_EINVAL, "a hard limit below minsize");
    is_int(vstack_pool_set_limits(&p, 8 * MB, 4 * MB), VSTACK_EINVAL, "a soft limit above the hard one");
    ok(stats(&p).soft == 0 && stats(&p).hard == 0, "the limits are unchanged");
    is_int(vstack_pool_resize(&p, 40 * MB), VSTACK_OK, "and no limit applies");
    vstack_pool_destroy(&p);
}

static void bad_init(void)
{
    vstack_pool p;
    is_int(vstack_pool_init(&p, 2 * MB, 1 * MB, 0), VSTACK_EINVAL, "minsize > maxsize: VSTACK_EINVAL");
    ok(strstr(vstack_pool_last_error(&p), "minsize") != NULL, "the sentence says so: %s", vstack_pool_last_error(&p));
    ok(vstack_pool_base(&p) == NULL, "nothing was reserved");
    is_int(vstack_pool_init(&p, 0, 1 * MB, VSTACK_HUGEPAGES | VSTACK_NOHUGEPAGES), VSTACK_EINVAL,
           "contradictory flags: VSTACK_EINVAL");
    is_int(vstack_pool_init(&p, 0, 1 * MB, 0x80000000u), VSTACK_EINVAL, "unknown flags: VSTACK_EINVAL");
    is_int(vstack_pool_init(&p, 0, 1 * MB, 0), VSTACK_OK, "minsize 0 is allowed");
    is_int(vstack_pool_size(&p), 0, "and commits nothing");
    is_int(vstack_pool_resize(&p, 1), VSTACK_OK, "resize(1)");
    is_int(vstack_pool_size(&p), ps, "commits one page");
    vstack_pool_destroy(&p);
}

/* Halving stops at minsize, which is committed at once: a minsize that
 * cannot be had is VSTACK_ENOMEM, never a smaller minimum; above it the
 * reservation halves as a stack's does, and the warning names the maxsize
 * as it was given. */
static void minsize_is_kept_or_refused(void)
{
    vstack_pool p;
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_PROBE, 1, ENOMEM);
    is_int(vstack_pool_init(&p, 32 * MB, 32 * MB, 0), VSTACK_ENOMEM,
           "minsize = maxsize = 32 MiB, refused once: VSTACK_ENOMEM, not a smaller pool");
    ok(strstr(vstack_pool_last_error(&p), "committed at once") && tu_mentions_size(vstack_pool_last_error(&p), 32 * MB),
       "the sentence names the minimum: %s", vstack_pool_last_error(&p));
    ok(vstack_pool_base(&p) == NULL, "nothing is reserved");
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_PROBE, 1, ENOMEM);
    is_int(vstack_pool_init(&p, 16 * MB, 64 * MB, 0), VSTACK_OK, "minsize 16 MiB, maxsize 64 MiB, refused once");
    ok(stats(&p).reserved == 32 * MB && stats(&p).minsize == 16 * MB && vstack_pool_size(&p) == 16 * MB,
       "maxsize halves to 32 MiB, minsize stays 16 MiB and is committed");
    ok(tu_mentions_size(vstack_pool_last_error(&p), 64 * MB) && tu_mentions_size(vstack_pool_last_error(&p), 32 * MB),
       "the warning names what was asked and what was granted: %s", vstack_pool_last_error(&p));
    vstack_pool_destroy(&p);
    vs_os_fail_reset();
    if (sizeof(size_t) >= 8 && !tap_under_valgrind()) {
        int rc = vstack_pool_init(&p, SIZE_MAX, SIZE_MAX, 0);
#ifdef _WIN32
        /* VirtualAlloc calls a range of 4 EiB an invalid parameter: VSTACK_ESYS. */
        ok((rc == VSTACK_ENOMEM || rc == VSTACK_ESYS) && strstr(vstack_pool_last_error(&p), "cannot reserve"),
           "minsize SIZE_MAX: refused (it committed 16 GiB once): %s", vstack_pool_last_error(&p));
#else
        ok(rc == VSTACK_ENOMEM && strstr(vstack_pool_last_error(&p), "cannot reserve"),
           "minsize SIZE_MAX: VSTACK_ENOMEM (it committed 16 GiB once): %s", vstack_pool_last_error(&p));
#endif
        ok(vstack_pool_base(&p) == NULL, "nothing is reserved");
        rc = vstack_pool_init(&p, 0, SIZE_MAX, 0);
        ok(rc == VSTACK_OK && strstr(vstack_pool_last_error(&p), "18446744073709551615"),
           "maxsize SIZE_MAX: halved to fit, the warning names SIZE_MAX: %s", vstack_pool_last_error(&p));
        if (rc == VSTACK_OK)
            vstack_pool_destroy(&p);
    } else {
        skip(3, "SIZE_MAX is a quarter of the address space away from what fits on 32 bits, or valgrind caps it");
    }
}

int main(void)
{
    tu_require_mmap();
    ps = tu_page_size();
    sizes_and_data();
    huge_reservation();
    limits();
    bad_init();
    minsize_is_kept_or_refused();
    return done_testing();
}
