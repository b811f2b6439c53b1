/* SPDX-License-Identifier: MIT */
/* os-verbs-report-real-failures: the fault matrix fails the verbs of
 * src/os_unix.c through the seam, before their system call; here the system
 * call itself fails.  On a range that the test has unmapped, madvise and
 * mprotect fail with ENOMEM: discard, huge-page advice, wipe-on-fork (mark
 * and unmark), populate and commit must each return that errno and name their call,
 * with strerror's words, as the policy's sentences quote them.  The calls
 * that cannot fail on a valid range (munmap of whole pages, mmap with
 * MAP_FIXED over our own reservation) are left to doc/reliability.md. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

/* e says the call failed with ENOMEM, by the name want and strerror's words. */
static void reported(int rc, const struct vs_os_err *e, const char *want, const char *what)
{
    is_int(rc, ENOMEM, "%s: returns ENOMEM", what);
    ok(rc == ENOMEM && e->err == ENOMEM && e->call && strstr(e->call, want) && e->why == NULL,
       "%s: reports errno %d from %s (%s)", what, e->err, e->call ? e->call : "(no call)",
       e->why ? e->why : "strerror says why");
}

int main(void)
{
    tu_require_mmap();
    tu_require(tu_lacks_enomem_for_unmapped());
    /* A kernel that does not know an advice refuses it with EINVAL first.
     * (Probed before the test range is made: a probe's page may land there.) */
    const char *no_huge = tu_lacks_huge_advice(), *no_wipe = tu_lacks_wipe_on_fork();
    const char *no_populate = tu_lacks_populate();
    size_t ps = vs_os_config()->page_size, len = 4 * ps;
    /* A range of our own that nothing maps: reserved, then unmapped again. */
    void *hole = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (hole == MAP_FAILED)
        bail_out("mmap of the test range: %s", strerror(errno));
    if (munmap(hole, len) != 0)
        bail_out("munmap of the test range: %s", strerror(errno));
    vs_os_fail_reset();

    struct vs_os_err e;
    memset(&e, 0, sizeof e);
    reported(vs_os_discard(hole, len, &e), &e, "MADV_DONTNEED", "discard of an unmapped range");
    if (!no_huge) {
        memset(&e, 0, sizeof e);
        reported(vs_os_advise_huge(hole, len, &e), &e, "MADV_HUGEPAGE", "huge-page advice on an unmapped range");
    } else {
        skip_check(no_huge, "huge-page advice on an unmapped range: returns ENOMEM");
        skip_check(no_huge, "huge-page advice on an unmapped range: reports it");
    }
    if (!no_wipe) {
        memset(&e, 0, sizeof e);
        reported(vs_os_wipe_on_fork(hole, len, 1, &e), &e, "MADV_WIPEONFORK", "fork-wipe mark of an unmapped range");
        memset(&e, 0, sizeof e);
        reported(vs_os_wipe_on_fork(hole, len, 0, &e), &e, "MADV_KEEPONFORK", "fork-wipe unmark of an unmapped range");
    } else {
        skip_check(no_wipe, "fork-wipe mark of an unmapped range: returns ENOMEM");
        skip_check(no_wipe, "fork-wipe mark of an unmapped range: reports it");
        skip_check(no_wipe, "fork-wipe unmark of an unmapped range: returns ENOMEM");
        skip_check(no_wipe, "fork-wipe unmark of an unmapped range: reports it");
    }
    if (!no_populate) {
        memset(&e, 0, sizeof e);
        reported(vs_os_populate(hole, len, &e), &e, "MADV_POPULATE_WRITE", "populate of an unmapped range");
    } else {
        skip_check(no_populate, "populate of an unmapped range: returns ENOMEM");
        skip_check(no_populate, "populate of an unmapped range: reports it");
    }
    memset(&e, 0, sizeof e);
    reported(vs_os_commit(hole, len, &e), &e, "mprotect", "commit of an unmapped range");
    is_int(vs_os_count(VS_OS_DISCARD) + vs_os_count(VS_OS_COMMIT), 2, "each verb went through the seam once, unfailed");
    return done_testing();
}
