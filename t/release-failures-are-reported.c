/* SPDX-License-Identifier: MIT */
/* release-failures-are-reported: munmap of a whole reservation, made to
 * fail at each place the library releases one: vstack_destroy, a
 * reservation whose first commit failed (a pool's init), the old stack
 * of a rebuild (default(parisizemax)), and the reservation below a range
 * that the unmap path lost (vs_region_decommit).  Each is a warning that names
 * munmap and the errno text; the stack goes on (or is gone, for destroy);
 * exactly the range that could not be released stays mapped (the seam kept
 * it, and the test unmaps it), and the stack never again claims, nor
 * unmaps, a range that is no longer its own. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <vstack.h>

#include "faults.h"
#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

static long maps0;

static void warned(const struct tu_logs *logs, const char *what)
{
    if (!ok(logs->warn.count >= 1 && tf_mentions(logs->warn.all, "munmap (release)", EINVAL, NULL),
            "%s: a warning names munmap (release) and \"%s\"", what, strerror(EINVAL)))
        tu_logs_diag(logs);
}

static void in_destroy(void)
{
    const char *what = "munmap fails in vstack_destroy";
    struct tf_stack s;
    struct tu_maps_snap snap;
    size_t len;

    tu_maps_snapshot(&snap);
    tf_open(&s, 1 * MB, 64 * MB, 0, 512 * KB, 51);
    len = tu_stats(&s.st).reserved; /* no huge pages: the mapping is the reservation */
    vs_os_fail_nth(VS_OS_RELEASE, 1, EINVAL);
    vstack_destroy(&s.st);
    is_int(vs_os_count(VS_OS_RELEASE), 1, "%s: the call was made", what);
    warned(&s.logs, what);
    is_int(s.logs.err.count, 0, "%s: no error message", what);
    ok(vstack_avma(&s.st) == 0 && tu_stats(&s.st).reserved == 0, "%s: the struct is emptied", what);
    vstack_destroy(&s.st);
    ok(1, "%s: a second vstack_destroy is harmless", what);
    tf_swept(&snap, (long long)len, what);
    tu_maps_check(maps0, 0, -1, "munmap fails in vstack_destroy: nothing else stays mapped");
    vs_os_fail_reset();
    is_int(vstack_init(&s.st, 1 * MB, 64 * MB, 0), VSTACK_OK, "%s: the struct can be initialised again", what);
    vstack_destroy(&s.st);
}

/* A stack commits nothing at init; a pool commits its minsize there, so a
 * pool is what reaches the release of a reservation whose first commit
 * failed.  The init fails with the commit's refusal; the release's own
 * failure is a warning after it, which the last error (the failure) does
 * not show. */
static void in_reserve(void)
{
    const char *what = "munmap fails after a failed first commit (a pool)";
    struct tu_maps_snap snap;
    vstack_pool p;
    int rc;

    tu_maps_snapshot(&snap);
    tf_fail(VS_OS_COMMIT, 1, ENOMEM);
    vs_os_fail_nth(VS_OS_RELEASE, 1, EINVAL);
    rc = vstack_pool_init(&p, 1 * MB, 64 * MB, 0);
    is_int(rc, VSTACK_ENOMEM, "%s: vstack_pool_init fails with VSTACK_ENOMEM", what);
    is_int(vs_os_count(VS_OS_RELEASE), 1, "%s: the release was tried", what);
    ok(tf_mentions(vstack_pool_last_error(&p), "mprotect", ENOMEM, NULL) &&
           tu_mentions_size(vstack_pool_last_error(&p), 1 * MB),
       "%s: the failure names mprotect and the minsize: %s", what, vstack_pool_last_error(&p));
    ok(vstack_pool_base(&p) == NULL, "%s: nothing is kept", what);
    vs_os_fail_reset();
    tf_swept(&snap, (long long)(64 * MB), what);
    tu_maps_check(maps0, 0, -1, "munmap fails after a failed first commit: nothing else stays mapped");
    is_int(vstack_pool_init(&p, 1 * MB, 64 * MB, 0), VSTACK_OK, "%s: the struct can be initialised again", what);
    vstack_pool_destroy(&p);
}

static void in_rebuild(void)
{
    const char *what = "munmap of the old stack fails in a rebuild";
    struct tf_stack s;
    struct tu_maps_snap snap;
    size_t len;
    int rc;

    tu_maps_snapshot(&snap);
    tf_open(&s, 1 * MB, 64 * MB, 0, 512 * KB, 53);
    len = tu_stats(&s.st).reserved;
    vs_os_fail_nth(VS_OS_RELEASE, 1, EINVAL);
    rc = vstack_default(&s.st, "parisizemax", "32MiB");
    is_int(rc, VSTACK_OK, "%s: default(parisizemax, \"32MiB\") succeeds", what);
    warned(&s.logs, what);
    ok(strcmp(vstack_last_error(&s.st), s.logs.warn.last) == 0 &&
           vstack_last_error_code(&s.st) == VSTACK_ESYS,
       "%s: vstack_last_error keeps the warning, with VSTACK_ESYS", what);
    is_int(tu_default(&s.st, "parisizemax"), 32 * MB, "%s: the new stack is there", what);
    tf_live(&s, s.live_n, s.seed);
    tf_usable(&s, 8 * MB, what);
    vs_os_fail_reset();
    vstack_destroy(&s.st);
    tf_swept(&snap, (long long)len, what);
    tu_maps_check(maps0, 0, -1, "munmap of the old stack fails in a rebuild: nothing else stays mapped");
}

/* The unmap path loses [bot, nbot) (map-again refused), and the munmap of
 * the reservation below it fails too.  That part stays mapped, but the
 * stack must not count the lost range as its own any more: vstack_destroy
 * would otherwise unmap whatever another part of the program has mapped
 * there since. */
static void below_a_hole(void)
{
    const char *what = "munmap below a lost range fails";
    struct tf_stack s;
    struct tu_maps_snap snap;
    vstack_sp vbot, bot, nbot;
    unsigned char *other;
    int rc;

    tu_maps_snapshot(&snap);
    tf_open(&s, 1 * MB, 64 * MB, VSTACK_DECOMMIT_UNMAP, 1 * MB, 54);
    vbot = tu_vbot(&s.st);
    tf_grow_pop(&s, 8 * MB, what);
    bot = tu_bot(&s.st);
    nbot = vstack_top(&s.st) - 1 * MB;
    vs_os_fail_nth(VS_OS_MAPAGAIN, 1, ENOMEM);
    vs_os_fail_nth(VS_OS_RELEASE, 1, EINVAL);
    rc = vstack_reset(&s.st);
    is_int(rc, VSTACK_ENOMEM, "%s: vstack_reset returns VSTACK_ENOMEM", what);
    tf_names(vstack_last_error(&s.st), "mmap (map again after munmap)", ENOMEM, NULL, what);
    if (!ok(s.logs.warn.count == 1 && tf_mentions(s.logs.warn.last, "munmap (release)", EINVAL, NULL) &&
                tu_contains_nocase(s.logs.warn.last, "below the lost range"),
            "%s: a warning names munmap (release), the errno text and the range below", what))
        tu_logs_diag(&s.logs);
    tf_intact(&s, what);
    tf_consistent(&s.st, what);
    ok(tu_vbot(&s.st) == nbot && tu_default(&s.st, "parisizemax") == 1 * MB,
       "%s: the stack keeps [nbot, top) only, parisizemax 1 MiB", what);
    /* Another part of the program maps the lost range. */
#if HAVE_DECL_MAP_FIXED_NOREPLACE
    other = mmap((void *)bot, nbot - bot, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
#else
    other = MAP_FAILED;
#endif
    const char *why = NULL;
    if (other != (void *)bot) {
        why = "cannot map the lost range again here";
        if (other != MAP_FAILED)
            munmap(other, nbot - bot);
        other = NULL;
    } else {
        memset(other, 0x6b, nbot - bot);
        /* Its contents are read only where smaps shows it still mapped. */
        if (!tu_have_proc())
            why = tu_proc_why();
    }
    tf_usable(&s, 0, what);
    vs_os_fail_reset();
    vstack_destroy(&s.st);
    struct tu_smaps sm = {0};
    if (other)
        tu_smaps_range(bot, nbot, &sm);
    if (!ok_or_skip(why, sm.rw_maps == 1 && sm.covered == nbot - bot,
                    "%s: vstack_destroy leaves the other mapping alone", what))
        diag("  %ld mappings cover %llu of %zu bytes", sm.nmaps, sm.covered, (size_t)(nbot - bot));
    ok_or_skip(why, sm.rw_maps == 1 && other[0] == 0x6b && other[nbot - bot - 1] == 0x6b, "%s: and its contents",
               what);
    if (other && (sm.covered || why))
        munmap(other, nbot - bot);
    /* What is left is the reservation below the lost range, which the seam
     * kept mapped. */
    tf_swept(&snap, (long long)(bot - vbot), what);
    tu_maps_check(maps0, 0, -1, "munmap below a lost range fails: nothing else stays mapped");
}

int main(void)
{
    tu_require_mmap();
    maps0 = tu_maps_baseline();
    in_destroy();
    in_reserve();
    in_rebuild();
    below_a_hole();
    vs_os_fail_reset();
    return done_testing();
}
