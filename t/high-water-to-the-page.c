/* SPDX-License-Identifier: MIT */
/* high-water-to-the-page: stats.high_water is the most ever used, rounded up
 * to a page, through deep, shallow and deeper computations, pops, resets,
 * a trim and a new parisize; the fast path that keeps it (a slow call once
 * per new page of depth) hands out the same addresses as before. */
#include "config.h"

#include <string.h>
#include <vstack.h>

#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

static size_t ps;

/* Push `total` bytes in chunks of `chunk` (a multiple of 16), writing
 * them; returns the bytes in use afterwards, or 0 on failure. */
static size_t compute(vstack *st, size_t total, size_t chunk)
{
    for (size_t done = 0; done < total; done += chunk) {
        unsigned char *p = vstack_alloc(st, chunk);
        if (!p)
            return 0;
        p[0] = p[chunk - 1] = 1;
    }
    return tu_stats(st).used;
}

static size_t hw(const vstack *st) { return tu_stats(st).high_water; }

int main(void)
{
    struct tu_logs logs;
    vstack st;
    size_t used;

    tu_require_mmap();
    ps = tu_page_size();
    tu_capture_defaults(&logs);
    if (vstack_init(&st, 1 * MB, 256 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init failed");
    is_int(hw(&st), 0, "a new stack: high_water 0");

    used = compute(&st, 10 * MB + 48, 48);
    is_int(hw(&st), tu_round_up(used, ps), "deep (%zu bytes in small chunks): high_water is that, page-rounded", used);
    vstack_pop_all(&st);
    is_int(hw(&st), tu_round_up(used, ps), "popped: high_water stays");

    size_t shallow = compute(&st, 1 * MB, 4096);
    ok(shallow > 0 && hw(&st) == tu_round_up(used, ps), "shallow: high_water stays (%zu)", hw(&st));
    vstack_pop_all(&st);
    is_int(vstack_reset(&st), VSTACK_OK, "reset");
    is_int(hw(&st), tu_round_up(used, ps), "after a reset: high_water stays");

    size_t deeper = compute(&st, 40 * MB + 16, 1 * MB + 16);
    is_int(hw(&st), tu_round_up(deeper, ps), "deeper again (%zu bytes in large chunks): high_water follows", deeper);
    vstack_pop_all(&st);

    /* The same depth again, through the fast path: nothing changes, and
     * the addresses are the same as the first time. */
    vstack_sp av = vstack_avma(&st);
    unsigned char *a = vstack_alloc(&st, 5000), *b = vstack_alloc(&st, 5000);
    vstack_set_avma(&st, av);
    ok(vstack_alloc(&st, 5000) == a && vstack_alloc(&st, 5000) == b,
       "the same requests get the same addresses");
    vstack_set_avma(&st, av);
    is_int(hw(&st), tu_round_up(deeper, ps), "and high_water is unchanged");

    is_int(vstack_trim(&st), VSTACK_OK, "trim");
    is_int(hw(&st), tu_round_up(deeper, ps), "after a trim: high_water stays");
    is_int(vstack_set_size(&st, 2 * MB), VSTACK_OK, "a new parisize (the contents are discarded)");
    is_int(hw(&st), tu_round_up(deeper, ps), "after a new parisize: high_water carries over");
    used = compute(&st, 64 * MB, 64 * KB);
    is_int(hw(&st), tu_round_up(used, ps) > tu_round_up(deeper, ps) ? tu_round_up(used, ps) : tu_round_up(deeper, ps),
           "and keeps counting on the new stack");

    is_int(logs.err.count, 0, "no error message");
    vstack_destroy(&st);
    vstack_set_default_handlers(NULL, NULL, NULL);
    return done_testing();
}
