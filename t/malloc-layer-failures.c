/* SPDX-License-Identifier: MIT */
/* malloc-layer-failures: the verbs of the malloc layer (src/os_malloc.c,
 * what configure --without-mmap builds) made to fail through the seam, like
 * those of the mmap layer.  The policy reaches commit (the first commit,
 * at init and in a rebuild), release (destroy, after a failed first
 * commit, the old block of a rebuild), discard (trim) and the signal mask;
 * each failure gives its code and a sentence naming the call and the errno
 * text, and the stack stays usable with its data.  A fixed-size block never
 * probes, decommits, takes huge pages or wipes on fork, so those verbs are
 * checked directly: each counts, fails through the seam with its name, and
 * succeeds (or, for wipe-on-fork, says ENOSYS) otherwise.  The reservation
 * itself (aligned_alloc) is in t/without-mmap. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
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

static sigset_t mask0;

/* ---- verbs the policy never calls on a fixed block ---------------------------- */

static void verb(enum vs_os_call call, const char *name, int always_fails)
{
    static unsigned char block[8192] __attribute__((aligned(4096)));
    struct vs_os_err e = {0, NULL, NULL};
    size_t ps = vs_os_config()->page_size;
    int hole = 0, rc;

    for (int round = 0; round < 2; round++) {
        vs_os_fail_reset();
        if (round == 0)
            vs_os_fail_nth(call, 1, EIO);
        switch (call) {
        case VS_OS_PROBE: rc = vs_os_probe(ps, &e); break;
        case VS_OS_REMAP: rc = vs_os_decommit(block, ps, 0, &hole, &e); break;
        case VS_OS_UNMAP: rc = vs_os_decommit(block, ps, 1, &hole, &e); break;
        case VS_OS_ADVISE: rc = vs_os_advise_huge(block, ps, &e); break;
        case VS_OS_WIPE: rc = vs_os_wipe_on_fork(block, ps, 1, &e); break;
        default: bail_out("no such verb");
        }
        is_int(vs_os_count(call), 1, "%s: the call counts", name);
        if (round == 0) {
            ok(rc == EIO && e.err == EIO && e.call && strcmp(e.call, name) == 0 && !hole,
               "%s: fails through the seam as \"%s\"", name, name);
        } else if (always_fails) {
            ok(rc == ENOSYS && e.call && strcmp(e.call, name) == 0, "%s: unavailable here (ENOSYS)", name);
        } else {
            ok(rc == 0 && !hole, "%s: succeeds otherwise", name);
        }
    }
}

/* ---- what the policy reaches ----------------------------------------------------- */

/* Nothing is committed at init: the first allocation commits parisize. */
static void first_commit(const char *what, int err, int rebuild)
{
    struct tf_stack s;
    vs_os_fail_reset();
    if (tf_init(&s.st, &s.logs, 1 * MB, 0, 0) != VSTACK_OK)
        bail_out("%s: vstack_init failed", what);
    tu_capture_stack(&s.st, &s.logs);
    if (rebuild && vstack_set_size(&s.st, 2 * MB) != VSTACK_OK)
        bail_out("%s: vstack_set_size failed", what);
    is_int(vs_os_count(VS_OS_COMMIT), 0, "%s: nothing committed before the first allocation", what);
    vs_os_fail_nth(VS_OS_COMMIT, 1, err);
    ok(vstack_alloc(&s.st, 16 * KB) == NULL && s.logs.err.count == 1 && s.logs.err.last_err == tf_code(err),
       "%s: the allocation fails with %s", what, tf_code_name(tf_code(err)));
    tf_names(s.logs.err.last, "commit", err, NULL, what);
    tf_live(&s, 128 * KB, 101);
    tf_usable(&s, 0, what);
    vs_os_fail_reset();
    vstack_destroy(&s.st);
}

static void commit_at_first_allocation(void)
{
    first_commit("first commit refused", ENOMEM, 0);
    first_commit("first commit refused after a rebuild", EACCES, 1);
}

static void release_fails(void)
{
    const char *what = "free refused in vstack_destroy";
    struct tf_stack s;
    void *base;
    tf_open(&s, 1 * MB, 0, 0, 64 * KB, 103);
    base = (void *)tu_vbot(&s.st);
    vs_os_fail_nth(VS_OS_RELEASE, 1, EINVAL);
    vstack_destroy(&s.st);
    if (!ok(s.logs.warn.count == 1 && tf_mentions(s.logs.warn.last, "free", EINVAL, NULL),
            "%s: a warning names free and the errno text", what))
        tu_logs_diag(&s.logs);
    free(base); /* what the seam kept */
    vs_os_fail_reset();

    what = "free refused for the old block of a rebuild";
    tf_open(&s, 1 * MB, 0, 0, 64 * KB, 104);
    base = (void *)tu_vbot(&s.st);
    vs_os_fail_nth(VS_OS_RELEASE, 1, EINVAL);
    is_int(vstack_set_size(&s.st, 2 * MB), VSTACK_OK, "%s: the new stack is made", what);
    if (!ok(s.logs.warn.count == 1 && tf_mentions(s.logs.warn.last, "free", EINVAL, NULL),
            "%s: a warning names free and the errno text", what))
        tu_logs_diag(&s.logs);
    free(base);
    tf_live(&s, s.live_n, s.seed);
    tf_usable(&s, 0, what);
    vs_os_fail_reset();
    vstack_destroy(&s.st);
}

static void discard_fails(void)
{
    const char *what = "memset refused in vstack_trim";
    struct tf_stack s;
    tf_open(&s, 1 * MB, 0, 0, 64 * KB, 105);
    vs_os_fail_nth(VS_OS_DISCARD, 1, EINVAL);
    is_int(vstack_trim(&s.st), VSTACK_ESYS, "%s: VSTACK_ESYS", what);
    tf_names(vstack_last_error(&s.st), "memset", EINVAL, NULL, what);
    tf_intact(&s, what);
    is_int(vstack_trim(&s.st), VSTACK_OK, "%s: the next trim succeeds", what);
    tf_intact(&s, what);
    tf_usable(&s, 0, what);
    vs_os_fail_reset();
    vstack_destroy(&s.st);
}

static void reset_never_decommits(void)
{
    struct tf_stack s;
    tf_open(&s, 1 * MB, 0, 0, 512 * KB, 106);
    vstack_pop_all(&s.st);
    is_int(vstack_reset(&s.st), VSTACK_OK, "a reset of a fixed block succeeds");
    is_int(vs_os_count(VS_OS_REMAP) + vs_os_count(VS_OS_UNMAP), 0, "and never decommits");
    vstack_destroy(&s.st);
}

static void sigmask_fails(void)
{
    struct tu_logs logs;
    struct tf_stack s;
    vstack_sp av;

    tf_fail(VS_OS_SIGBLOCK, 1, EINVAL);
    is_int(tf_init(&s.st, &logs, 1 * MB, 0, 0), VSTACK_ESYS, "block fails in vstack_init: VSTACK_ESYS");
    tf_names(vstack_last_error(&s.st), BLOCK, EINVAL, NULL, "block fails in vstack_init");
    is_int(vs_os_count(VS_OS_RESERVE), 0, "block fails in vstack_init: nothing allocated");
    tf_mask_same(&mask0, "block fails in vstack_init");
    vs_os_fail_nth(VS_OS_SIGRESTORE, 1, EINVAL);
    is_int(tf_init(&s.st, &logs, 1 * MB, 0, 0), VSTACK_OK, "restore fails in vstack_init: the stack is made");
    ok(logs.warn.count == 1 && tf_mentions(logs.warn.last, RESTORE, EINVAL, NULL),
       "restore fails in vstack_init: a warning names it");
    tf_mask_same(&mask0, "restore fails in vstack_init");
    vstack_destroy(&s.st);

    tf_open(&s, 1 * MB, 0, 0, 64 * KB, 107);
    av = vstack_avma(&s.st);
    vs_os_fail_nth(VS_OS_SIGBLOCK, 1, EINVAL);
    is_int(vstack_set_size(&s.st, 2 * MB), VSTACK_ESYS, "block fails in a rebuild: VSTACK_ESYS");
    tf_names(vstack_last_error(&s.st), BLOCK, EINVAL, NULL, "block fails in a rebuild");
    ok(vstack_avma(&s.st) == av, "block fails in a rebuild: the old stack is kept");
    tf_intact(&s, "block fails in a rebuild");
    vs_os_fail_nth(VS_OS_SIGRESTORE, 1, EINVAL);
    is_int(vstack_set_size(&s.st, 2 * MB), VSTACK_OK, "restore fails in a rebuild: the new stack is made");
    ok(s.logs.warn.count == 1 && tf_mentions(s.logs.warn.last, RESTORE, EINVAL, NULL),
       "restore fails in a rebuild: a warning names it");
    tf_mask_same(&mask0, "restore fails in a rebuild");
    tu_logs_clear(&s.logs);
    tf_fail(VS_OS_SIGBLOCK, 1, EINVAL);
    vstack_destroy(&s.st);
    ok(s.logs.warn.count == 1 && tf_mentions(s.logs.warn.last, BLOCK, EINVAL, NULL) &&
           vs_os_count(VS_OS_RELEASE) == 1,
       "block fails in vstack_destroy: a warning names it, and the block is freed");

    tf_open(&s, 1 * MB, 0, 0, 64 * KB, 108);
    vs_os_fail_nth(VS_OS_SIGRESTORE, 1, EINVAL);
    vstack_destroy(&s.st);
    ok(s.logs.warn.count == 1 && tf_mentions(s.logs.warn.last, RESTORE, EINVAL, NULL),
       "restore fails in vstack_destroy: a warning names it");
    tf_mask_same(&mask0, "restore fails in vstack_destroy");
    vs_os_fail_reset();
}

int main(void)
{
    is_int(vs_os_config()->reserves, 0, "this test runs on the malloc layer");
    tf_mask(&mask0);
    verb(VS_OS_PROBE, "probe", 0);
    verb(VS_OS_REMAP, "decommit", 0);
    verb(VS_OS_UNMAP, "decommit", 0);
    verb(VS_OS_ADVISE, "huge pages", 0);
    verb(VS_OS_WIPE, "wipe on fork", 1);
    commit_at_first_allocation();
    release_fails();
    discard_fails();
    reset_never_decommits();
    sigmask_fails();
    vs_os_fail_reset();
    return done_testing();
}
