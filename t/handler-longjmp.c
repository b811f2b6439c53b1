/* SPDX-License-Identifier: MIT */
/* handler-longjmp: an error handler may longjmp out of vstack_alloc (as
 * PARI's pari_err does); the stack is consistent afterwards: avma where it
 * was, data intact, allocation and growth working. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

static jmp_buf env;
static int jumps;
static int last_err;

static void jumping_handler(vstack *st, int err, const char *msg, void *ctx)
{
    (void)st;
    (void)msg;
    (void)ctx;
    jumps++;
    last_err = err;
    longjmp(env, 1);
}

/* Overflow st with nbytes through a handler that jumps; return whether the
 * jump happened and the stack looks exactly as before. */
static int jump_out(vstack *st, size_t nbytes, int want_err)
{
    volatile vstack_sp av = vstack_avma(st);
    struct vstack_stats before = tu_stats(st);
    volatile int jumped = 0;
    volatile void *p = NULL;
    int before_jumps = jumps;

    if (setjmp(env) == 0)
        p = vstack_alloc(st, nbytes);
    else
        jumped = 1;
    struct vstack_stats after = tu_stats(st);
    if (!jumped || p != NULL || jumps != before_jumps + 1 || last_err != want_err) {
        diag("  jumped %d, p %p, err %d (wanted %d)", jumped, (void *)p, last_err, want_err);
        return 0;
    }
    if (vstack_avma(st) != av || after.used != before.used ||
        after.committed != before.committed || vstack_avma(st) < tu_bot(st) || vstack_avma(st) > vstack_top(st)) {
        diag("  avma %#" PRIxPTR " (was %#" PRIxPTR "), committed %zu (was %zu)", vstack_avma(st), av,
             after.committed, before.committed);
        return 0;
    }
    return 1;
}

int main(void)
{
    struct tu_logs logs;
    vstack st;
    unsigned char *live, *q;
    int good;

    tu_require_mmap();

    tu_capture_defaults(&logs);
    if (vstack_init(&st, 1 * MB, 8 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init(1 MiB, 8 MiB) failed");
    vstack_set_error_handler(&st, jumping_handler, NULL);

    live = tu_alloc_filled(&st, 3 * MB, 11);

    ok(jump_out(&st, 16 * MB, VSTACK_ESTACK), "longjmp out of an overflow beyond parisizemax");
    ok(tu_check(live, 3 * MB, 11) < 0, "data intact after the jump");
    q = vstack_alloc(&st, 2 * MB);
    ok(q != NULL, "allocation works after the jump (and grows)");
    if (q)
        tu_fill(q, 2 * MB, 12);

    /* Many jumps in a row, mixed with allocations that succeed. */
    good = 1;
    for (int i = 0; i < 200; i++) {
        vstack_sp av = vstack_avma(&st);
        if (!jump_out(&st, 8 * MB - (size_t)i, VSTACK_ESTACK)) {
            good = 0;
            break;
        }
        unsigned char *r = vstack_alloc(&st, 1000 + (size_t)i);
        if (!r) {
            good = 0;
            break;
        }
        memset(r, i, 1000 + (size_t)i);
        vstack_set_avma(&st, av);
    }
    ok(good, "200 jumps alternating with successful allocations");
    ok(tu_check(live, 3 * MB, 11) < 0 && (!q || tu_check(q, 2 * MB, 12) < 0),
       "data intact after 200 jumps");

    /* A refused commit (ENOMEM from the OS) also reaches the handler before
     * anything changed; the jump leaves the stack consistent. */
    vstack_set_avma(&st, (vstack_sp)live);
    vstack_reset(&st);
    {
        size_t room = vstack_avma(&st) - tu_bot(&st);
        vs_os_fail_reset();
        vs_os_fail_nth(VS_OS_COMMIT, 1, ENOMEM);
        ok(jump_out(&st, room + 64 * KB, VSTACK_ENOMEM),
           "longjmp out of a refused commit (VSTACK_ENOMEM)");
        vs_os_fail_reset();
        ok(tu_check(live, 3 * MB, 11) < 0, "data intact after that jump");
        q = vstack_alloc(&st, room / 2);
        ok(q != NULL, "allocation within the committed part works after it");
    }

    /* The fixed-size stack: overflow, jump, continue. */
    vstack_destroy(&st);
    if (vstack_init(&st, 256 * KB, 0, 0) != VSTACK_OK)
        bail_out("vstack_init(256 KiB, 0) failed");
    vstack_set_error_handler(&st, jumping_handler, NULL);
    live = tu_alloc_filled(&st, 100 * KB, 13);
    ok(jump_out(&st, 200 * KB, VSTACK_ESTACK), "fixed stack: longjmp out of an overflow");
    ok(vstack_alloc(&st, 100 * KB) != NULL, "fixed stack: allocation works after the jump");
    ok(tu_check(live, 100 * KB, 13) < 0, "fixed stack: data intact");
    vstack_destroy(&st);

    is_int(logs.err.count, 0, "the process-wide handler was never called");
    vstack_set_default_handlers(NULL, NULL, NULL);
    return done_testing();
}
