/* SPDX-License-Identifier: MIT */
/* grow-keeps-addresses: growth across many doublings never moves what was
 * handed out; a pattern written into every chunk reads back intact; growth
 * doubles, counts, and stops at parisizemax; allocations are 16-byte
 * aligned; vstack_new_chunk hands out nwords longs. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vstack.h>

#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

struct chunk {
    unsigned char *p;
    size_t n;
};

static void growth_across_doublings(size_t total)
{
    struct tu_logs logs;
    vstack st;
    size_t nchunks = 0, cap = 4096, used = 0;
    struct chunk *chunks = calloc(cap, sizeof *chunks);
    int order_ok = 1, aligned = 1, failed = 0;
    unsigned long grows_seen = 0;
    size_t committed_prev;
    int doubling_ok = 1;

    if (!chunks)
        bail_out("out of memory");
    tu_capture_defaults(&logs);
    if (vstack_init(&st, 64 * KB, 2 * total, 0) != VSTACK_OK)
        bail_out("vstack_init(64 KiB, %zu) failed", 2 * total);
    committed_prev = tu_stats(&st).rsize; /* what the first allocation commits */

    /* Pieces of varied sizes, from a few bytes to a few MiB. */
    for (size_t i = 0; used < total && nchunks < cap; i++) {
        size_t n = (i % 7 == 3) ? (3 * MB + 17 * i) : (size_t)(1 + (i * 7919) % (600 * KB));
        unsigned char *p = vstack_alloc(&st, n);
        struct vstack_stats s = tu_stats(&st);
        if (!p) {
            failed = 1;
            diag("  allocation %zu of %zu bytes failed after %zu bytes", i, n, used);
            break;
        }
        if ((uintptr_t)p & 15)
            aligned = 0;
        if (nchunks && p + n > chunks[nchunks - 1].p)
            order_ok = 0;
        if (s.committed != committed_prev) {
            /* Growth doubles; one large request may take it further, but
             * never beyond what is needed, page-rounded, or twice the old. */
            size_t need = tu_round_up(s.used, tu_page_size());
            if (s.committed < 2 * committed_prev && s.committed < need)
                doubling_ok = 0;
            if (s.committed > 2 * committed_prev && s.committed > need + 2 * MB) {
                doubling_ok = 0;
                diag("  committed %zu -> %zu for %zu in use", committed_prev, s.committed,
                     s.used);
            }
            grows_seen++;
            committed_prev = s.committed;
        }
        tu_fill(p, n, i);
        chunks[nchunks].p = p;
        chunks[nchunks].n = n;
        nchunks++;
        used += n;
    }
    ok(!failed && used >= total, "allocated %zu bytes in %zu chunks", used, nchunks);
    ok(aligned, "every chunk is 16-byte aligned");
    ok(order_ok, "chunks go downward and do not overlap");
    ok(doubling_ok, "each growth doubles (or covers a larger request)");
    {
        struct vstack_stats s = tu_stats(&st);
        size_t bad = 0;
        for (size_t i = 0; i < nchunks; i++)
            if (tu_check(chunks[i].p, chunks[i].n, i) >= 0) {
                if (!bad)
                    diag("  chunk %zu at %p (%zu bytes) corrupted at %ld", i,
                         (void *)chunks[i].p, chunks[i].n, tu_check(chunks[i].p, chunks[i].n, i));
                bad++;
            }
        is_int(bad, 0, "every chunk still holds its pattern, at its original address");
        ok(s.grows >= 4, "stats.grows counts the doublings (%lu)", s.grows);
        is_int(s.grows, grows_seen, "stats.grows matches the growths observed");
        ok(s.committed >= s.used && s.committed <= s.reserved,
           "used <= committed <= reserved (%zu, %zu, %zu)", s.used, s.committed, s.reserved);
        ok(s.high_water >= used, "high_water >= what was allocated (%zu)", s.high_water);
        ok(vstack_avma(&st) == (vstack_sp)chunks[nchunks - 1].p, "avma is the last chunk");
        ok(vstack_top(&st) - vstack_avma(&st) == s.used, "used is top - avma");
    }
    /* Popping half and allocating again hands out the same addresses. */
    {
        size_t half = nchunks / 2;
        vstack_sp av = (vstack_sp)chunks[half - 1].p;
        vstack_set_avma(&st, av);
        unsigned char *p = vstack_alloc(&st, chunks[half].n);
        ok(p == chunks[half].p, "after set_avma, the same request gets the same address");
        ok(tu_check(chunks[half - 1].p, chunks[half - 1].n, half - 1) < 0,
           "data below the restored avma is intact");
    }
    /* high_water remembers the most ever used, after everything is popped
     * and the stack reset. */
    {
        size_t hw = tu_stats(&st).high_water;
        vstack_pop_all(&st);
        vstack_reset(&st);
        ok(tu_stats(&st).high_water == hw && hw >= used,
           "high_water kept after popping and reset (%zu)", tu_stats(&st).high_water);
        ok(vstack_alloc(&st, 1000) != NULL && tu_stats(&st).high_water == hw,
           "a small allocation does not change high_water");
    }
    is_int(logs.err.count, 0, "no error message");
    vstack_destroy(&st);
    free(chunks);
}

static void explicit_grow(void)
{
    struct tu_logs logs;
    vstack st;
    struct vstack_stats s;
    unsigned long g0;
    unsigned char *p;

    tu_capture_defaults(&logs);
    if (vstack_init(&st, 1 * MB, 64 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init(1 MiB, 64 MiB) failed");
    p = vstack_alloc(&st, 512 * KB);
    if (p)
        tu_fill(p, 512 * KB, 99);
    g0 = tu_stats(&st).grows;

    is_int(vstack_grow(&st, 0), VSTACK_OK, "vstack_grow(0)");
    is_int(tu_stats(&st).committed, 2 * MB, "vstack_grow(0) doubles 1 MiB to 2 MiB");
    is_int(vstack_grow(&st, 0), VSTACK_OK, "vstack_grow(0) again");
    is_int(tu_stats(&st).committed, 4 * MB, "to 4 MiB");
    is_int(tu_stats(&st).grows, g0 + 2, "stats.grows counts both");

    is_int(vstack_grow(&st, 4 * MB), VSTACK_OK, "vstack_grow(committed) is a no-op returning 0");
    is_int(vstack_grow(&st, 3 * MB), VSTACK_OK, "vstack_grow(below committed) returns 0");
    is_int(vstack_grow(&st, 1), VSTACK_OK, "vstack_grow(1) returns 0");
    s = tu_stats(&st);
    is_int(s.committed, 4 * MB, "committed unchanged by the no-ops");
    is_int(s.grows, g0 + 2, "the no-ops are not counted as growth");

    is_int(vstack_grow(&st, 10 * MB + 1), VSTACK_OK, "vstack_grow(10 MiB + 1)");
    ok(tu_stats(&st).committed >= 10 * MB + 1 && tu_stats(&st).committed <= 16 * MB,
       "commits at least what was asked (%zu)", tu_stats(&st).committed);

    is_int(vstack_grow(&st, 64 * MB + 1), VSTACK_ESTACK,
           "vstack_grow beyond parisizemax is VSTACK_ESTACK");
    is_int(vstack_grow(&st, SIZE_MAX), VSTACK_ESTACK, "vstack_grow(SIZE_MAX) is VSTACK_ESTACK");
    {
        /* The sentence gives the size asked in bytes and in the largest
         * unit that fits: EiB on 64 bits, GiB on 32. */
        char want[64];
        snprintf(want, sizeof want, "cannot grow to %zu bytes (%s", (size_t)SIZE_MAX,
                 SIZE_MAX > 0xffffffffu ? "16 EiB)" : "4 GiB)");
        ok(strstr(vstack_last_error(&st), want) != NULL, "and says so: %s", vstack_last_error(&st));
    }
    ok(tu_stats(&st).committed <= 16 * MB, "a refused growth commits nothing");
    is_int(vstack_grow(&st, 64 * MB), VSTACK_OK, "vstack_grow(parisizemax) is allowed");
    is_int(tu_stats(&st).committed, 64 * MB, "all of parisizemax is committed");
    ok(vstack_grow(&st, 0) != VSTACK_OK || tu_stats(&st).committed == 64 * MB,
       "doubling at parisizemax stays capped");
    is_int(logs.err.count, 0, "vstack_grow never calls the error handler");
    ok(p && tu_check(p, 512 * KB, 99) < 0, "data intact through explicit growth");
    /* All of it is usable. */
    {
        unsigned char *q = vstack_alloc(&st, 63 * MB);
        ok(q != NULL, "63 MiB more fit without a library-side growth");
        if (q) {
            q[0] = 1;
            q[63 * MB - 1] = 2;
        }
    }
    vstack_destroy(&st);
}

static void alignment_and_new_chunk(void)
{
    struct tu_logs logs;
    vstack st;
    int aligned = 1, sized = 1;

    tu_capture_defaults(&logs);
    if (vstack_init(&st, 64 * KB, 16 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init(64 KiB, 16 MiB) failed");
    for (size_t n = 0; n < 200; n++) {
        vstack_sp before = vstack_avma(&st);
        unsigned char *p = vstack_alloc(&st, n * 13 + (n & 1));
        if (!p || ((uintptr_t)p & 15))
            aligned = 0;
        if (p && (vstack_sp)p + n * 13 + (n & 1) > before)
            sized = 0;
        if (p)
            memset(p, 0xa5, n * 13 + (n & 1));
    }
    ok(aligned, "vstack_alloc results are 16-byte aligned for odd sizes");
    ok(sized, "each result leaves room for the request below the previous avma");

    {
        vstack_sp before = vstack_avma(&st);
        long *w = vstack_new_chunk(&st, 1001);
        ok(w != NULL && ((uintptr_t)w & 15) == 0, "vstack_new_chunk(1001) is 16-byte aligned");
        ok(w && before - (vstack_sp)w >= 1001 * sizeof(long),
           "vstack_new_chunk(1001) moves avma by at least 1001 longs");
        ok(w && vstack_avma(&st) == (vstack_sp)w, "avma is the chunk");
        if (w) {
            for (long i = 0; i < 1001; i++)
                w[i] = i * 3;
            long bad = 0;
            for (long i = 0; i < 1001; i++)
                bad += w[i] != i * 3;
            is_int(bad, 0, "the 1001 words hold what was written");
        }
        /* A chunk larger than the committed part triggers growth. */
        long *big = vstack_new_chunk(&st, (8 * MB) / sizeof(long));
        ok(big != NULL, "vstack_new_chunk of 8 MiB grows the stack");
        if (big)
            big[0] = big[(8 * MB) / sizeof(long) - 1] = 7;
        ok(w && w[1000] == 3000, "the earlier chunk is intact after growth");

        logs.err.count = 0;
        vstack_sp av = vstack_avma(&st);
        long *huge = vstack_new_chunk(&st, SIZE_MAX / sizeof(long) + 1);
        ok(huge == NULL, "vstack_new_chunk(SIZE_MAX / sizeof(long) + 1) is refused");
        is_int(logs.err.count, 1, "and reported to the error handler");
        is_int(logs.err.last_err, VSTACK_ESTACK, "as VSTACK_ESTACK");
        ok(vstack_avma(&st) == av, "avma unchanged");
    }
    vstack_destroy(&st);
}

int main(void)
{
    tu_require_mmap();
    const long maps0 = tu_maps_baseline();
    growth_across_doublings(tap_under_valgrind() ? 64 * MB : 256 * MB);
    explicit_grow();
    alignment_and_new_chunk();
    tu_maps_check(maps0, 0, -1, "no mapping left behind");
    vstack_set_default_handlers(NULL, NULL, NULL);
    return done_testing();
}
