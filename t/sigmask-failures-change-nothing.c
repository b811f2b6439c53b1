/* SPDX-License-Identifier: MIT */
/* sigmask-failures-change-nothing: every multi-step change of a stack runs
 * with asynchronous signals blocked (pthread_sigmask).  The block is made to
 * fail at each place: vstack_init and a rebuild (the new reservation),
 * growth in an allocation and in vstack_grow, a decommit on either path,
 * the unmap path (one block around its window), vstack_bind_avma and
 * vstack_destroy.  A failed
 * block changes nothing and is reported (a code and a sentence naming
 * pthread_sigmask and the errno text; destroy, which goes on regardless,
 * warns).  A failed restore is a warning after a change that was made; the
 * seam puts the mask back all the same, so the thread's mask is always as
 * it was.  (The fork hooks' block and restore: t/fork-wipe-failures-still-fork.) */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <vstack.h>

#include "faults.h"
#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)
#define BLOCK "pthread_sigmask (block)"
#define RESTORE "pthread_sigmask (restore)"

static long maps0;
static sigset_t mask0;

/* The warning of a failed restore, and the mask as it was. */
static void restore_warned(const struct tu_logs *logs, const vstack *st, int in_last_error, const char *what)
{
    if (!ok(logs->warn.count == 1 && tf_mentions(logs->warn.last, RESTORE, EINVAL, NULL),
            "%s: one warning names %s and \"%s\"", what, RESTORE, strerror(EINVAL)))
        tu_logs_diag(logs);
    if (in_last_error)
        ok(strcmp(vstack_last_error(st), logs->warn.last) == 0, "%s: vstack_last_error keeps it", what);
    is_int(logs->err.count, 0, "%s: no error message", what);
    tf_mask_same(&mask0, what);
}

static void init_block(void)
{
    const char *what = "block fails in vstack_init";
    struct tu_logs logs;
    vstack st;
    int rc;
    tf_fail(VS_OS_SIGBLOCK, 1, EINVAL);
    rc = tf_init(&st, &logs, 1 * MB, 64 * MB, 0);
    is_int(rc, VSTACK_ESYS, "%s: VSTACK_ESYS", what);
    tf_names(vstack_last_error(&st), BLOCK, EINVAL, NULL, what);
    is_int(vs_os_count(VS_OS_PROBE) + vs_os_count(VS_OS_RESERVE), 0, "%s: nothing was tried", what);
    tf_mask_same(&mask0, what);
    tf_unmapped(maps0, -1, "block fails in vstack_init: nothing mapped");
}

static void init_restore(void)
{
    const char *what = "restore fails in vstack_init";
    struct tu_logs logs;
    struct tf_stack s;
    int rc;
    tf_fail(VS_OS_SIGRESTORE, 1, EINVAL);
    rc = tf_init(&s.st, &logs, 1 * MB, 64 * MB, 0);
    is_int(rc, VSTACK_OK, "%s: the stack is made", what);
    if (rc != VSTACK_OK)
        bail_out("%s: no stack", what);
    restore_warned(&logs, &s.st, 1, what);
    tu_capture_stack(&s.st, &s.logs);
    tf_live(&s, 256 * KB, 81);
    tf_usable(&s, 8 * MB, what);
    tf_close(&s, maps0, what);
}

/* Growth: by an allocation (alloc != 0) or by vstack_grow. */
static void growth(int alloc, enum vs_os_call call, const char *what)
{
    struct tf_stack s;
    vstack_sp av;
    size_t committed;
    int rc;

    tf_open(&s, 1 * MB, 64 * MB, 0, 512 * KB, 82);
    av = vstack_avma(&s.st);
    committed = tu_stats(&s.st).committed;
    vs_os_fail_nth(call, 1, EINVAL);
    if (alloc) {
        void *p = vstack_alloc(&s.st, 2 * MB);
        rc = p ? VSTACK_OK : s.logs.err.last_err;
        if (call == VS_OS_SIGBLOCK) {
            is_int(s.logs.err.count, 1, "%s: the error handler was called once", what);
            tf_names(s.logs.err.last, BLOCK, EINVAL, NULL, what);
        }
        if (p)
            memset(p, 1, 2 * MB);
    } else {
        rc = vstack_grow(&s.st, 8 * MB);
        if (call == VS_OS_SIGBLOCK) {
            is_int(s.logs.err.count, 0, "%s: the error handler is not called", what);
            tf_names(vstack_last_error(&s.st), BLOCK, EINVAL, NULL, what);
        }
    }
    if (call == VS_OS_SIGBLOCK) {
        is_int(rc, VSTACK_ESYS, "%s: VSTACK_ESYS", what);
        ok(vstack_avma(&s.st) == av && tu_stats(&s.st).committed == committed &&
               tu_stats(&s.st).grows == 0,
           "%s: nothing was committed", what);
        is_int(tu_default(&s.st, "parisizemax"), 64 * MB, "%s: parisizemax is not lowered", what);
        tf_mask_same(&mask0, what);
    } else {
        is_int(rc, VSTACK_OK, "%s: the stack grew", what);
        ok(tu_stats(&s.st).committed > committed && tu_stats(&s.st).grows == 1, "%s: and counts it", what);
        restore_warned(&s.logs, &s.st, 1, what);
        vstack_set_avma(&s.st, av);
    }
    tf_intact(&s, what);
    tf_usable(&s, 8 * MB, what);
    tf_close(&s, maps0, what);
}

/* A decommit on path flags, with call failing at its nth count. */
static void decommit(unsigned flags, enum vs_os_call call, unsigned long nth, int reported, const char *what)
{
    struct tf_stack s;
    vstack_sp av;
    size_t committed;
    int rc;

    tf_open(&s, 1 * MB, 64 * MB, flags, 512 * KB, 83);
    av = vstack_avma(&s.st);
    tf_grow_pop(&s, 8 * MB, what);
    committed = tu_stats(&s.st).committed;
    tu_logs_clear(&s.logs);
    vs_os_fail_nth(call, nth, EINVAL);
    rc = vstack_reset(&s.st);
    ok(vs_os_count(call) >= nth, "%s: the call was made", what);
    if (call == VS_OS_SIGBLOCK) {
        is_int(rc, VSTACK_ESYS, "%s: VSTACK_ESYS", what);
        tf_names(vstack_last_error(&s.st), BLOCK, EINVAL, NULL, what);
        ok(tu_stats(&s.st).committed == committed && tu_stats(&s.st).shrinks == 0,
           "%s: nothing was given back", what);
        is_int(vs_os_count(VS_OS_REMAP) + vs_os_count(VS_OS_UNMAP), 0, "%s: no mapping was touched", what);
        tf_mask_same(&mask0, what);
    } else {
        is_int(rc, VSTACK_OK, "%s: the decommit is made", what);
        ok(tu_stats(&s.st).committed == 1 * MB && tu_stats(&s.st).shrinks == 1, "%s: and counted", what);
        if (reported) {
            restore_warned(&s.logs, &s.st, 1, what);
        } else {
            /* Nested in the decommit's own block: the outer restore puts
             * the caller's mask back, and this one has nobody to tell. */
            ok(s.logs.warn.count == 0 && s.logs.err.count == 0 && vstack_last_error(&s.st)[0] == 0,
               "%s: no message (by design)", what);
            tf_mask_same(&mask0, what);
        }
    }
    ok(vstack_avma(&s.st) == av, "%s: avma unchanged", what);
    tf_intact(&s, what);
    tf_usable(&s, 8 * MB, what);
    tf_close(&s, maps0, what);
}

/* The unmap path's window, from munmap to the mapping again, is covered by
 * the policy's block (src/signals.c): the verb blocks nothing itself, so a
 * reset makes as many blocks and restores on the unmap path as on the remap
 * path, where the verb is one call. */
static void reset_blocks(unsigned flags, unsigned long *blocks, unsigned long *restores, const char *what)
{
    struct tf_stack s;
    tf_open(&s, 1 * MB, 64 * MB, flags, 512 * KB, 84);
    tf_grow_pop(&s, 8 * MB, what);
    vs_os_fail_reset();
    is_int(vstack_reset(&s.st), VSTACK_OK, "%s: the reset succeeds", what);
    is_int(vs_os_count(flags == VSTACK_DECOMMIT_UNMAP ? VS_OS_MAPAGAIN : VS_OS_REMAP), 1, "%s: its decommit ran", what);
    *blocks = vs_os_count(VS_OS_SIGBLOCK);
    *restores = vs_os_count(VS_OS_SIGRESTORE);
    tf_mask_same(&mask0, what);
    tf_intact(&s, what);
    tf_close(&s, maps0, what);
}

static void unmap_path_blocks_once(void)
{
    unsigned long rb, rr, ub, ur;
    reset_blocks(VSTACK_DECOMMIT_REMAP, &rb, &rr, "a reset on the remap path");
    reset_blocks(VSTACK_DECOMMIT_UNMAP, &ub, &ur, "a reset on the unmap path");
    ok(rb >= 1 && ub == rb && ur == rr && ub == ur,
       "the unmap path blocks and restores no more than the remap path (%lu and %lu against %lu and %lu)", ub, ur, rb,
       rr);
}

static void rebuild(enum vs_os_call call, const char *what)
{
    struct tf_stack s;
    vstack_sp av;
    size_t reserved;
    int rc;

    tf_open(&s, 1 * MB, 64 * MB, 0, 512 * KB, 84);
    av = vstack_avma(&s.st);
    reserved = tu_stats(&s.st).reserved;
    vs_os_fail_nth(call, 1, EINVAL);
    rc = vstack_default(&s.st, "parisizemax", "32MiB");
    if (call == VS_OS_SIGBLOCK) {
        is_int(rc, VSTACK_ESYS, "%s: VSTACK_ESYS", what);
        tf_names(vstack_last_error(&s.st), BLOCK, EINVAL, NULL, what);
        ok(vstack_avma(&s.st) == av && tu_stats(&s.st).reserved == reserved &&
               tu_default(&s.st, "parisizemax") == 64 * MB,
           "%s: the old stack is kept", what);
        is_int(vs_os_count(VS_OS_RESERVE), 0, "%s: no reservation was tried", what);
        tf_intact(&s, what);
        tf_mask_same(&mask0, what);
    } else {
        is_int(rc, VSTACK_OK, "%s: the new stack is made", what);
        is_int(tu_default(&s.st, "parisizemax"), 32 * MB, "%s: parisizemax 32 MiB", what);
        restore_warned(&s.logs, &s.st, 1, what);
        tf_live(&s, s.live_n, s.seed);
    }
    tf_usable(&s, 8 * MB, what);
    tf_close(&s, maps0, what);
}

/* vstack_bind_avma: the cleared mark and the new stack pointer are one
 * change. */
static void bind(enum vs_os_call call, const char *what)
{
    struct tf_stack s;
    tf_open(&s, 1 * MB, 64 * MB, 0, 512 * KB, 86);
    vstack_sp av = vstack_avma(&s.st), var = av;
    vs_os_fail_nth(call, 1, EINVAL);
    int rc = vstack_bind_avma(&s.st, &var);
    void *p;
    if (call == VS_OS_SIGBLOCK) {
        is_int(rc, VSTACK_ESYS, "%s: VSTACK_ESYS", what);
        tf_names(vstack_last_error(&s.st), BLOCK, EINVAL, NULL, what);
        tf_mask_same(&mask0, what);
        p = vstack_alloc(&s.st, 64 * KB);
        ok(p && vstack_avma(&s.st) == (vstack_sp)p && var == av,
           "%s: not bound: an allocation moves the head, not the variable", what);
        vstack_set_avma(&s.st, av);
    } else {
        is_int(rc, VSTACK_OK, "%s: bound", what);
        restore_warned(&s.logs, &s.st, 1, what);
        p = vstack_alloc(&s.st, 64 * KB);
        ok(p && var == (vstack_sp)p, "%s: an allocation moves the variable", what);
        var = av;
        is_int(vstack_bind_avma(&s.st, NULL), VSTACK_OK, "%s: unbinding works", what);
        ok(vstack_avma(&s.st) == av, "%s: the head takes the variable's value", what);
    }
    tf_intact(&s, what);
    tf_usable(&s, 8 * MB, what);
    tf_close(&s, maps0, what);
}

static void destroy(enum vs_os_call call, const char *what)
{
    struct tf_stack s;
    tf_open(&s, 1 * MB, 64 * MB, 0, 512 * KB, 85);
    vs_os_fail_nth(call, 1, EINVAL);
    vstack_destroy(&s.st);
    is_int(vs_os_count(VS_OS_RELEASE), 1, "%s: the stack is released all the same", what);
    if (!ok(s.logs.warn.count == 1 && tf_mentions(s.logs.warn.last, call == VS_OS_SIGBLOCK ? BLOCK : RESTORE,
                                                   EINVAL, NULL),
            "%s: a warning names %s and \"%s\"", what, call == VS_OS_SIGBLOCK ? BLOCK : RESTORE,
            strerror(EINVAL)))
        tu_logs_diag(&s.logs);
    is_int(s.logs.err.count, 0, "%s: no error message", what);
    ok(vstack_avma(&s.st) == 0 && tu_stats(&s.st).reserved == 0, "%s: the struct is emptied", what);
    tf_mask_same(&mask0, what);
    tf_unmapped(maps0, -1, what);
}

int main(void)
{
    tu_require_mmap();
    maps0 = tu_maps_baseline();
    tf_mask(&mask0);

    init_block();
    init_restore();
    growth(1, VS_OS_SIGBLOCK, "block fails in growth by an allocation");
    growth(1, VS_OS_SIGRESTORE, "restore fails in growth by an allocation");
    growth(0, VS_OS_SIGBLOCK, "block fails in vstack_grow");
    growth(0, VS_OS_SIGRESTORE, "restore fails in vstack_grow");
    decommit(VSTACK_DECOMMIT_REMAP, VS_OS_SIGBLOCK, 1, 1, "block fails in a decommit, remap path");
    decommit(VSTACK_DECOMMIT_REMAP, VS_OS_SIGRESTORE, 1, 1, "restore fails in a decommit, remap path");
    decommit(VSTACK_DECOMMIT_UNMAP, VS_OS_SIGBLOCK, 1, 1, "block fails in a decommit, unmap path");
    decommit(VSTACK_DECOMMIT_UNMAP, VS_OS_SIGRESTORE, 1, 1, "restore fails in a decommit, unmap path");
    unmap_path_blocks_once();
    rebuild(VS_OS_SIGBLOCK, "block fails in a rebuild");
    rebuild(VS_OS_SIGRESTORE, "restore fails in a rebuild");
    bind(VS_OS_SIGBLOCK, "block fails in vstack_bind_avma");
    bind(VS_OS_SIGRESTORE, "restore fails in vstack_bind_avma");
    destroy(VS_OS_SIGBLOCK, "block fails in vstack_destroy");
    destroy(VS_OS_SIGRESTORE, "restore fails in vstack_destroy");
    vs_os_fail_reset();
    return done_testing();
}
