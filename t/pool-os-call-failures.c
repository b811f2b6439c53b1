/* pool-os-call-failures: every OS call a pool makes, failed once through the
 * test seam.  Each failure gives a clear code and a sentence that names the
 * call, changes nothing (or, for a range lost on the unmap path, shrinks the
 * reservation and says so), keeps the data, and leaves the pool usable. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

static long maps0;

struct warns {
    int count;
    char last[256];
};

static void on_warn(vstack_pool *p, int err, const char *msg, void *ctx)
{
    struct warns *w = ctx;
    (void)p;
    (void)err;
    w->count++;
    snprintf(w->last, sizeof w->last, "%s", msg);
}

static int says(const char *msg, const char *call, const char *why)
{
    return strstr(msg, call) && strstr(msg, why);
}

/* A pool of 4 MiB with data, inside a 64 MiB reservation. */
static unsigned char *setup(vstack_pool *p, unsigned flags)
{
    vs_os_fail_reset();
    if (vstack_pool_init(p, 1 * MB, 64 * MB, flags) != VSTACK_OK || vstack_pool_resize(p, 4 * MB) != VSTACK_OK)
        bail_out("pool set-up failed: %s", vstack_pool_last_error(p));
    tu_fill(vstack_pool_base(p), 4 * MB, 3);
    vs_os_fail_reset();
    return vstack_pool_base(p);
}

static void teardown(vstack_pool *p, const char *what)
{
    vs_os_fail_reset();
    vstack_pool_destroy(p);
    tu_maps_check(maps0, 0, 32, what);
}

/* The failed call changed nothing, and the pool still works. */
static void unchanged(vstack_pool *p, unsigned char *base, size_t size, const char *what)
{
    ok(vstack_pool_base(p) == base && vstack_pool_size(p) == size, "%s: base and size unchanged", what);
    ok(tu_check(base, 4 * MB < size ? 4 * MB : size, 3) < 0, "%s: the data is intact", what);
    ok(vstack_pool_resize(p, 16 * MB) == VSTACK_OK && vstack_pool_resize(p, 2 * MB) == VSTACK_OK,
       "%s: the pool grows and shrinks again", what);
}

static size_t reserved(const vstack_pool *p)
{
    struct vstack_pool_stats s;
    vstack_pool_get_stats(p, &s);
    return s.reserved;
}

static void init_failures(void)
{
    vstack_pool p;

    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_PROBE, 1, ENOMEM);
    is_int(vstack_pool_init(&p, 1 * MB, 64 * MB, 0), VSTACK_OK, "probe fails once: init succeeds");
    is_int(reserved(&p), 16 * MB, "probe fails once: half of what the system allowed");
    ok(says(vstack_pool_last_error(&p), "mmap", strerror(ENOMEM)) && tu_mentions_size(vstack_pool_last_error(&p), 16 * MB),
       "probe fails once: the warning names the call and the size: %s", vstack_pool_last_error(&p));
    teardown(&p, "probe fails once: nothing left mapped");

    vs_os_fail_nth(VS_OS_RESERVE, 1, EINVAL);
    is_int(vstack_pool_init(&p, 64 * KB, 64 * KB, 0), VSTACK_ESYS, "reserve fails (EINVAL) at the minimum: VSTACK_ESYS");
    ok(says(vstack_pool_last_error(&p), "mmap", strerror(EINVAL)), "the sentence names mmap and the errno: %s",
       vstack_pool_last_error(&p));
    ok(vstack_pool_base(&p) == NULL, "nothing is reserved");
    tu_maps_check(maps0, 0, 32, "reserve fails: nothing mapped");

    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_COMMIT, 1, ENOMEM);
    is_int(vstack_pool_init(&p, 1 * MB, 64 * MB, 0), VSTACK_OK, "the first commit fails once: a smaller pool");
    ok(strstr(vstack_pool_last_error(&p), "mprotect") != NULL, "the warning names mprotect: %s", vstack_pool_last_error(&p));
    is_int(vstack_pool_size(&p), 1 * MB, "minsize is committed");
    teardown(&p, "first commit fails: nothing left mapped");

    vs_os_fail_nth(VS_OS_SIGBLOCK, 1, EINVAL);
    is_int(vstack_pool_init(&p, 1 * MB, 64 * MB, 0), VSTACK_ESYS, "blocking signals fails: VSTACK_ESYS");
    ok(says(vstack_pool_last_error(&p), "pthread_sigmask", strerror(EINVAL)), "the sentence names pthread_sigmask: %s",
       vstack_pool_last_error(&p));
    tu_maps_check(maps0, 0, 32, "blocking signals fails at init: nothing mapped");
    vs_os_fail_reset();
}

static void grow_failures(int err)
{
    vstack_pool p;
    char what[64];
    unsigned char *base = setup(&p, 0);
    snprintf(what, sizeof what, "mprotect fails (%s) in growth", strerror(err));
    vs_os_fail_nth(VS_OS_COMMIT, 1, err);
    is_int(vstack_pool_resize(&p, 32 * MB), err == ENOMEM ? VSTACK_ENOMEM : VSTACK_ESYS, "%s: the code", what);
    ok(says(vstack_pool_last_error(&p), "mprotect", strerror(err)), "%s: the sentence: %s", what,
       vstack_pool_last_error(&p));
    unchanged(&p, base, 4 * MB, what);
    teardown(&p, what);

    base = setup(&p, 0);
    vs_os_fail_nth(VS_OS_SIGBLOCK, 1, err);
    is_int(vstack_pool_resize(&p, 32 * MB), err == ENOMEM ? VSTACK_ENOMEM : VSTACK_ESYS,
           "blocking signals fails in resize: the code");
    unchanged(&p, base, 4 * MB, "blocking signals fails in resize");
    teardown(&p, "blocking signals fails in resize");
}

static void shrink_failures(unsigned flags, enum vs_os_call call, int err, const char *name, const char *what)
{
    vstack_pool p;
    unsigned char *base = setup(&p, flags);
    vs_os_fail_nth(call, 1, err);
    is_int(vstack_pool_resize(&p, 2 * MB), err == ENOMEM ? VSTACK_ENOMEM : VSTACK_ESYS, "%s: the code", what);
    ok(says(vstack_pool_last_error(&p), name, strerror(err)), "%s: the sentence: %s", what, vstack_pool_last_error(&p));
    unchanged(&p, base, 4 * MB, what);
    teardown(&p, what);
}

static void misplaced(void)
{
    vstack_pool p;
    unsigned char *base = setup(&p, VSTACK_DECOMMIT_REMAP);
    vs_os_misplace_next(VS_OS_REMAP);
    is_int(vstack_pool_resize(&p, 2 * MB), VSTACK_ESYS, "a remap placed elsewhere: VSTACK_ESYS");
    ok(strstr(vstack_pool_last_error(&p), "another address") != NULL, "it says where it went wrong: %s",
       vstack_pool_last_error(&p));
    unchanged(&p, base, 4 * MB, "a remap placed elsewhere");
    teardown(&p, "a remap placed elsewhere: the stray mapping is gone");
}

/* The unmap path loses the range when it cannot map it again. */
static void lost_range(void)
{
    vstack_pool p;
    unsigned char *base = setup(&p, VSTACK_DECOMMIT_UNMAP);
    vs_os_fail_nth(VS_OS_MAPAGAIN, 1, ENOMEM);
    is_int(vstack_pool_resize(&p, 2 * MB), VSTACK_ENOMEM, "map-again fails: VSTACK_ENOMEM");
    ok(strstr(vstack_pool_last_error(&p), "cannot grow past") != NULL, "the sentence says the pool cannot grow: %s",
       vstack_pool_last_error(&p));
    is_int(vstack_pool_size(&p), 2 * MB, "the pool is 2 MiB");
    is_int(reserved(&p), 2 * MB, "and so is its reservation");
    ok(tu_check(base, 2 * MB, 3) < 0, "the data below is intact");
    is_int(vstack_pool_resize(&p, 3 * MB), VSTACK_ESTACK, "it cannot grow: VSTACK_ESTACK");
    is_int(vstack_pool_resize(&p, 1 * MB), VSTACK_OK, "it still shrinks");
    if (tu_have_proc()) {
        struct tu_smaps sm;
        tu_smaps_range((uintptr_t)base + 2 * MB, (uintptr_t)base + 64 * MB, &sm);
        is_int(sm.nmaps, 0, "nothing of ours is mapped above the lost range");
    } else {
        skip(1, "no /proc/self/smaps");
    }
    teardown(&p, "a lost range: nothing left mapped");

    /* The same with a hard limit above the lost range, and the release of
     * the reservation above it refused: the limit comes down, a warning
     * says what stays mapped, and the test gives it back. */
    struct tu_maps_snap snap;
    struct warns w = {0};
    tu_maps_snapshot(&snap);
    base = setup(&p, VSTACK_DECOMMIT_UNMAP);
    vstack_pool_set_warn_handler(&p, on_warn, &w);
    is_int(vstack_pool_set_limits(&p, 0, 32 * MB), VSTACK_OK, "a hard limit of 32 MiB");
    vs_os_fail_nth(VS_OS_MAPAGAIN, 1, ENOMEM);
    vs_os_fail_nth(VS_OS_RELEASE, 1, EINVAL);
    is_int(vstack_pool_resize(&p, 2 * MB), VSTACK_ENOMEM, "map-again and the release above fail: VSTACK_ENOMEM");
    ok(w.count == 1 && says(w.last, "munmap", strerror(EINVAL)), "a warning names the release: %s", w.last);
    struct vstack_pool_stats st;
    vstack_pool_get_stats(&p, &st);
    ok(st.hard == 2 * MB && st.reserved == 2 * MB, "the hard limit comes down to what is left (%zu)", st.hard);
    ok(tu_check(base, 2 * MB, 3) < 0, "the data below is intact");
    vs_os_fail_reset();
    vstack_pool_destroy(&p);
    if (tu_maps_sweep_safe()) {
        long long kept = tu_maps_sweep(&snap, 1);
        ok(kept == 60 * MB, "what stays mapped is the 60 MiB above the lost range (%lld)", kept);
    }
    else
        skip(1, "the range the seam kept cannot be found again here");
    tu_maps_check(maps0, 0, 32, "a lost range with a refused release: nothing left mapped after the sweep");
}

static void destroy_unblocked(void)
{
    vstack_pool p;
    struct warns w = {0};
    setup(&p, 0);
    vstack_pool_set_warn_handler(&p, on_warn, &w);
    vs_os_fail_nth(VS_OS_SIGBLOCK, 1, EINVAL);
    vstack_pool_destroy(&p);
    ok(w.count == 1 && says(w.last, "pthread_sigmask", strerror(EINVAL)),
       "blocking signals fails in destroy: a warning, and destroy goes on: %s", w.last);
    ok(vstack_pool_base(&p) == NULL, "the pool is zeroed");
    vs_os_fail_reset();
    tu_maps_check(maps0, 0, 32, "blocking signals fails in destroy: nothing left mapped");
}

static void destroy_failure(void)
{
    vstack_pool p;
    struct warns w = {0};
    setup(&p, 0);
    vstack_pool_set_warn_handler(&p, on_warn, &w);
    void *base = vstack_pool_base(&p);
    size_t len = reserved(&p);
    vs_os_fail_nth(VS_OS_RELEASE, 1, EINVAL);
    vstack_pool_destroy(&p);
    ok(w.count == 1 && says(w.last, "munmap", strerror(EINVAL)), "munmap fails in destroy: a warning names it: %s", w.last);
    ok(vstack_pool_base(&p) == NULL, "the pool is zeroed all the same");
    munmap(base, len); /* the seam skipped the real munmap */
    tu_maps_check(maps0, 0, 32, "munmap fails in destroy");
    vs_os_fail_reset();
}

/* Fork-wipe's mark and unmark. */
static vstack_pool wp;

static void tail_state(int fd, int want_zero)
{
    unsigned char *b = vstack_pool_base(&wp);
    size_t zero = 0, n = (4 * MB - 1 * MB) / 4096;
    for (size_t off = 1 * MB; off < 4 * MB; off += 4096)
        zero += b[off] == 0;
    tu_child_ok(fd, want_zero ? zero == n : zero == 0, "the free tail %s", want_zero ? "reads as zero" : "is copied");
    tu_child_ok(fd, tu_check(b, 1 * MB, 3) < 0, "the used part is intact");
}

static void child_copied(int fd, void *arg)
{
    (void)arg;
    tail_state(fd, 0);
}

static void child_copied_all(int fd, void *arg)
{
    (void)arg;
    unsigned char *b = vstack_pool_base(&wp);
    size_t kept = 0;
    for (size_t off = 1 * MB; off < 8 * MB; off += 4096)
        kept += b[off] == 0x55;
    tu_child_ok(fd, kept == 7 * MB / 4096, "all of the pool is copied (%zu of %zu pages)", kept, 7 * MB / 4096);
}
static void child_wiped(int fd, void *arg)
{
    (void)arg;
    tail_state(fd, 1);
}

static void wipe_failures(void)
{
    if (!vs_os_config()->wipes_on_fork) {
        skip(1, "this system has no wipe-on-fork");
        return;
    }
    unsigned char *base = setup(&wp, 0);
    memset(base + 1 * MB, 0x44, 3 * MB);
    vstack_pool_set_used(&wp, 1 * MB);
    vs_os_fail_nth(VS_OS_WIPE, 1, ENOMEM);
    tu_in_child(child_copied, NULL, "the mark fails");
    is_int(vs_os_count(VS_OS_WIPE), 1, "the mark fails: no unmark is attempted");
    tu_in_child(child_wiped, NULL, "the next fork");
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_WIPE, 2, EIO); /* the unmark after the fork */
    tu_in_child(child_wiped, NULL, "the unmark fails");
    vs_os_fail_nth(VS_OS_WIPE, 1, EIO);
    is_int(vstack_pool_resize(&wp, 8 * MB), VSTACK_ESYS, "the unmark fails: a resize that cannot clear it fails");
    ok(strstr(vstack_pool_last_error(&wp), "fork-wipe") != NULL, "and says why: %s", vstack_pool_last_error(&wp));
    is_int(vstack_pool_size(&wp), 4 * MB, "and changes nothing");
    is_int(vstack_pool_resize(&wp, 8 * MB), VSTACK_OK, "the next resize clears the mark and grows");

    /* set_used clears a stuck mark too, or says why it could not. */
    vstack_pool_set_used(&wp, 1 * MB);
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_WIPE, 2, EIO);
    tu_in_child(child_wiped, NULL, "the unmark fails again");
    vs_os_fail_nth(VS_OS_WIPE, 1, EIO);
    vstack_pool_set_used(&wp, 1 * MB);
    ok(strstr(vstack_pool_last_error(&wp), "fork-wipe") && vstack_pool_last_error_code(&wp) == VSTACK_ESYS,
       "set_used that cannot clear the mark says so: %s", vstack_pool_last_error(&wp));
    vstack_pool_set_used(&wp, 1 * MB);
    ok(vstack_pool_last_error(&wp)[0] == 0, "the next set_used clears it");
    unsigned long before = vs_os_count(VS_OS_WIPE);
    vstack_pool_set_used(&wp, 8 * MB);
    is_int(vs_os_count(VS_OS_WIPE), before, "with no mark left, set_used makes no call");
    vstack_pool_set_used(&wp, 8 * MB);
    memset(base + 1 * MB, 0x55, 7 * MB);
    tu_in_child(child_copied_all, NULL, "all in use after the mark was cleared");
    teardown(&wp, "wipe failures");
}

/* Huge pages: the advice for a pool's first commit and for its growth. */
static void huge_advice(void)
{
    vstack_pool p;
    struct warns w = {0};
    if (!vs_os_config()->huge_page_size) {
        skip(1, "no transparent huge pages here");
        return;
    }
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_ADVISE, 1, EINVAL);
    is_int(vstack_pool_init(&p, 4 * MB, 64 * MB, VSTACK_HUGEPAGES), VSTACK_OK, "huge advice fails at init: init succeeds");
    ok(says(vstack_pool_last_error(&p), "madvise (MADV_HUGEPAGE)", strerror(EINVAL)) &&
           strstr(vstack_pool_last_error(&p), "normal pages"),
       "and warns that it goes on with normal pages: %s", vstack_pool_last_error(&p));
    vstack_pool_set_warn_handler(&p, on_warn, &w);
    vs_os_fail_nth(VS_OS_ADVISE, 1, EINVAL);
    is_int(vstack_pool_resize(&p, 16 * MB), VSTACK_OK, "huge advice fails in growth: the pool grows");
    ok(w.count == 1 && says(w.last, "madvise (MADV_HUGEPAGE)", strerror(EINVAL)), "one warning: %s", w.last);
    memset(vstack_pool_base(&p), 1, 16 * MB);
    teardown(&p, "huge advice failures");
}

int main(void)
{
    tu_require_mmap();
    maps0 = tu_maps_baseline();
    init_failures();
    grow_failures(ENOMEM);
    grow_failures(EACCES);
    shrink_failures(VSTACK_DECOMMIT_REMAP, VS_OS_REMAP, ENOMEM, "mmap", "remap fails (ENOMEM)");
    shrink_failures(VSTACK_DECOMMIT_REMAP, VS_OS_REMAP, EINVAL, "mmap", "remap fails (EINVAL)");
    shrink_failures(VSTACK_DECOMMIT_UNMAP, VS_OS_UNMAP, EINVAL, "munmap", "munmap fails (EINVAL), unmap path");
    misplaced();
    lost_range();
    destroy_unblocked();
    destroy_failure();
    huge_advice();
    wipe_failures();
    vs_os_fail_reset();
    return done_testing();
}
