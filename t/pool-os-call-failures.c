/* SPDX-License-Identifier: MIT */
/* pool-os-call-failures: every OS call a pool makes, failed once through the
 * test seam.  Each failure gives a clear code and a sentence that names the
 * call, changes nothing (or, for a range lost on the unmap path, shrinks the
 * reservation and says so), keeps the data, and leaves the pool usable.  A
 * failed restore of the signal mask is a warning after a change that was
 * made, and the mask is as it was.  A decommit whose mapping lands
 * elsewhere, and the munmap of that stray mapping, leave no hole in what
 * the pool keeps, and destroy unmaps nothing that is not the pool's. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vstack.h>

#include "faults.h"
#include "os.h"
#include "tap.h"
#include "testutil.h"

#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS MAP_ANON
#endif

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)
#define RESTORE "pthread_sigmask (restore)"
#define ELSEWHERE "the system placed the mapping at another address"

static long maps0;
/* The thread's mask for the whole test: SIGUSR2 blocked, so that a restore
 * to any mask but the caller's would show. */
static sigset_t mask0;

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
    tf_pool_close(p, maps0, 32, what);
}

/* The first keep bytes hold setup's data, and the pool still grows and
 * shrinks, keeping them (up to 2 MiB). */
static void still_works(vstack_pool *p, unsigned char *base, size_t keep, const char *what)
{
    ok(tu_check(base, keep, 3) < 0, "%s: the data is intact", what);
    ok(vstack_pool_resize(p, 16 * MB) == VSTACK_OK && vstack_pool_resize(p, 2 * MB) == VSTACK_OK,
       "%s: the pool grows and shrinks again", what);
    ok(tu_check(base, keep < 2 * MB ? keep : 2 * MB, 3) < 0, "%s: and keeps its data", what);
}

/* The failed call changed nothing, and the pool still works. */
static void unchanged(vstack_pool *p, unsigned char *base, size_t size, const char *what)
{
    ok(vstack_pool_base(p) == base && vstack_pool_size(p) == size, "%s: base and size unchanged", what);
    still_works(p, base, 4 * MB < size ? 4 * MB : size, what);
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

    tf_fail(VS_OS_PROBE, 1, ENOMEM);
    is_int(vstack_pool_init(&p, 1 * MB, 64 * MB, 0), VSTACK_OK, "probe fails once: init succeeds");
    is_int(reserved(&p), 32 * MB, "probe fails once: the first halving that fits");
    ok(says(vstack_pool_last_error(&p), "mmap", strerror(ENOMEM)) && tu_mentions_size(vstack_pool_last_error(&p), 32 * MB),
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
    is_int(vstack_pool_init(&p, 1 * MB, 64 * MB, 0), VSTACK_ENOMEM, "the first commit fails: VSTACK_ENOMEM");
    ok(strstr(vstack_pool_last_error(&p), "mprotect") && strstr(vstack_pool_last_error(&p), "minsize"),
       "the sentence names mprotect and the minsize: %s", vstack_pool_last_error(&p));
    ok(vstack_pool_base(&p) == NULL, "nothing is kept");
    tu_maps_check(maps0, 0, 32, "first commit fails: nothing left mapped");

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
        skip(1, "%s", tu_proc_why());
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
    if (!tu_maps_sweep_safe())
        skip(1, "the range the seam kept cannot be found again here");
    else if (!tu_have_proc())
        skip(1, "the range the seam kept cannot be found again: %s", tu_proc_why());
    else {
        long long kept = tu_maps_sweep(&snap, 1);
        ok(kept == 60 * MB, "what stays mapped is the 60 MiB above the lost range (%lld)", kept);
    }
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
    tf_unmapped(maps0, 32, "blocking signals fails in destroy: nothing left mapped");
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
    if (munmap(base, len) != 0) /* the seam skipped the real munmap */
        diag("  munmap of the pool after destroy: %s", strerror(errno));
    tu_maps_check(maps0, 0, 32, "munmap fails in destroy");
    vs_os_fail_reset();
}

/* ---- the restore of the signal mask ------------------------------------------ */

/* The seam fails the restore after putting the mask back, as a failing
 * pthread_sigmask would leave it for a mask we read ourselves: the change
 * is made, and a warning says the restore failed. */
static void restore_in_init(void)
{
    const char *what = "restore fails in vstack_pool_init";
    vstack_pool p;
    unsigned char *base;

    tf_fail(VS_OS_SIGRESTORE, 1, EINVAL);
    is_int(vstack_pool_init(&p, 1 * MB, 64 * MB, 0), VSTACK_OK, "%s: the pool is made", what);
    is_int(vs_os_count(VS_OS_SIGRESTORE), 1, "%s: one restore was tried", what);
    /* A pool has no warn handler until init returns: the warning is only in
     * the last error. */
    tf_names(vstack_pool_last_error(&p), RESTORE, EINVAL, NULL, what);
    is_int(vstack_pool_last_error_code(&p), VSTACK_ESYS, "%s: with VSTACK_ESYS", what);
    ok(vstack_pool_size(&p) == 1 * MB && reserved(&p) == 64 * MB, "%s: 1 MiB committed of 64 MiB (%zu of %zu)",
       what, vstack_pool_size(&p), reserved(&p));
    tf_mask_same(&mask0, what);
    base = vstack_pool_base(&p);
    if (!base)
        bail_out("%s: no pool", what);
    tu_fill(base, 1 * MB, 3);
    still_works(&p, base, 1 * MB, what);
    teardown(&p, what);
}

/* A resize of setup's pool from 4 MiB to `to` on path flags, with the nth
 * restore failing of the `calls` that the resize makes.  The unmap path
 * blocks signals again around its own munmap and mmap: that restore is
 * nested in the resize's block, and by design tells no one (warned == 0),
 * since the outer restore puts the caller's mask back. */
static void restore_in_resize(unsigned flags, size_t to, unsigned long nth, unsigned long calls, int warned,
                              const char *what)
{
    vstack_pool p;
    struct warns w = {0};
    struct vstack_pool_stats before, after;
    unsigned char *base = setup(&p, flags);

    vstack_pool_set_warn_handler(&p, on_warn, &w);
    vstack_pool_get_stats(&p, &before);
    vs_os_fail_nth(VS_OS_SIGRESTORE, nth, EINVAL);
    is_int(vstack_pool_resize(&p, to), VSTACK_OK, "%s: the resize is made", what);
    is_int(vs_os_count(VS_OS_SIGRESTORE), calls, "%s: %lu restore(s) tried", what, calls);
    vstack_pool_get_stats(&p, &after);
    ok(after.size == to && after.grows + after.shrinks == before.grows + before.shrinks + 1,
       "%s: the pool is %zu bytes, and the change is counted", what, after.size);
    if (warned) {
        ok(w.count == 1 && tf_mentions(w.last, RESTORE, EINVAL, NULL), "%s: one warning names %s and \"%s\": %s",
           what, RESTORE, strerror(EINVAL), w.last);
        ok(strcmp(vstack_pool_last_error(&p), w.last) == 0 && vstack_pool_last_error_code(&p) == VSTACK_ESYS,
           "%s: the last error keeps it, with VSTACK_ESYS", what);
    } else {
        if (!ok(w.count == 0 && vstack_pool_last_error(&p)[0] == 0 && vstack_pool_last_error_code(&p) == VSTACK_OK,
                "%s: no message (by design)", what))
            diag("  %d warning(s); last error: %s", w.count, vstack_pool_last_error(&p));
    }
    tf_mask_same(&mask0, what);
    ok(vstack_pool_base(&p) == base, "%s: the base has not moved", what);
    if (to > 4 * MB)
        memset(base + 4 * MB, 0x11, to - 4 * MB);
    still_works(&p, base, to < 4 * MB ? to : 4 * MB, what);
    teardown(&p, what);
}

static void restore_in_destroy(void)
{
    const char *what = "restore fails in vstack_pool_destroy";
    vstack_pool p;
    struct warns w = {0};
    struct tu_smaps sm;
    unsigned char *base = setup(&p, 0);

    vstack_pool_set_warn_handler(&p, on_warn, &w);
    vs_os_fail_nth(VS_OS_SIGRESTORE, 1, EINVAL);
    vstack_pool_destroy(&p);
    is_int(vs_os_count(VS_OS_RELEASE), 1, "%s: the pool is released all the same", what);
    ok(w.count == 1 && tf_mentions(w.last, RESTORE, EINVAL, NULL), "%s: a warning names %s and \"%s\": %s", what,
       RESTORE, strerror(EINVAL), w.last);
    ok(vstack_pool_base(&p) == NULL && vstack_pool_size(&p) == 0 && reserved(&p) == 0, "%s: the pool is zeroed",
       what);
    tf_mask_same(&mask0, what);
    if (tu_smaps_range((uintptr_t)base, (uintptr_t)base + 64 * MB, &sm) == 0)
        is_int(sm.nmaps, 0, "%s: nothing of the pool stays mapped", what);
    else
        skip(1, "%s: %s", what, tu_proc_why());
    tf_unmapped(maps0, 32, what);
}

/* ---- a decommit whose mapping lands elsewhere ------------------------------------- */

struct stray {
    unsigned flags;        /* the decommit path */
    enum vs_os_call call;  /* the step whose mapping the seam places elsewhere */
    int stray_err;         /* the munmap of that stray mapping fails with it; 0: it succeeds */
    const char *calls;     /* what the sentence names */
    int hole;              /* the range was unmapped first: it is lost */
    const char *what;
};

/* Map len read/write bytes at addr for someone else than the pool; NULL
 * when the system will not put them there (then nothing stays mapped). */
static unsigned char *squat(uintptr_t addr, size_t len)
{
    int flags = MAP_PRIVATE | MAP_ANONYMOUS;
#if HAVE_DECL_MAP_FIXED_NOREPLACE
    flags |= MAP_FIXED_NOREPLACE;
#endif
    void *p = mmap((void *)addr, len, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (p != (void *)addr) {
        if (munmap(p, len) != 0)
            bail_out("munmap of a mapping placed elsewhere: %s", strerror(errno));
        return NULL;
    }
    return p;
}

/* Shrink setup's pool from 4 MiB to 2 MiB with f's step landing elsewhere. */
static void stray(const struct stray *f)
{
    const char *what = f->what;
    vstack_pool p;
    struct warns w = {0};
    struct tu_maps_snap snap;
    struct tu_smaps sm;
    struct vstack_pool_stats st;
    unsigned char *base, *other = NULL;
    size_t keep = f->hole ? 2 * MB : 4 * MB; /* what the pool keeps of setup's data */
    int want = f->stray_err ? tf_code(f->stray_err) : VSTACK_ESYS;
    uintptr_t b;

    tu_maps_snapshot(&snap); /* before the pool: the sweep at the end finds only the seam's */
    base = setup(&p, f->flags);
    b = (uintptr_t)base;
    vstack_pool_set_warn_handler(&p, on_warn, &w);
    vs_os_misplace_next(f->call);
    if (f->stray_err)
        vs_os_fail_nth(VS_OS_STRAY_UNMAP, 1, f->stray_err);
    is_int(vstack_pool_resize(&p, 2 * MB), want, "%s: vstack_pool_resize returns %s", what, tf_code_name(want));
    is_int(vs_os_count(VS_OS_STRAY_UNMAP), 1, "%s: the stray mapping's munmap was tried", what);
    is_int(vstack_pool_last_error_code(&p), want, "%s: vstack_pool_last_error_code agrees", what);
    tf_names(vstack_pool_last_error(&p), f->calls, f->stray_err, f->stray_err ? NULL : ELSEWHERE, what);
    is_int(w.count, 0, "%s: no warning", what);
    vstack_pool_get_stats(&p, &st);
    if (f->hole) {
        ok(strstr(vstack_pool_last_error(&p), "cannot grow past") != NULL,
           "%s: the sentence says the pool cannot grow past what is left", what);
        ok(st.size == 2 * MB && st.reserved == 2 * MB && st.shrinks == 0,
           "%s: 2 MiB left, and the reservation comes down to it (%zu of %zu)", what, st.size, st.reserved);
    } else {
        ok(st.size == 4 * MB && st.reserved == 64 * MB && st.shrinks == 0,
           "%s: nothing changed (%zu of %zu)", what, st.size, st.reserved);
    }
    ok(vstack_pool_base(&p) == base, "%s: the base has not moved", what);
    ok(tu_check(base, keep, 3) < 0, "%s: the data is intact", what);
    if (tu_have_proc()) {
        ok(tu_mapped_as(b, b + st.size, 1) && tu_mapped_as(b + st.size, b + st.reserved, 0),
           "%s: no hole: the %zu bytes committed are read/write, the rest of the reservation PROT_NONE", what,
           st.size);
        if (f->hole) {
            tu_smaps_range(b + st.reserved, b + 64 * MB, &sm);
            is_int(sm.nmaps, 0, "%s: nothing of ours is mapped where the pool gave up", what);
        }
    } else {
        skip(1 + f->hole, "%s: %s", what, tu_proc_why());
    }

    if (f->hole) {
        is_int(vstack_pool_resize(&p, 3 * MB), VSTACK_ESTACK, "%s: it cannot grow past 2 MiB: VSTACK_ESTACK", what);
        ok(vstack_pool_resize(&p, 1 * MB) == VSTACK_OK && vstack_pool_resize(&p, 2 * MB) == VSTACK_OK &&
               tu_check(base, 1 * MB, 3) < 0,
           "%s: within what is left, it shrinks and grows again, and keeps its data", what);
        memset(base + 1 * MB, 0x77, 1 * MB);
        /* The lost range is anybody's now: someone maps it. */
        other = squat(b + 2 * MB, 2 * MB);
        if (other)
            tu_fill(other, 2 * MB, 5);
    } else {
        still_works(&p, base, keep, what);
    }
    vs_os_fail_reset();
    vstack_pool_destroy(&p);
    if (other) {
        ok_or_skip(tu_have_proc() ? NULL : tu_proc_why(),
                   tu_mapped_as(b + 2 * MB, b + 4 * MB, 1) && tu_check(other, 2 * MB, 5) < 0,
                   "%s: destroy leaves alone what was mapped since in the lost range", what);
        if (munmap(other, 2 * MB) != 0)
            bail_out("munmap of the mapping in the lost range: %s", strerror(errno));
    } else if (f->hole) {
        skip(1, "%s: the lost range cannot be mapped again here", what);
    }
    if (tu_smaps_range(b, b + 64 * MB, &sm) == 0)
        is_int(sm.nmaps, 0, "%s: destroy leaves nothing of the pool mapped", what);
    else
        skip(1, "%s: %s", what, tu_proc_why());
    /* What the seam kept mapped is not the pool's: destroy left it. */
    tf_swept(&snap, f->stray_err ? 2 * MB : 0, what);
    tu_maps_check(maps0, 0, 32, what);
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
    if (tu_lacks_wipe_on_fork()) {
        skip(1, "%s", tu_lacks_wipe_on_fork());
        return;
    }
    unsigned char *base = setup(&wp, 0);
    memset(base + 1 * MB, 0x44, 3 * MB);
    /* set_used marks the free tail and keeps the mark; when that mark
     * fails, it is undone, set_used says nothing, and each fork marks the
     * tail itself. */
    vs_os_fail_nth(VS_OS_WIPE, 1, ENOMEM);
    vstack_pool_set_used(&wp, 1 * MB);
    is_int(vs_os_count(VS_OS_WIPE), 2, "set_used's mark fails: it is undone at once");
    ok(vstack_pool_last_error(&wp)[0] == 0, "set_used's mark fails: nothing to say (%s)", vstack_pool_last_error(&wp));
    tu_in_child(child_wiped, NULL, "set_used's mark failed: the fork marks the tail");
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_WIPE, 1, ENOMEM);
    tu_in_child(child_copied, NULL, "the mark fails");
    is_int(vs_os_count(VS_OS_WIPE), 2, "the mark fails: it is undone before fork, no unmark after it");
    tu_in_child(child_wiped, NULL, "the next fork");
    tf_fail(VS_OS_WIPE, 2, EIO); /* the unmark after the fork */
    tu_in_child(child_wiped, NULL, "the unmark fails");
    vs_os_fail_nth(VS_OS_WIPE, 1, EIO);
    is_int(vstack_pool_resize(&wp, 8 * MB), VSTACK_ESYS, "the unmark fails: a resize that cannot clear it fails");
    ok(strstr(vstack_pool_last_error(&wp), "fork-wipe") != NULL, "and says why: %s", vstack_pool_last_error(&wp));
    is_int(vstack_pool_size(&wp), 4 * MB, "and changes nothing");
    is_int(vstack_pool_resize(&wp, 8 * MB), VSTACK_OK, "the next resize clears the mark and grows");

    /* The kept mark follows set_used: more in use, and the mark must go
     * from what is in use now, or set_used says why it could not. */
    vstack_pool_set_used(&wp, 1 * MB);
    vs_os_fail_reset();
    tu_in_child(child_wiped, NULL, "the kept mark");
    is_int(vs_os_count(VS_OS_WIPE), 0, "a fork with the kept mark makes no call");
    vs_os_fail_nth(VS_OS_WIPE, 1, EIO);
    vstack_pool_set_used(&wp, 2 * MB);
    ok(strstr(vstack_pool_last_error(&wp), "fork-wipe") && vstack_pool_last_error_code(&wp) == VSTACK_ESYS,
       "set_used that cannot clear the mark says so: %s", vstack_pool_last_error(&wp));
    vstack_pool_set_used(&wp, 1 * MB);
    ok(vstack_pool_last_error(&wp)[0] == 0, "the next set_used clears it");
    vstack_pool_set_used(&wp, 8 * MB);
    unsigned long before = vs_os_count(VS_OS_WIPE);
    vstack_pool_set_used(&wp, 8 * MB);
    is_int(vs_os_count(VS_OS_WIPE), before, "with no mark left, set_used makes no call");
    memset(base + 1 * MB, 0x55, 7 * MB);
    tu_in_child(child_copied_all, NULL, "all in use after the mark was cleared");
    teardown(&wp, "wipe failures");
}

/* The kept mark of the free tail, where it cannot be made or kept: a resize
 * whose new mark fails still succeeds, quietly, and the fork hooks mark the
 * tail instead; a set_used that cannot block signals says so and changes
 * no mark. */
static void keep_failures(void)
{
    if (tu_lacks_wipe_on_fork()) {
        skip(1, "%s", tu_lacks_wipe_on_fork());
        return;
    }
    unsigned char *base = setup(&wp, 0);
    memset(base + 1 * MB, 0x44, 3 * MB);
    vstack_pool_set_used(&wp, 1 * MB);
    vs_os_fail_reset();
    /* resize: clear the kept mark (1), grow, mark the new tail (2, fails),
     * undo that mark (3), clear what is recorded (nothing: no call). */
    vs_os_fail_nth(VS_OS_WIPE, 2, ENOMEM);
    is_int(vstack_pool_resize(&wp, 8 * MB), VSTACK_OK, "the kept mark fails after a resize: the resize succeeds");
    is_int(vs_os_count(VS_OS_WIPE), 3, "the kept mark fails after a resize: cleared, tried, undone");
    ok(vstack_pool_last_error(&wp)[0] == 0, "the kept mark fails after a resize: nothing to say (%s)",
       vstack_pool_last_error(&wp));
    memset(base + 4 * MB, 0x44, 4 * MB);
    vs_os_fail_reset();
    tu_in_child(child_wiped, NULL, "no kept mark after the resize: the fork marks the tail");
    is_int(vs_os_count(VS_OS_WIPE), 2, "no kept mark after the resize: the fork marks and unmarks");

    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_SIGBLOCK, 1, EINVAL);
    vstack_pool_set_used(&wp, 2 * MB);
    ok(strstr(vstack_pool_last_error(&wp), "pthread_sigmask") && vstack_pool_last_error_code(&wp) == VSTACK_ESYS,
       "set_used that cannot block signals says so: %s", vstack_pool_last_error(&wp));
    is_int(vs_os_count(VS_OS_WIPE), 0, "set_used that cannot block signals makes no mark");
    tf_mask_same(&mask0, "set_used that cannot block signals");
    vstack_pool_set_used(&wp, 1 * MB);
    ok(vstack_pool_last_error(&wp)[0] == 0, "the next set_used succeeds");
    teardown(&wp, "kept-mark failures");
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
    tf_fail(VS_OS_ADVISE, 1, EINVAL);
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
    static const struct stray strays[] = {
        {VSTACK_DECOMMIT_REMAP, VS_OS_REMAP, 0, "mmap (PROT_NONE over a committed range)", 0,
         "remap path: the mapping lands elsewhere"},
        {VSTACK_DECOMMIT_REMAP, VS_OS_REMAP, EINVAL, "munmap (of a mapping placed elsewhere)", 0,
         "remap path: elsewhere, and its munmap fails (EINVAL)"},
        {VSTACK_DECOMMIT_REMAP, VS_OS_REMAP, ENOMEM, "munmap (of a mapping placed elsewhere)", 0,
         "remap path: elsewhere, and its munmap is refused (ENOMEM)"},
        {VSTACK_DECOMMIT_UNMAP, VS_OS_MAPAGAIN, 0, "mmap (map again after munmap)", 1,
         "unmap path: map-again lands elsewhere"},
        {VSTACK_DECOMMIT_UNMAP, VS_OS_MAPAGAIN, EINVAL, "munmap (of a mapping placed elsewhere)", 1,
         "unmap path: elsewhere, and its munmap fails (EINVAL)"},
        {VSTACK_DECOMMIT_UNMAP, VS_OS_MAPAGAIN, ENOMEM, "munmap (of a mapping placed elsewhere)", 1,
         "unmap path: elsewhere, and its munmap is refused (ENOMEM)"},
    };
    sigset_t usr2;
    tu_require_mmap();
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    if (pthread_sigmask(SIG_BLOCK, &usr2, NULL) != 0)
        bail_out("cannot block SIGUSR2");
    tf_mask(&mask0);
    maps0 = tu_maps_baseline();
    init_failures();
    grow_failures(ENOMEM);
    grow_failures(EACCES);
    shrink_failures(VSTACK_DECOMMIT_REMAP, VS_OS_REMAP, ENOMEM, "mmap", "remap fails (ENOMEM)");
    shrink_failures(VSTACK_DECOMMIT_REMAP, VS_OS_REMAP, EINVAL, "mmap", "remap fails (EINVAL)");
    shrink_failures(VSTACK_DECOMMIT_UNMAP, VS_OS_UNMAP, EINVAL, "munmap", "munmap fails (EINVAL), unmap path");
    for (size_t i = 0; i < sizeof strays / sizeof strays[0]; i++)
        stray(&strays[i]);
    lost_range();
    destroy_unblocked();
    destroy_failure();
    restore_in_init();
    restore_in_resize(0, 8 * MB, 1, 1, 1, "restore fails in growth");
    restore_in_resize(VSTACK_DECOMMIT_REMAP, 2 * MB, 1, 1, 1, "restore fails in a shrink, remap path");
    restore_in_resize(VSTACK_DECOMMIT_UNMAP, 8 * MB, 1, 1, 1, "restore fails in growth, unmap path");
    restore_in_resize(VSTACK_DECOMMIT_UNMAP, 2 * MB, 1, 1, 1, "restore fails in a shrink, unmap path (one block around the window)");
    restore_in_destroy();
    huge_advice();
    wipe_failures();
    keep_failures();
    vs_os_fail_reset();
    return done_testing();
}
