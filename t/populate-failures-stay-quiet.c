/* SPDX-License-Identifier: MIT */
/* populate-failures-stay-quiet: MADV_POPULATE_WRITE made to fail through
 * the seam, before the call or after making it (a populate that failed
 * partway).  EINVAL, a kernel without the advice, turns populate off for
 * that stack only: no further call, and the next stack tries again.
 * ENOMEM (strict accounting) and EFAULT end that batch only: the next batch
 * calls again.  Either way the allocation succeeds, nothing is said (no
 * warning, no error, no last error), the data is intact and the stack works
 * on as it would without populate. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <vstack.h>

#include "faults.h"
#include "os.h"
#include "tap.h"
#include "testutil.h"

#define MB ((size_t)1 << 20)
#define CHUNK ((size_t)64 << 10)

static long maps0;

/* Allocate and write n bytes in CHUNK pieces: 0, or -1 when one fails. */
static int walk_written(vstack *st, size_t n, uint64_t seed)
{
    for (size_t done = 0; done < n; done += CHUNK) {
        void *p = vstack_alloc(st, CHUNK);
        if (!p)
            return -1;
        tu_fill(p, CHUNK, seed + done);
    }
    return 0;
}

/* The walk's chunks, just below av, still hold their patterns. */
static int walk_intact(vstack_sp av, size_t n, uint64_t seed)
{
    for (size_t done = 0; done < n; done += CHUNK)
        if (tu_check((const void *)(av - done - CHUNK), CHUNK, seed + done) >= 0)
            return 0;
    return 1;
}

static void fails(int err, int late, const char *what)
{
    struct tf_stack s;
    tf_open(&s, 4 * MB, 256 * MB, 0, 256 << 10, 71);
    vstack_sp av = vstack_avma(&s.st);
    if (late)
        vs_os_fail_nth_late(VS_OS_POPULATE, 1, err);
    else
        vs_os_fail_nth(VS_OS_POPULATE, 1, err);
    ok(walk_written(&s.st, 64 * MB, 5) == 0, "%s: 64 MiB allocated and written", what);
    ok(walk_intact(av, 64 * MB, 5), "%s: and it reads back", what);
    unsigned long n = vs_os_count(VS_OS_POPULATE);
    if (err == EINVAL)
        is_int(n, 1, "%s: one call, then populate is off for this stack", what);
    else
        ok(n > 1, "%s: the next batches call again (%lu calls)", what, n);
    is_int(s.logs.warn.count + s.logs.err.count, 0, "%s: nothing said", what);
    is_int(vstack_last_error(&s.st)[0], 0, "%s: no last error", what);
    tf_consistent(&s.st, what);
    tf_intact(&s, what);
    vstack_set_avma(&s.st, av);
    tf_usable(&s, 64 * MB, what);
    tf_close(&s, maps0, what);

    /* Another stack of the same process populates as before. */
    tf_open(&s, 4 * MB, 256 * MB, 0, 256 << 10, 72);
    ok(walk_written(&s.st, 16 * MB, 6) == 0 && vs_os_count(VS_OS_POPULATE) > 0,
       "%s: the next stack populates again", what);
    tf_close(&s, maps0, what);
}

int main(void)
{
    tu_require_mmap();
    tu_require(tu_lacks_populate());
    maps0 = tu_maps_baseline();
    fails(EINVAL, 0, "EINVAL (no such advice)");
    fails(ENOMEM, 0, "ENOMEM (strict accounting)");
    fails(EFAULT, 0, "EFAULT");
    fails(ENOMEM, 1, "ENOMEM after the call, partway");
    fails(EINTR, 1, "EINTR after the call, partway");
    return done_testing();
}
