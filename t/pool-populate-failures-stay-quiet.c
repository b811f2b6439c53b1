/* SPDX-License-Identifier: MIT */
/* pool-populate-failures-stay-quiet: a pool's MADV_POPULATE_WRITE made to
 * fail through the seam, in vstack_pool_resize and in
 * vstack_pool_set_used, before the call or after making it (a populate
 * that failed partway).  EINVAL, a kernel without the advice, turns
 * populate off for that pool only: no further call, and the next pool
 * tries again.  ENOMEM, EFAULT and EINTR end that batch only (its pages
 * fault in one by one, and the watermark moves past it, as for a stack):
 * the next batch calls again.  Either way the call succeeds, nothing is said (no warning,
 * no last error), the data is intact and the pool grows, shrinks and is
 * written as it would be without populate. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#define MB ((size_t)1 << 20)

static void on_warn(vstack_pool *p, int err, const char *msg, void *ctx)
{
    (void)p;
    (void)err;
    (void)msg;
    ++*(int *)ctx;
}

/* Grow in 8 MiB steps to 96 MiB, writing each new part with its pattern
 * and saying it is in use: 0, or -1 when a resize fails. */
static int grow_written(vstack_pool *p, size_t from, size_t to)
{
    unsigned char *b = vstack_pool_base(p);
    for (size_t size = from; size < to; size += 8 * MB) {
        if (vstack_pool_resize(p, size + 8 * MB) != VSTACK_OK)
            return -1;
        tu_fill(b + size, 8 * MB, size);
        vstack_pool_set_used(p, size + 8 * MB);
    }
    return 0;
}

static int intact(const vstack_pool *p, size_t from, size_t to)
{
    const unsigned char *b = vstack_pool_base(p);
    for (size_t size = from; size < to; size += 8 * MB)
        if (tu_check(b + size, 8 * MB, size) >= 0)
            return 0;
    return 1;
}

/* where: 0 the first populate (a resize), 1 a set_used's. */
static void fails(int err, int late, int where, const char *what)
{
    vstack_pool p;
    int said = 0;
    if (vstack_pool_init(&p, 8 * MB, 512 * MB, 0) != VSTACK_OK)
        bail_out("%s: no pool", what);
    vstack_pool_set_warn_handler(&p, on_warn, &said);
    unsigned char *b = vstack_pool_base(&p);
    unsigned long nfail = 1;
    tu_fill(b, 8 * MB, 0);
    vstack_pool_set_used(&p, 8 * MB);
    vs_os_fail_reset();
    if (where) {
        /* set_used within half a batch of the watermark populates. */
        is_int(vstack_pool_resize(&p, 64 * MB), VSTACK_OK, "%s: the pool grows", what);
        tu_fill(b + 8 * MB, 8 * MB, 8 * MB);
        unsigned long n0 = vs_os_count(VS_OS_POPULATE);
        if (late)
            vs_os_fail_nth_late(VS_OS_POPULATE, 1, err);
        else
            vs_os_fail_nth(VS_OS_POPULATE, 1, err);
        vstack_pool_set_used(&p, 16 * MB);
        is_int(vs_os_count(VS_OS_POPULATE), n0 + 1, "%s: set_used called populate", what);
        is_int(vstack_pool_last_error_code(&p), VSTACK_OK, "%s: set_used leaves no last error", what);
        if (err != EINVAL) {
            vstack_pool_set_used(&p, 16 * MB);
            is_int(vs_os_count(VS_OS_POPULATE), n0 + 1, "%s: that batch is over: the same set_used again makes no call",
                   what);
        }
        for (size_t at = 16 * MB; at < 64 * MB; at += 8 * MB)
            tu_fill(b + at, 8 * MB, at);
        vstack_pool_set_used(&p, 64 * MB);
        nfail = n0 + 1;
        if (grow_written(&p, 64 * MB, 96 * MB) != 0)
            bail_out("%s: cannot grow", what);
    } else {
        if (late)
            vs_os_fail_nth_late(VS_OS_POPULATE, 1, err);
        else
            vs_os_fail_nth(VS_OS_POPULATE, 1, err);
        ok(grow_written(&p, 8 * MB, 96 * MB) == 0, "%s: the pool grows to 96 MiB in 8 MiB steps, written", what);
    }
    unsigned long n = vs_os_count(VS_OS_POPULATE);
    if (err == EINVAL)
        is_int(n, nfail, "%s: no call after the failed one: populate is off for this pool", what);
    else
        ok(n > 2, "%s: the next growths call again (%lu calls)", what, n);
    ok(tu_check(b, 8 * MB, 0) < 0 && intact(&p, 8 * MB, 96 * MB), "%s: the data reads back", what);
    is_int(said, 0, "%s: nothing said", what);
    is_int(vstack_pool_last_error(&p)[0], 0, "%s: no last error", what);
    is_int(vstack_pool_resize(&p, 8 * MB), VSTACK_OK, "%s: the pool shrinks", what);
    ok(tu_check(b, 8 * MB, 0) < 0, "%s: and keeps what it kept", what);
    vstack_pool_destroy(&p);

    /* Another pool of the same process populates as before. */
    if (vstack_pool_init(&p, 8 * MB, 512 * MB, 0) != VSTACK_OK)
        bail_out("%s: no second pool", what);
    vs_os_fail_reset();
    ok(grow_written(&p, 8 * MB, 24 * MB) == 0 && vs_os_count(VS_OS_POPULATE) > 0,
       "%s: the next pool populates again", what);
    vstack_pool_destroy(&p);
}

int main(void)
{
    tu_require_mmap();
    tu_require(tu_lacks_populate());
    fails(EINVAL, 0, 0, "resize: EINVAL (no such advice)");
    fails(ENOMEM, 0, 0, "resize: ENOMEM (strict accounting)");
    fails(EFAULT, 0, 0, "resize: EFAULT");
    fails(ENOMEM, 1, 0, "resize: ENOMEM after the call, partway");
    fails(EINTR, 1, 0, "resize: EINTR after the call, partway");
    fails(EINVAL, 0, 1, "set_used: EINVAL (no such advice)");
    fails(ENOMEM, 0, 1, "set_used: ENOMEM");
    fails(EINTR, 1, 1, "set_used: EINTR after the call, partway");
    return done_testing();
}
