/* SPDX-License-Identifier: MIT */
/* defaults-get-set: GP's default(parisize|parisizemax) through
 * vstack_default, and vstack_default_get reporting the sizes as rounded;
 * bad arguments change nothing, good ones discard the stack's contents. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <vstack.h>

#include "tap.h"
#include "testutil.h"

static size_t get(const vstack *st, const char *name)
{
    size_t v = (size_t)-1;
    if (vstack_default_get(st, name, &v) != VSTACK_OK)
        return (size_t)-2;
    return v;
}

/* Allocate and fill a chunk, so that we can see whether contents survive. */
static unsigned char *fill_chunk(vstack *st, size_t n, uint64_t seed)
{
    unsigned char *p = vstack_alloc(st, n);
    if (p)
        tu_fill(p, n, seed);
    return p;
}

int main(void)
{
    struct tu_logs logs;
    vstack st;
    const size_t ps = tu_page_size();
    const int vg = tap_under_valgrind();
    const size_t MB = 1 << 20;

    tu_require_mmap();

    tu_capture_defaults(&logs);
    if (vstack_init(&st, 1 * MB, 64 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init(1 MiB, 64 MiB) failed");

    is_int(get(&st, "parisize"), 1 * MB, "parisize reads back as 1 MiB");
    is_int(get(&st, "parisizemax"), 64 * MB, "parisizemax reads back as 64 MiB");
    {
        size_t v = 77;
        is_int(vstack_default_get(&st, "stacksize", &v), VSTACK_EINVAL,
               "default_get of an unknown name is VSTACK_EINVAL");
        is_int(vstack_default_get(&st, "", &v), VSTACK_EINVAL,
               "default_get of an empty name is VSTACK_EINVAL");
    }

    /* "2G" is rounded up to whole pages: 2000003072 with 4 KiB pages. */
    is_int(vstack_default(&st, "parisizemax", "2G"), VSTACK_OK, "parisizemax = \"2G\"");
    if (vg) {
        size_t v = get(&st, "parisizemax");
        ok(v >= 1 * MB && v <= VSTACK_VALGRIND_MAX,
           "under valgrind, parisizemax \"2G\" is capped (%zu)", v);
    } else if (sizeof(size_t) < 8) {
        /* A 32-bit address space: the library takes no size above a
         * quarter of it (SIZE_MAX / 4, 1 GiB), so that doubling and
         * alignment cannot overflow, and halves what the system refuses. */
        size_t v = get(&st, "parisizemax"), cap = tu_round_up(SIZE_MAX / 4, ps);
        ok(v == cap || (v >= 1 * MB && v < cap && tu_mentions_size(vstack_last_error(&st), v)),
           "32-bit: \"2G\" reads back as the 1 GiB cap (%zu), or as what the system allowed, with a warning", v);
    } else if (ps == 4096) {
        is_int(get(&st, "parisizemax"), 2000003072, "\"2G\" reads back as 2000003072");
    } else {
        is_int(get(&st, "parisizemax"), tu_round_up(2000000000, ps),
               "\"2G\" reads back rounded to the page size %zu", ps);
    }
    is_int(tu_stats(&st).reserved >= get(&st, "parisizemax"), 1,
           "the reservation covers parisizemax");

    /* parisize "3M": 3000000 rounded to pages. */
    is_int(vstack_default(&st, "parisize", "3M"), VSTACK_OK, "parisize = \"3M\"");
    is_int(get(&st, "parisize"), 3000000, "\"3M\" reads back as given, as in gp");
    is_int(tu_stats(&st).committed, 0, "the new stack commits nothing yet");
    if (vstack_alloc(&st, 16))
        vstack_pop_all(&st);
    is_int(tu_stats(&st).committed, tu_round_up(3000000, ps),
           "its first allocation commits the new parisize");
    is_int(tu_stats(&st).rsize, tu_round_up(3000000, ps), "stats.rsize is page-rounded");

    /* Setting discards the contents: avma goes back to top. */
    {
        unsigned char *p = fill_chunk(&st, 100000, 1);
        ok(p != NULL && tu_stats(&st).used >= 100000, "allocated 100000 bytes");
        is_int(vstack_default(&st, "parisize", "2MiB"), VSTACK_OK, "parisize = \"2MiB\"");
        is_int(get(&st, "parisize"), 2 * MB, "\"2MiB\" reads back as 2097152");
        is_int(tu_stats(&st).used, 0, "setting parisize discarded the contents (used 0)");
        ok(vstack_avma(&st) == vstack_top(&st), "avma is back at top");
        p = fill_chunk(&st, 100000, 2);
        ok(p != NULL, "allocated again");
        is_int(vstack_default(&st, "parisizemax", "256MiB"), VSTACK_OK,
               "parisizemax = \"256MiB\"");
        is_int(get(&st, "parisizemax"), 256 * MB, "\"256MiB\" reads back");
        is_int(tu_stats(&st).used, 0, "setting parisizemax discarded the contents (used 0)");
        ok(vstack_avma(&st) == vstack_top(&st), "avma is back at top");
        is_int(get(&st, "parisize"), 2 * MB, "parisize kept when parisizemax changes");
    }

    /* Failures change nothing: not the sizes, not the contents. */
    {
        unsigned char *p = fill_chunk(&st, 300000, 3);
        vstack_sp av = vstack_avma(&st);
        static const char *const badsizes[] = {"", "12Q", "-1", "1 M", "1GB"};

        ok(p != NULL, "allocated 300000 bytes of live data");
        is_int(vstack_default(&st, "parisizemax", "1M"), VSTACK_EINVAL,
               "parisizemax \"1M\" below parisize 2 MiB is VSTACK_EINVAL");
        is_int(vstack_set_sizemax(&st, 1 * MB), VSTACK_EINVAL,
               "vstack_set_sizemax(1 MiB) below parisize is VSTACK_EINVAL");
        is_int(vstack_default(&st, "parisize", "512MiB"), VSTACK_EINVAL,
               "parisize \"512MiB\" above parisizemax 256 MiB is VSTACK_EINVAL");
        is_int(vstack_set_size(&st, 300 * MB), VSTACK_EINVAL,
               "vstack_set_size(300 MiB) above parisizemax is VSTACK_EINVAL");
        is_int(vstack_default(&st, "stacksize", "1G"), VSTACK_EINVAL,
               "an unknown default is VSTACK_EINVAL");
        is_int(vstack_default(&st, NULL, "1G"), VSTACK_EINVAL, "a NULL name is VSTACK_EINVAL");
        ok(strstr(vstack_last_error(&st), "unknown default '(null)'") != NULL, "and the sentence says so: %s",
           vstack_last_error(&st));
        is_int(vstack_default_get(&st, "parisize", NULL), VSTACK_EINVAL,
               "default_get with nowhere to write is VSTACK_EINVAL");
        for (size_t i = 0; i < sizeof badsizes / sizeof badsizes[0]; i++) {
            is_int(vstack_default(&st, "parisize", badsizes[i]), VSTACK_EINVAL,
                   "parisize \"%s\" is VSTACK_EINVAL", badsizes[i]);
            is_int(vstack_default(&st, "parisizemax", badsizes[i]), VSTACK_EINVAL,
                   "parisizemax \"%s\" is VSTACK_EINVAL", badsizes[i]);
        }
        is_int(vstack_default(&st, "parisize", NULL), VSTACK_OK, "parisize NULL: no change, 0");
        is_int(vstack_default(&st, "parisizemax", NULL), VSTACK_OK,
               "parisizemax NULL: no change, 0");

        is_int(get(&st, "parisize"), 2 * MB, "parisize unchanged by the failures");
        is_int(get(&st, "parisizemax"), 256 * MB, "parisizemax unchanged by the failures");
        ok(vstack_avma(&st) == av, "avma unchanged by the failures");
        if (!ok(p && tu_check(p, 300000, 3) < 0, "live data intact after the failures"))
            diag("  first bad byte at offset %ld", p ? tu_check(p, 300000, 3) : -1L);
        ok(vstack_alloc(&st, 8 * MB) != NULL, "the stack still grows (8 MiB)");
        ok(p && tu_check(p, 300000, 3) < 0, "live data intact after growth");
    }

    /* Sizes are compared after rounding: parisizemax one byte below a
     * page-rounded parisize rounds up to it and is accepted. */
    {
        char buf[32];
        snprintf(buf, sizeof buf, "%zu", 2 * MB - 1);
        is_int(vstack_default(&st, "parisizemax", buf), VSTACK_OK,
               "parisizemax %s rounds up to parisize 2 MiB and is accepted", buf);
        is_int(get(&st, "parisizemax"), 2 * MB, "it reads back as 2 MiB");
    }

    /* parisizemax 0: a fixed-size stack that does not grow. */
    is_int(vstack_default(&st, "parisizemax", "0"), VSTACK_OK, "parisizemax = \"0\"");
    is_int(get(&st, "parisizemax"), 0, "parisizemax reads back as 0");
    is_int(vstack_grow(&st, 0), VSTACK_ESTACK, "a fixed-size stack does not grow");
    logs.err.count = 0;
    ok(vstack_alloc(&st, 4 * MB) == NULL, "allocating beyond parisize fails");
    is_int(logs.err.count, 1, "the error handler was called once");
    is_int(vstack_default(&st, "parisize", "4M"), VSTACK_OK,
           "parisize can rise freely while parisizemax is 0");
    is_int(get(&st, "parisize"), 4000000, "parisize reads back as \"4M\"");

    /* The direct setters agree with the string interface. */
    is_int(vstack_set_sizemax(&st, 32 * MB), VSTACK_OK, "vstack_set_sizemax(32 MiB)");
    is_int(get(&st, "parisizemax"), 32 * MB, "parisizemax reads back as 32 MiB");
    is_int(vstack_set_size(&st, 3 * MB + 1), VSTACK_OK, "vstack_set_size(3 MiB + 1)");
    is_int(get(&st, "parisize"), 3 * MB + 1, "parisize reads back as given");
    is_int(tu_stats(&st).rsize, 3 * MB + ps, "stats.rsize is rounded up to a page");
    is_int(vstack_set_size(&st, 1), VSTACK_OK, "vstack_set_size(1)");
    is_int(get(&st, "parisize"), tu_round_up(VSTACK_MIN_SIZE, ps),
           "parisize 1 is raised to VSTACK_MIN_SIZE");

    if (!ok(logs.err.count == 1, "no unexpected error messages"))
        tu_logs_diag(&logs);
    vstack_destroy(&st);
    vstack_set_default_handlers(NULL, NULL, NULL);
    return done_testing();
}
