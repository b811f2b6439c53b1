/* SPDX-License-Identifier: MIT */
/* windows-static-16g-lifecycle: a program linked statically against
 * libvstack, as a Windows client would be, reserves 16 GiB, grows to 256 MiB
 * and reads it back; after a reset its grown range is MEM_RESERVE again, as
 * VirtualQuery shows; an overflow goes through the error handler, which
 * longjmps back; and after default(parisizemax, "2G") the stack grows again.
 * Only the public API of vstack.h is used. */
#include "config.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <vstack.h>
#include <windows.h>

#include "tap.h"
#include "testutil.h"
#include "winpages.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)
#define GB ((size_t)1 << 30)

static jmp_buf recover;
static int handler_calls, handler_code;
static char handler_msg[512];

static void on_error(vstack *st, int err, const char *msg, void *ctx)
{
    (void)st;
    (void)ctx;
    handler_calls++;
    handler_code = err;
    snprintf(handler_msg, sizeof handler_msg, "%s", msg);
    longjmp(recover, 1);
}

/* Allocate n bytes through the handler: NULL when it longjmped back. */
static unsigned char *alloc_or_recover(vstack *st, size_t n)
{
    static unsigned char *volatile p;
    p = NULL;
    if (setjmp(recover) == 0)
        p = vstack_alloc(st, n);
    return p;
}

/* Is the system's commit limit (RAM plus page files) below n?  Then the
 * probe rightly lowers a reservation of n. */
static int commit_limit_below(size_t n)
{
    MEMORYSTATUSEX ms;
    ms.dwLength = sizeof ms;
    return GlobalMemoryStatusEx(&ms) && ms.ullTotalPageFile < n;
}

int main(void)
{
    struct tu_logs logs;
    vstack st;
    const size_t vsize = 16 * GB, grown = 256 * MB;

    tu_capture_defaults(&logs);
    if (vstack_init(&st, 1 * MB, vsize, 0) != VSTACK_OK)
        bail_out("vstack_init(1 MiB, 16 GiB): %s", vstack_last_error(&st));
    vstack_set_error_handler(&st, on_error, NULL);
    if (tu_stats(&st).reserved == vsize)
        ok(logs.warn.count == 0, "16 GiB reserved, without a warning");
    else if (!ok(commit_limit_below(vsize), "16 GiB reserved, or less only where the commit limit is below it"))
        diag("  reserved %zu: %s", tu_stats(&st).reserved, vstack_last_error(&st));
    else
        diag("  the commit limit is below 16 GiB: %zu reserved", tu_stats(&st).reserved);
    uintptr_t vbot = tu_vbot(&st), top = vstack_top(&st);
    tu_win_is_state(vbot, top, MEM_RESERVE, "fresh: all reserved, nothing committed");

    /* Grow to 256 MiB and read it all back. */
    unsigned char *live = vstack_alloc(&st, 64 * KB);
    if (!live)
        bail_out("cannot allocate 64 KiB");
    tu_win_is_state(vbot, tu_bot(&st), MEM_RESERVE, "first allocation: below bot");
    tu_win_is_state(tu_bot(&st), top, MEM_COMMIT, "first allocation: parisize at the top");
    tu_fill(live, 64 * KB, 1);
    vstack_sp av = vstack_avma(&st);
    unsigned char *big = alloc_or_recover(&st, grown - 64 * KB);
    ok(big != NULL, "grows to 256 MiB");
    if (!big)
        bail_out("no 256 MiB: %s", handler_msg);
    tu_fill(big, grown - 64 * KB, 2);
    ok(tu_check(big, grown - 64 * KB, 2) < 0 && tu_check(live, 64 * KB, 1) < 0,
       "the 256 MiB read back as written, the first chunk too");
    ok(tu_stats(&st).committed >= grown && tu_stats(&st).grows >= 1, "committed %zu bytes in %lu growths",
       tu_stats(&st).committed, tu_stats(&st).grows);
    uintptr_t grown_bot = tu_bot(&st);
    tu_win_is_state(grown_bot, top, MEM_COMMIT, "grown: [bot, top)");

    /* Reset: the grown range is reserved again. */
    vstack_set_avma(&st, av);
    is_int(vstack_reset(&st), VSTACK_OK, "vstack_reset");
    is_int(tu_stats(&st).committed, 1 * MB, "back to parisize");
    tu_win_is_state(grown_bot, tu_bot(&st), MEM_RESERVE, "after reset: the grown range");
    tu_win_is_state(tu_bot(&st), top, MEM_COMMIT, "after reset: parisize");
    ok(tu_check(live, 64 * KB, 1) < 0, "after reset: the first chunk is intact");

    /* Overflow: the handler is called and longjmps back; nothing moved. */
    unsigned char *none = alloc_or_recover(&st, tu_stats(&st).reserved + 1 * MB);
    ok(none == NULL && handler_calls == 1 && handler_code == VSTACK_ESTACK,
       "an overflow calls the error handler once with VSTACK_ESTACK, which longjmps back");
    if (!ok(strstr(handler_msg, "parisizemax") != NULL, "the message says to raise parisizemax"))
        diag("  message: \"%s\"", handler_msg);
    ok(vstack_avma(&st) == av && tu_stats(&st).committed == 1 * MB, "the stack is unchanged");
    unsigned char *small = alloc_or_recover(&st, 4 * MB);
    ok(small != NULL, "after the longjmp, the stack allocates and grows");
    vstack_set_avma(&st, av);

    /* default(parisizemax, "2G"), and grow again. */
    is_int(vstack_default(&st, "parisizemax", "2G"), VSTACK_OK, "vstack_default(parisizemax, 2G)");
    is_int(tu_default(&st, "parisizemax"), tu_round_up(2000000000, tu_page_size()),
           "parisizemax reads back page-rounded");
    is_int(tu_stats(&st).reserved, tu_round_up(2000000000, tu_page_size()), "the new reservation");
    vbot = tu_vbot(&st);
    top = vstack_top(&st);
    tu_win_is_state(vbot, tu_bot(&st), MEM_RESERVE, "2G: below bot");
    big = alloc_or_recover(&st, 1 * GB);
    const char *why = big ? NULL : "no gigabyte";
    if (ok(big != NULL, "2G: grows to 1 GiB"))
        memset(big, 3, 1 * GB);
    else
        diag("  %s", handler_msg);
    ok_or_skip(why, big[0] == 3 && big[GB / 2] == 3 && big[GB - 1] == 3, "2G: the gigabyte reads back");
    if (why)
        skip_check(why, "2G: [bot, top): MEM_COMMIT");
    else
        tu_win_is_state(tu_bot(&st), top, MEM_COMMIT, "2G: [bot, top)");
    vstack_pop_all(&st);
    none = alloc_or_recover(&st, 3 * GB);
    ok(none == NULL && handler_calls == 2 && handler_code == VSTACK_ESTACK, "2G: 3 GiB overflows, through the handler");

    vstack_destroy(&st);
    tu_win_is_state(vbot, top, MEM_FREE, "destroy: the reservation is released");
    if (!ok(logs.err.count == 0, "the process-wide handler was never called"))
        tu_logs_diag(&logs);
    vstack_set_default_handlers(NULL, NULL, NULL);
    return done_testing();
}
