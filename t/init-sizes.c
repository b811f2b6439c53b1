/* SPDX-License-Identifier: MIT */
/* init-sizes: vstack_init with a fixed-size stack (vsize 0), with a huge
 * parisizemax (>= 8 GB), with bad arguments, and the rounding of sizes to
 * pages and to VSTACK_MIN_SIZE; destroy and init again. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <vstack.h>

#include "tap.h"
#include "testutil.h"

#define MB ((size_t)1 << 20)

/* The state of a freshly initialised stack: a bare reservation, until the
 * first allocation commits parisize (which is not counted as growth). */
static void check_fresh(vstack *st, size_t rsize, const char *what)
{
    struct vstack_stats s = tu_stats(st);
    ok(vstack_avma(st) == vstack_top(st), "%s: avma starts at top", what);
    is_int(s.used, 0, "%s: nothing used", what);
    is_int(s.committed, 0, "%s: nothing committed before the first allocation", what);
    is_int(s.rsize, rsize, "%s: stats.rsize", what);
    ok(s.grows == 0 && s.shrinks == 0 && s.high_water == 0,
       "%s: no growth, no shrink, no high water yet", what);
    vstack_sp av = vstack_avma(st);
    ok(vstack_alloc(st, 16) != NULL, "%s: the first allocation", what);
    s = tu_stats(st);
    is_int(s.committed, rsize, "%s: commits parisize", what);
    is_int(s.grows, 0, "%s: which is not counted as growth", what);
    vstack_set_avma(st, av);
}

/* Would heuristic overcommit refuse a read/write mapping of n bytes? */
static int machine_smaller_than(size_t n)
{
    FILE *f = fopen("/proc/sys/vm/overcommit_memory", "r");
    int mode = -1;
    unsigned long long total = 0, kb;
    char line[256];
    if (!f)
        return 0;
    if (fscanf(f, "%d", &mode) != 1)
        mode = -1;
    fclose(f);
    if (mode != 0 || !(f = fopen("/proc/meminfo", "r")))
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemTotal: %llu kB", &kb) == 1 || sscanf(line, "SwapTotal: %llu kB", &kb) == 1)
            total += kb * 1024;
    fclose(f);
    return total && total < n;
}

int main(void)
{
    struct tu_logs logs;
    vstack st;
    const size_t ps = tu_page_size();
    const int vg = tap_under_valgrind();
    const long maps0 = tu_maps_baseline();

    tu_require_mmap();

    tu_capture_defaults(&logs);

    /* vsize 0: a fixed-size stack. */
    is_int(vstack_init(&st, 1 * MB, 0, 0), VSTACK_OK, "init(1 MiB, 0)");
    check_fresh(&st, 1 * MB, "fixed");
    is_int(tu_default(&st, "parisizemax"), 0, "fixed: parisizemax reads back as 0");
    ok(tu_stats(&st).reserved >= 1 * MB, "fixed: the reservation covers parisize");
    {
        unsigned char *p = vstack_alloc(&st, 1 * MB - 4096);
        ok(p != NULL, "fixed: almost all of parisize can be allocated");
        if (p)
            tu_fill(p, 1 * MB - 4096, 7);
        is_int(vstack_grow(&st, 0), VSTACK_ESTACK, "fixed: vstack_grow(0) is VSTACK_ESTACK");
        is_int(vstack_grow(&st, 2 * MB), VSTACK_ESTACK,
               "fixed: vstack_grow(2 MiB) is VSTACK_ESTACK");
        is_int(logs.err.count, 0, "fixed: vstack_grow does not call the error handler");
        ok(vstack_alloc(&st, 8192) == NULL, "fixed: allocating past parisize returns NULL");
        is_int(logs.err.count, 1, "fixed: the error handler was called once");
        is_int(logs.err.last_err, VSTACK_ESTACK, "fixed: with VSTACK_ESTACK");
        is_int(tu_stats(&st).committed, 1 * MB, "fixed: still 1 MiB committed");
        ok(p && tu_check(p, 1 * MB - 4096, 7) < 0, "fixed: data intact");
    }
    vstack_destroy(&st);

    /* A huge parisizemax is reserved but not committed. */
    tu_logs_clear(&logs);
    is_int(vstack_init(&st, 1 * MB, (size_t)8 << 30, 0), VSTACK_OK, "init(1 MiB, 8 GiB)");
    check_fresh(&st, 1 * MB, "8 GiB");
    if (vg) {
        struct vstack_stats s = tu_stats(&st);
        ok(s.reserved <= VSTACK_VALGRIND_MAX && s.reserved >= 1 * MB,
           "8 GiB under valgrind: reservation capped at VSTACK_VALGRIND_MAX (%zu)", s.reserved);
        ok(logs.warn.count >= 1, "8 GiB under valgrind: the cap was announced by a warning");
        is_int(tu_default(&st, "parisizemax"), s.reserved, "parisizemax reports the real reservation");
    } else if (sizeof(size_t) >= 8) {
        struct vstack_stats s = tu_stats(&st);
        if (!ok(s.reserved >= (size_t)8 << 30, "8 GiB: stats.reserved >= 8 GiB (%zu)",
                s.reserved))
            tu_logs_diag(&logs);
        is_int(tu_default(&st, "parisizemax"), (size_t)8 << 30, "8 GiB: parisizemax reads back");
        is_int(logs.warn.count, 0, "8 GiB: no warning");
        ok(s.committed == 1 * MB, "8 GiB: after an allocation, only parisize is committed");
    } else {
        skip(1, "size_t is too small for 8 GiB");
    }
    /* 8e9, not a power of two: rounded to pages. */
    vstack_destroy(&st);
    if (!vg && sizeof(size_t) >= 8) {
        is_int(vstack_init(&st, 1 * MB, 8000000000u, 0), VSTACK_OK, "init(1 MiB, 8e9)");
        is_int(tu_default(&st, "parisizemax"), tu_round_up(8000000000u, ps),
               "8e9 reads back rounded to pages");
        ok(tu_stats(&st).reserved >= 8000000000u, "stats.reserved >= 8e9");
        vstack_destroy(&st);
    } else {
        skip(1, "no 8e9 reservation here");
    }

    /* A request larger than the machine (heuristic overcommit refuses a
     * read/write mapping above RAM + swap) is halved until it fits. */
    if (!vg && sizeof(size_t) >= 8 && machine_smaller_than((size_t)1 << 40)) {
        tu_logs_clear(&logs);
        is_int(vstack_init(&st, 1 * MB, (size_t)1 << 40, 0), VSTACK_OK,
               "init(1 MiB, 1 TiB) on a smaller machine succeeds");
        struct vstack_stats s = tu_stats(&st);
        ok(s.reserved < (size_t)1 << 40 && s.reserved >= 1 * MB,
           "1 TiB: the reservation was halved to %zu", s.reserved);
        if (!ok(logs.warn.count >= 1 && tu_mentions_size(logs.warn.last, s.reserved),
                "1 TiB: the warnings name the size granted"))
            tu_logs_diag(&logs);
        is_int(tu_default(&st, "parisizemax"), s.reserved, "1 TiB: parisizemax reports it");
        unsigned char *p = vstack_alloc(&st, 32 * MB);
        ok(p != NULL, "1 TiB: the stack grows");
        if (p)
            memset(p, 1, 32 * MB);
        vstack_destroy(&st);
    } else {
        skip(1, "needs overcommit mode 0, less than 1 TiB of RAM + swap, and no valgrind");
    }

    /* The exact boundaries: all of parisize, all of parisizemax. */
    tu_logs_clear(&logs);
    is_int(vstack_init(&st, 1 * MB, 0, 0), VSTACK_OK, "init(1 MiB, 0)");
    ok(vstack_alloc(&st, 1 * MB) != NULL, "fixed: exactly parisize can be allocated");
    ok(vstack_alloc(&st, 1) == NULL, "fixed: one byte more cannot");
    vstack_destroy(&st);
    is_int(vstack_init(&st, 1 * MB, 4 * MB, 0), VSTACK_OK, "init(1 MiB, 4 MiB)");
    ok(vstack_alloc(&st, 4 * MB) != NULL, "exactly parisizemax can be allocated");
    ok(vstack_alloc(&st, 1) == NULL, "one byte more cannot");
    is_int(tu_stats(&st).committed, 4 * MB, "all of parisizemax is committed");
    vstack_destroy(&st);
    is_int(logs.err.count, 2, "two overflows reported");

    /* Bad arguments. */
    tu_logs_clear(&logs);
    memset(&st, 0, sizeof st);
    is_int(vstack_init(&st, 2 * MB, 1 * MB, 0), VSTACK_EINVAL, "vsize < rsize: VSTACK_EINVAL");
    is_int(vstack_init(&st, 2 * MB, 2 * MB - 100, 0), VSTACK_OK,
           "vsize < rsize before rounding, equal after: accepted");
    vstack_destroy(&st);
    is_int(vstack_init(&st, 1 * MB, 64 * MB, VSTACK_DECOMMIT_UNMAP | VSTACK_DECOMMIT_REMAP),
           VSTACK_EINVAL, "both decommit flags: VSTACK_EINVAL");
    is_int(logs.err.count, 0, "failed inits do not call the error handler");

    /* Rounding: to whole pages, and up to VSTACK_MIN_SIZE. */
    is_int(vstack_init(&st, 100000, 300000, 0), VSTACK_OK, "init(100000, 300000)");
    is_int(tu_default(&st, "parisize"), 100000, "parisize 100000 reads back as given");
    is_int(tu_stats(&st).rsize, tu_round_up(100000, ps), "stats.rsize: 100000 page-rounded");
    is_int(tu_default(&st, "parisizemax"), tu_round_up(300000, ps), "parisizemax 300000 page-rounded");
    ok(vstack_alloc(&st, 16) != NULL, "a first allocation");
    is_int(tu_stats(&st).committed, tu_round_up(100000, ps), "commits parisize, page-rounded");
    ok(tu_stats(&st).reserved >= tu_round_up(300000, ps), "reservation covers parisizemax");
    vstack_destroy(&st);

    is_int(vstack_init(&st, 1, 0, 0), VSTACK_OK, "init(1, 0)");
    is_int(tu_default(&st, "parisize"), tu_round_up(VSTACK_MIN_SIZE, ps),
           "parisize 1 is raised to VSTACK_MIN_SIZE");
    ok(VSTACK_MIN_SIZE <= 1 * MB, "VSTACK_MIN_SIZE is at most 1 MB");
    vstack_destroy(&st);

    is_int(vstack_init(&st, 1000, 5000, 0), VSTACK_OK, "init(1000, 5000)");
    is_int(tu_default(&st, "parisize"), tu_round_up(VSTACK_MIN_SIZE, ps),
           "parisize 1000 is raised to VSTACK_MIN_SIZE");
    ok(tu_default(&st, "parisizemax") >= tu_default(&st, "parisize"),
       "parisizemax 5000 is raised along (%zu)", tu_default(&st, "parisizemax"));
    vstack_destroy(&st);

    /* Destroy, then init the same struct again, many times. */
    {
        int fails = 0;
        for (int i = 0; i < 50; i++) {
            if (vstack_init(&st, 64 << 10, 16 * MB, 0) != VSTACK_OK) {
                fails++;
                continue;
            }
            unsigned char *p = vstack_alloc(&st, 4 * MB);
            if (!p)
                fails++;
            else
                p[0] = p[4 * MB - 1] = 1;
            vstack_destroy(&st);
        }
        is_int(fails, 0, "50 init/alloc/destroy rounds on the same struct");
    }

    tu_maps_check(maps0, 0, -1, "no mapping left behind");
    if (!ok(logs.err.count == 0, "no error message"))
        tu_logs_diag(&logs);
    vstack_set_default_handlers(NULL, NULL, NULL);
    return done_testing();
}
