/* SPDX-License-Identifier: MIT */
/* os-verbs-quote-the-system-errno: when mmap or munmap itself fails, each
 * verb of src/os_unix.c returns the errno the system set, not one of its
 * own, and names the call that failed, as the policy's sentences quote it.
 * These are the calls that cannot be made to fail for real on a valid
 * range (t/os-verbs-report-real-failures makes the others fail): munmap of
 * the trial mapping, of a whole reservation, of the unmap path's range and
 * of a mapping the system placed elsewhere, the mmap that puts PROT_NONE
 * over a committed range, and the unmap path's map-again (which another
 * thread's mapping makes fail only when it wins a race).  The stand-ins
 * (the linker's --wrap) fail the next call with the errno given; a munmap
 * that "fails" still unmaps where the real one would have left nothing
 * behind to clean up, so that the test leaks nothing. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#if HAVE_LD_WRAP
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_munmap(void *addr, size_t len);
int __wrap_munmap(void *addr, size_t len);
#endif

static int mmap_fails, munmap_fails; /* the errno for the next call, or 0 */
static int munmap_unmaps;            /* and whether that munmap unmaps all the same */
static int seen;                     /* calls the stand-ins saw */

#if HAVE_LD_WRAP
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    seen++;
    if (mmap_fails) {
        errno = mmap_fails;
        mmap_fails = 0;
        return MAP_FAILED;
    }
    return __real_mmap(addr, len, prot, flags, fd, off);
}

int __wrap_munmap(void *addr, size_t len)
{
    seen++;
    if (munmap_fails) {
        int err = munmap_fails;
        munmap_fails = 0;
        if (munmap_unmaps)
            (void)__real_munmap(addr, len);
        errno = err;
        return -1;
    }
    return __real_munmap(addr, len);
}
#endif

/* rc and e say errno err, from a call named like want, in strerror's words. */
static void quoted(int rc, const struct vs_os_err *e, int err, const char *want, const char *what)
{
    is_int(rc, err, "%s: returns the system's errno (%s)", what, strerror(err));
    ok(e->err == err && e->call && strstr(e->call, want) && e->why == NULL && strcmp(vs_os_why(e), strerror(err)) == 0,
       "%s: names %s: %s", what, e->call ? e->call : "(no call)", vs_os_why(e));
}

int main(void)
{
    size_t ps;
    struct vs_os_err e;
    struct tu_smaps sm;
    void *base = NULL;
    int hole;

    tu_require_mmap();
#if !HAVE_LD_WRAP
    skip_all("the linker has no --wrap: mmap and munmap cannot be replaced");
#endif
#if !defined(VS_OS_UNIX)
    skip_all("the library does not map memory itself");
#endif
    ps = vs_os_config()->page_size;
    const long maps0 = tu_maps_baseline();
    vs_os_fail_reset();

    if (vs_os_reserve(64 * ps, &base, &e) != 0)
        bail_out("reserve: %s", vs_os_why(&e));
    if (!seen)
        skip_all("mmap is not the function the stand-in replaces here (a header renames it)");

    munmap_fails = EPERM, munmap_unmaps = 1;
    memset(&e, 0, sizeof e);
    quoted(vs_os_probe(64 * ps, &e), &e, EPERM, "munmap (trial mapping)", "the trial mapping's munmap");
    if (vs_os_commit((char *)base + 32 * ps, 32 * ps, &e) != 0)
        bail_out("commit: %s", vs_os_why(&e));
    memset((char *)base + 32 * ps, 0x77, 32 * ps);

    /* The remap's mmap fails: nothing changed. */
    mmap_fails = EACCES;
    memset(&e, 0, sizeof e);
    quoted(vs_os_decommit((char *)base + 32 * ps, 8 * ps, 0, &hole, &e), &e, EACCES, "mmap (PROT_NONE",
           "decommit by remap");
    ok(!hole && ((unsigned char *)base)[32 * ps] == 0x77, "no hole, the range still holds its data");

    /* The unmap path's munmap fails, unmapping nothing: no hole. */
    munmap_fails = EBUSY, munmap_unmaps = 0;
    memset(&e, 0, sizeof e);
    quoted(vs_os_decommit((char *)base + 32 * ps, 8 * ps, 1, &hole, &e), &e, EBUSY, "munmap (decommit)",
           "decommit by unmap");
    ok(!hole && ((unsigned char *)base)[40 * ps - 1] == 0x77, "no hole, the range still holds its data");

    /* A remap placed elsewhere, whose stray the system will not unmap. */
    vs_os_misplace_next(VS_OS_REMAP);
    munmap_fails = EPERM, munmap_unmaps = 1;
    memset(&e, 0, sizeof e);
    quoted(vs_os_decommit((char *)base + 32 * ps, 8 * ps, 0, &hole, &e), &e, EPERM,
           "munmap (of a mapping placed elsewhere)", "the stray of a misplaced remap");
    ok(!hole && ((unsigned char *)base)[32 * ps] == 0x77, "no hole, the range still holds its data");

    /* The unmap path's map-again fails (another thread's mapping took the
     * hole first, EEXIST): the range is a hole now, and said to be. */
    mmap_fails = EEXIST;
    memset(&e, 0, sizeof e);
    quoted(vs_os_decommit((char *)base + 56 * ps, 8 * ps, 1, &hole, &e), &e, EEXIST, "mmap (map again after munmap)",
           "the unmap path's map-again");
    ok(hole, "a hole: the range was unmapped and not mapped again");
    if (tu_have_proc())
        ok(tu_smaps_range((uintptr_t)base + 56 * ps, (uintptr_t)base + 64 * ps, &sm) == 0 && sm.covered == 0,
           "and nothing is mapped there");
    else
        skip_check("no /proc/self/smaps", "and nothing is mapped there");

    /* The release of the reservation. */
    munmap_fails = EINVAL, munmap_unmaps = 1;
    memset(&e, 0, sizeof e);
    quoted(vs_os_release(base, 64 * ps, &e), &e, EINVAL, "munmap (release)", "release");

    /* Through the policy: a reset whose decommit the system refuses. */
    struct tu_logs logs;
    vstack st;
    tu_capture_defaults(&logs);
    if (vstack_init(&st, 1 << 20, 64 << 20, VSTACK_DECOMMIT_REMAP) != VSTACK_OK || !vstack_alloc(&st, 8 << 20))
        bail_out("a stack: %s", vstack_last_error(&st));
    vstack_pop_all(&st);
    mmap_fails = EACCES;
    is_int(vstack_reset(&st), VSTACK_ESYS, "a reset whose remap the system refuses: VSTACK_ESYS");
    ok(strstr(vstack_last_error(&st), "mmap (PROT_NONE over a committed range): ") &&
           strstr(vstack_last_error(&st), strerror(EACCES)),
       "the sentence quotes the call and the system's reason: %s", vstack_last_error(&st));
    is_int(vstack_reset(&st), VSTACK_OK, "the next reset works");
    is_int(tu_stats(&st).committed, 1 << 20, "and gives back all but parisize");
    vstack_destroy(&st);
    tu_maps_check(maps0, 0, -1, "nothing left mapped");
    return done_testing();
}
