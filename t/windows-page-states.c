/* SPDX-License-Identifier: MIT */
/* windows-page-states: on Windows, the pages of a stack are in the states
 * that VirtualQuery shows for what the library claims: all MEM_RESERVE until
 * the first allocation commits parisize, then MEM_RESERVE below bot,
 * MEM_COMMIT from bot to top, MEM_RESERVE again after a reset, MEM_FREE after
 * destroy; both decommit flags are the same single call and never leave a
 * hole; a trim whose second step fails gives the range back instead of
 * leaving decommitted pages counted as committed; release refuses part of a
 * reservation; a real refusal is reported in the system's words; and a
 * pool is committed from its base up, the rest reserved, all free after
 * destroy. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <vstack.h>
#include <windows.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"
#include "winpages.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

/* The committed part is MEM_COMMIT and read/write, everything below it in
 * the reservation MEM_RESERVE, and the whole range one reservation. */
static void check_layout(const vstack *st, const char *what)
{
    uintptr_t vbot = tu_vbot(st), bot = tu_bot(st), top = vstack_top(st);
    MEMORY_BASIC_INFORMATION mbi;
    if (bot > vbot)
        tu_win_is_state(vbot, bot, MEM_RESERVE, "%s: [vbot, bot)", what);
    else
        ok(1, "%s: nothing reserved below bot (the stack is at parisizemax)", what);
    tu_win_is_state(bot, top, MEM_COMMIT, "%s: [bot, top)", what);
    ok(VirtualQuery((void *)bot, &mbi, sizeof mbi) != 0 && mbi.Protect == PAGE_READWRITE,
       "%s: the committed pages are PAGE_READWRITE", what);
    ok(tu_win_allocation_base(vbot) == vbot && tu_win_allocation_base(top - 1) == vbot,
       "%s: one reservation, from vbot to top", what);
}

static void config(void)
{
    const struct vs_os_config *c = vs_os_config();
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    is_int(c->page_size, si.dwPageSize, "config: commits in pages of dwPageSize");
    ok(c->reserves && !c->default_unmap && !c->wipes_on_fork && !c->huge_page_size &&
           c->discard_decommits,
       "config: reserves, decommits in place, no fork-wipe, no huge pages, discard decommits");
}

static void grow_and_reset(unsigned flags, enum vs_os_call path, const char *what)
{
    struct tu_logs logs;
    vstack st;
    char w[96];

    tu_capture_defaults(&logs);
    vs_os_fail_reset();
    if (vstack_init(&st, 1 * MB, 64 * MB, flags) != VSTACK_OK)
        bail_out("%s: vstack_init failed: %s", what, vstack_last_error(&st));
    is_int(tu_vbot(&st) % (64 * KB), 0, "%s: the reservation starts on the 64 KiB granularity", what);
    tu_win_is_state(tu_vbot(&st), vstack_top(&st), MEM_RESERVE, "%s, fresh: all reserved, nothing committed", what);

    unsigned char *live = vstack_alloc(&st, 256 * KB);
    if (!live)
        bail_out("%s: cannot allocate the live data", what);
    snprintf(w, sizeof w, "%s, first allocation", what);
    check_layout(&st, w);
    is_int(tu_bot(&st), vstack_top(&st) - 1 * MB, "%s: parisize committed at the top", what);
    tu_fill(live, 256 * KB, 5);
    vstack_sp av = vstack_avma(&st);
    unsigned char *big = vstack_alloc(&st, 20 * MB);
    ok(big != NULL, "%s: grows to 20 MiB", what);
    if (big)
        memset(big, 7, 20 * MB);
    snprintf(w, sizeof w, "%s, grown", what);
    check_layout(&st, w);
    uintptr_t grown_bot = tu_bot(&st);

    vstack_set_avma(&st, av);
    is_int(vstack_reset(&st), VSTACK_OK, "%s: reset", what);
    is_int(tu_stats(&st).committed, 1 * MB, "%s: back to parisize", what);
    tu_win_is_state(grown_bot, tu_bot(&st), MEM_RESERVE, "%s: the grown range after reset", what);
    snprintf(w, sizeof w, "%s, reset", what);
    check_layout(&st, w);
    ok(vs_os_count(path) >= 1, "%s: decommitted through the %s path (%lu calls)", what,
       path == VS_OS_UNMAP ? "unmap" : "remap", vs_os_count(path));
    is_int(vs_os_count(VS_OS_MAPAGAIN), 0, "%s: nothing is ever mapped again", what);
    ok(tu_check(live, 256 * KB, 5) < 0 && vstack_avma(&st) == av, "%s: live data and avma kept", what);

    uintptr_t vbot = tu_vbot(&st), top = vstack_top(&st);
    vstack_destroy(&st);
    tu_win_is_state(vbot, top, MEM_FREE, "%s: after destroy, the whole range", what);
    if (!ok(logs.err.count == 0 && logs.warn.count == 0, "%s: no message", what))
        tu_logs_diag(&logs);
    vstack_set_default_handlers(NULL, NULL, NULL);
}

/* vstack_trim decommits and commits again; the pages read as zero and stay
 * MEM_COMMIT.  When the second step fails, the range is given back. */
static void trim(void)
{
    struct tu_logs logs;
    vstack st;
    const char *what = "trim";

    tu_capture_defaults(&logs);
    vs_os_fail_reset();
    if (vstack_init(&st, 1 * MB, 64 * MB, 0) != VSTACK_OK)
        bail_out("trim: vstack_init failed");
    unsigned char *live = tu_alloc_filled(&st, 256 * KB, 9);
    vstack_sp av = vstack_avma(&st);
    unsigned char *dead = vstack_alloc(&st, 8 * MB);
    if (dead)
        memset(dead, 0xee, 8 * MB);
    vstack_set_avma(&st, av);
    uintptr_t bot = tu_bot(&st);

    is_int(vstack_trim(&st), VSTACK_OK, "%s: succeeds", what);
    tu_win_is_state(bot, vstack_top(&st), MEM_COMMIT, "%s: the discarded pages stay committed", what);
    {
        unsigned char *again = vstack_alloc(&st, 8 * MB);
        size_t nonzero = 0;
        for (size_t i = 0; again && i < 8 * MB; i += 4096)
            nonzero += again[i] != 0;
        ok(again == dead && nonzero == 0, "%s: the same chunk again, reading as zero (%zu pages not)",
           what, nonzero);
        if (again)
            memset(again, 0xdd, 8 * MB);
        vstack_set_avma(&st, av);
    }

    /* The commit after the decommit fails. */
    what = "trim, commit again fails";
    tu_capture_stack(&st, &logs);
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_COMMIT, 1, ENOMEM);
    uintptr_t end = av & ~(uintptr_t)(tu_page_size() - 1);
    is_int(vstack_trim(&st), VSTACK_ENOMEM, "%s: VSTACK_ENOMEM", what);
    if (!ok(strstr(vstack_last_error(&st), "VirtualAlloc (MEM_COMMIT again") != NULL,
            "%s: the message names the commit that failed", what))
        diag("  message: \"%s\"", vstack_last_error(&st));
    is_int(tu_bot(&st), end, "%s: the range was given back: bot is at avma's page", what);
    tu_win_is_state(bot, end, MEM_RESERVE, "%s: the range given back", what);
    check_layout(&st, what);
    ok(tu_check(live, 256 * KB, 9) < 0 && vstack_avma(&st) == av, "%s: live data and avma kept", what);
    {
        unsigned char *p = vstack_alloc(&st, 8 * MB);
        ok(p != NULL, "%s: the stack grows again", what);
        if (p)
            memset(p, 1, 8 * MB);
        vstack_set_avma(&st, av);
    }
    is_int(logs.err.count, 0, "%s: the error handler is not called", what);
    vs_os_fail_reset();
    vstack_destroy(&st);
    vstack_set_default_handlers(NULL, NULL, NULL);
}

/* Release is given whole reservations only; anything else is refused
 * before VirtualFree could release more than was meant. */
static void release_whole_only(void)
{
    struct vs_os_err e;
    void *base = NULL;
    const size_t size = 1 * MB;
    vs_os_fail_reset();
    if (vs_os_reserve(size, &base, &e) != 0)
        bail_out("vs_os_reserve: %s: %s", e.call, vs_os_why(&e));
    uintptr_t b = (uintptr_t)base;

    is_int(vs_os_release(base, size / 2, &e), EINVAL, "release of the first half: EINVAL");
    if (!ok(strcmp(e.call, "VirtualFree (MEM_RELEASE)") == 0 && strstr(vs_os_why(&e), "whole"),
            "release of the first half: the reason says whole reservations only"))
        diag("  %s: %s", e.call, vs_os_why(&e));
    is_int(vs_os_release((void *)(b + 64 * KB), size - 64 * KB, &e), EINVAL,
           "release from inside the reservation: EINVAL");
    is_int(vs_os_release(base, 2 * size, &e), EINVAL, "release of more than the reservation: EINVAL");
    tu_win_is_state(b, b + size, MEM_RESERVE, "after the refusals, the reservation");
    is_int(vs_os_release(base, size, &e), 0, "release of the whole reservation");
    tu_win_is_state(b, b + size, MEM_FREE, "after release, the range");
}

/* A refusal by the system itself (not the seam) is reported with the call
 * and the system's words: a trial commit of 16 TiB is more than any commit
 * limit here, so the reservation is halved, and the warning says why. */
static void real_refusal(void)
{
    struct tu_logs logs;
    vstack st;
    const size_t huge = (size_t)16 << 40;
    tu_capture_defaults(&logs);
    vs_os_fail_reset();
    int rc = vstack_init(&st, 1 * MB, huge, 0);
    const char *why = rc == VSTACK_OK ? NULL : "init failed";
    if (!is_int(rc, VSTACK_OK, "16 TiB: vstack_init succeeds with less"))
        diag("  %s", vstack_last_error(&st));
    size_t reserved = why ? 0 : tu_stats(&st).reserved;
    ok_or_skip(why, reserved < huge && vstack_last_error_code(&st) == VSTACK_ENOMEM,
               "16 TiB: the reservation was lowered, with VSTACK_ENOMEM");
    if (!ok_or_skip(why,
                    strstr(logs.warn.last, "VirtualAlloc (trial MEM_COMMIT of the whole size)") &&
                        strstr(logs.warn.last, "Windows error"),
                    "16 TiB: the warning names the trial commit and the system's reason"))
        tu_logs_diag(&logs);
    if (!why) {
        diag("  %zu bytes reserved: %s", reserved, logs.warn.last);
        vstack_destroy(&st);
    }
    vstack_set_default_handlers(NULL, NULL, NULL);
}

/* The pool: [base, base + size) committed, the rest of the reservation
 * reserved, after init, a growth and a shrink; free after destroy. */
static void pool_states(void)
{
    vstack_pool p;
    if (vstack_pool_init(&p, 1 * MB, 64 * MB, 0) != VSTACK_OK)
        bail_out("pool: vstack_pool_init failed: %s", vstack_pool_last_error(&p));
    uintptr_t base = (uintptr_t)vstack_pool_base(&p), end = base + 64 * MB;
    is_int(base % (64 * KB), 0, "pool: the reservation starts on the 64 KiB granularity");
    tu_win_is_state(base, base + 1 * MB, MEM_COMMIT, "pool, fresh: minsize committed at the base");
    tu_win_is_state(base + 1 * MB, end, MEM_RESERVE, "pool, fresh: the rest reserved");
    ok(tu_win_allocation_base(end - 1) == base, "pool: one reservation, from the base");

    ok(vstack_pool_resize(&p, 20 * MB) == VSTACK_OK, "pool: grows to 20 MiB");
    memset((void *)base, 9, 20 * MB);
    tu_win_is_state(base, base + 20 * MB, MEM_COMMIT, "pool, grown: [base, base + 20 MiB) committed");
    tu_win_is_state(base + 20 * MB, end, MEM_RESERVE, "pool, grown: the rest reserved");

    ok(vstack_pool_resize(&p, 2 * MB) == VSTACK_OK, "pool: shrinks to 2 MiB");
    tu_win_is_state(base, base + 2 * MB, MEM_COMMIT, "pool, shrunk: [base, base + 2 MiB) committed");
    tu_win_is_state(base + 2 * MB, end, MEM_RESERVE, "pool, shrunk: the tail back to reserved");
    const unsigned char *b = (const unsigned char *)base;
    ok(b[0] == 9 && b[2 * MB - 1] == 9, "pool, shrunk: the first 2 MiB kept");
    is_int((uintptr_t)vstack_pool_base(&p), base, "pool: the base never moved");

    vstack_pool_destroy(&p);
    tu_win_is_state(base, end, MEM_FREE, "pool, destroyed: all free");
}

int main(void)
{
    config();
    pool_states();
    grow_and_reset(0, VS_OS_REMAP, "default path");
    grow_and_reset(VSTACK_DECOMMIT_UNMAP, VS_OS_UNMAP, "VSTACK_DECOMMIT_UNMAP");
    trim();
    release_whole_only();
    real_refusal();
    vs_os_fail_reset();
    return done_testing();
}
