/* SPDX-License-Identifier: MIT */
/* huge-pages-optional: VSTACK_HUGEPAGES commits in transparent-huge-page
 * units (sizes and top aligned to the huge page, the kernel may back the
 * stack with huge pages), VSTACK_NOHUGEPAGES keeps normal pages, both
 * together are VSTACK_EINVAL; the stack behaves the same either way. */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#define MB ((size_t)1 << 20)

/* Use a stack: grow, write, check, reset. */
static int exercise(vstack *st, const char *what)
{
    unsigned char *live = vstack_alloc(st, 3 * MB + 5);
    unsigned char *more;
    int good = 1;
    if (!live)
        return 0;
    tu_fill(live, 3 * MB + 5, 9);
    more = vstack_alloc(st, 20 * MB);
    if (!more)
        good = 0;
    else
        memset(more, 1, 20 * MB);
    vstack_set_avma(st, (vstack_sp)live);
    if (vstack_reset(st) != VSTACK_OK)
        good = 0;
    if (tu_check(live, 3 * MB + 5, 9) >= 0)
        good = 0;
    if (!good)
        diag("  %s: %s", what, vstack_last_error(st));
    return good;
}

int main(void)
{
    struct tu_logs logs;
    vstack st;
    size_t huge;

    tu_require_mmap();
    huge = vs_os_config()->huge_page_size;
    tu_capture_defaults(&logs);

    is_int(vstack_init(&st, 1 * MB, 64 * MB, VSTACK_HUGEPAGES | VSTACK_NOHUGEPAGES),
           VSTACK_EINVAL, "both huge-page flags: VSTACK_EINVAL");

    is_int(vstack_init(&st, 1 * MB + 1, 64 * MB + 1, VSTACK_NOHUGEPAGES), VSTACK_OK,
           "VSTACK_NOHUGEPAGES: init");
    is_int(tu_stats(&st).rsize, tu_round_up(1 * MB + 1, tu_page_size()),
           "VSTACK_NOHUGEPAGES: parisize page-rounded");
    ok(exercise(&st, "normal pages"), "VSTACK_NOHUGEPAGES: the stack works");
    vstack_destroy(&st);

    if (!huge) {
        tu_logs_clear(&logs);
        is_int(vstack_init(&st, 1 * MB, 64 * MB, VSTACK_HUGEPAGES), VSTACK_OK,
               "VSTACK_HUGEPAGES without huge pages: init succeeds");
        ok(logs.warn.count >= 1, "with a warning");
        ok(exercise(&st, "fallback"), "and the stack works");
        vstack_destroy(&st);
        skip(1, "no transparent huge pages on this system");
        return done_testing();
    }

    tu_logs_clear(&logs);
    is_int(vstack_init(&st, 1 * MB + 1, 64 * MB + 1, VSTACK_HUGEPAGES), VSTACK_OK,
           "VSTACK_HUGEPAGES: init");
    is_int(tu_stats(&st).rsize, tu_round_up(1 * MB + 1, huge),
           "VSTACK_HUGEPAGES: parisize rounded to the huge page (%zu)", huge);
    is_int(tu_default(&st, "parisizemax"), tu_round_up(64 * MB + 1, huge),
           "VSTACK_HUGEPAGES: parisizemax rounded to the huge page");
    ok(vstack_top(&st) % huge == 0 && tu_bot(&st) % huge == 0, "top and bot are huge-page aligned");
    ok(exercise(&st, "huge pages"), "VSTACK_HUGEPAGES: the stack works");
    ok(tu_stats(&st).committed % huge == 0, "committed stays a multiple of the huge page (%zu)",
       tu_stats(&st).committed);
    vstack_destroy(&st);
    is_int(logs.err.count, 0, "no error message");
    vstack_set_default_handlers(NULL, NULL, NULL);
    return done_testing();
}
