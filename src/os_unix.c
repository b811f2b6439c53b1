/* SPDX-License-Identifier: MIT */
/* os_unix.c -- the memory verbs of os.h on systems with mmap.
 *
 * This is the only file of libvstack that calls mmap, mprotect, munmap,
 * madvise or minherit.  Every return value is checked and reported through
 * a struct vs_os_err.  Features come from configure's checks (HAVE_DECL_*);
 * the few places where a system behaves differently are fenced in labelled
 * branches. */
#include "config.h"
#include "os.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if !HAVE_DECL_MAP_ANONYMOUS
#define MAP_ANONYMOUS MAP_ANON
#endif
/* FreeBSD and OpenBSD have no MAP_NORESERVE: PROT_NONE is uncharged there anyway. */
#if !HAVE_DECL_MAP_NORESERVE
#define MAP_NORESERVE 0
#endif
/* Linux >= 4.17.  Without it the address is only a hint, and the caller
 * checks where the mapping landed. */
#if !HAVE_DECL_MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0
#endif

#define VS_MAP_RESERVE (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)
#define VS_ELSEWHERE "the system placed the mapping at another address"

/* ---- configuration, read once ------------------------------------------- */

static struct vs_os_config vs_config;
static pthread_once_t vs_config_once = PTHREAD_ONCE_INIT;

/* The transparent huge page size, 0 when THP is absent or disabled (the
 * files exist on Linux only; elsewhere the answer is 0). */
static size_t vs_read_huge_page_size(void)
{
    char mode[128] = "";
    unsigned long sz = 0;
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return 0;
    if (!fgets(mode, sizeof mode, f))
        mode[0] = 0;
    fclose(f);
    if (mode[0] == 0 || strstr(mode, "[never]"))
        return 0;
    f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
    if (f) {
        if (fscanf(f, "%lu", &sz) != 1)
            sz = 0;
        fclose(f);
    }
    return sz ? (size_t)sz : (size_t)2 << 20;
}

static void vs_config_read(void)
{
    long ps = sysconf(_SC_PAGESIZE);
    vs_config.page_size = ps > 0 ? (size_t)ps : 4096;
    vs_config.reserves = 1;
    vs_config.huge_page_size = HAVE_DECL_MADV_HUGEPAGE ? vs_read_huge_page_size() : 0;
    vs_config.wipes_on_fork = HAVE_DECL_MADV_WIPEONFORK || HAVE_DECL_INHERIT_ZERO;
    vs_config.populates = HAVE_DECL_MADV_POPULATE_WRITE;
#ifdef __CYGWIN__
    /* Cygwin: mappings are placed and released in units of the Windows
     * allocation granularity (64 KiB), not the page.  And fork() copies every
     * committed page of a private mapping, while mapping PROT_NONE|MAP_FIXED
     * over a live read/write range does not release it; munmap followed by
     * mmap does.  Reported as Sage trac #22633 (PARI's stack) and #27214
     * (GAP's pool). */
    if (vs_config.page_size < ((size_t)64 << 10))
        vs_config.page_size = (size_t)64 << 10;
    vs_config.default_unmap = 1;
    vs_config.huge_page_size = 0;
#endif
}

const struct vs_os_config *vs_os_config(void)
{
    pthread_once(&vs_config_once, vs_config_read);
    return &vs_config;
}

/* Unmap a mapping the system placed elsewhere than asked; e reports the
 * misplacement, or the munmap if even that fails. */
static int vs_unmap_stray(void *p, size_t size, const char *call, struct vs_os_err *e)
{
    int err = vs_os_seam(VS_OS_STRAY_UNMAP);
    if (!err && munmap(p, size) != 0)
        err = errno;
    if (err)
        return vs_os_fail(e, err, "munmap (of a mapping placed elsewhere)", NULL);
    return vs_os_fail(e, EEXIST, call, VS_ELSEWHERE);
}

#ifdef VS_TEST_SEAM
/* The seam's stand-in for a MAP_FIXED mapping that the system placed
 * elsewhere: a fresh PROT_NONE mapping anywhere but at addr.  A plain
 * mmap(NULL) may land exactly in the hole that the unmap path just made,
 * which would hide the case under test.  The test build only (os.h). */
static void *vs_map_elsewhere(void *addr, size_t size)
{
    void *p = mmap(NULL, size, PROT_NONE, VS_MAP_RESERVE, -1, 0);
    if (p == addr) { /* take another while this one fills the hole, then give it back */
        void *q = mmap(NULL, size, PROT_NONE, VS_MAP_RESERVE, -1, 0);
        (void)munmap(p, size);
        p = q;
    }
    return p;
}
#endif

/* ---- the verbs ---------------------------------------------------------- */

int vs_os_probe(size_t size, struct vs_os_err *e)
{
    VS_ASSERT_SIZE(size);
    int err = vs_os_seam(VS_OS_PROBE);
    void *p = MAP_FAILED;
    if (!err && (p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
        err = errno;
    if (err)
        return vs_os_fail(e, err, "mmap (trial read/write mapping)", NULL);
    err = vs_os_seam(VS_OS_PROBE_UNMAP);
    if (err) /* pretend the unmap failed, but do not leak the trial mapping */
        (void)munmap(p, size);
    else if (munmap(p, size) != 0)
        err = errno;
    return err ? vs_os_fail(e, err, "munmap (trial mapping)", NULL) : 0;
}

int vs_os_reserve(size_t size, void **base, struct vs_os_err *e)
{
    VS_ASSERT_SIZE(size);
    /* MAP_FIXED is intentionally left out: let the system place the
     * reservation, so that no existing mapping can be replaced. */
    int err = vs_os_seam(VS_OS_RESERVE);
    void *p = MAP_FAILED;
    if (!err && (p = mmap(NULL, size, PROT_NONE, VS_MAP_RESERVE, -1, 0)) == MAP_FAILED)
        err = errno;
    if (err)
        return vs_os_fail(e, err, "mmap (reservation)", NULL);
    *base = p;
    return 0;
}

int vs_os_commit(void *addr, size_t size, struct vs_os_err *e)
{
    VS_ASSERT_RANGE(addr, size);
    int err = vs_os_seam(VS_OS_COMMIT);
    if (!err && mprotect(addr, size, PROT_READ | PROT_WRITE) != 0)
        err = errno;
    return err ? vs_os_fail(e, err, "mprotect", NULL) : 0;
}

/* Map PROT_NONE|MAP_NORESERVE over a range of our own reservation: frees the
 * pages and, on Linux, the commit charge (mprotect and madvise alone keep
 * the charge). */
static int vs_decommit_remap(void *addr, size_t size, struct vs_os_err *e)
{
    static const char call[] = "mmap (PROT_NONE over a committed range)";
    int err = vs_os_seam(VS_OS_REMAP);
    void *p = MAP_FAILED;
    if (!err) {
#ifdef VS_TEST_SEAM
        if (vs_os_misplaced(VS_OS_REMAP)) /* the seam: a mapping that landed elsewhere */
            p = vs_map_elsewhere(addr, size);
        else
#endif
            p = mmap(addr, size, PROT_NONE, VS_MAP_RESERVE | MAP_FIXED, -1, 0);
        if (p == MAP_FAILED)
            err = errno;
    }
    if (err)
        return vs_os_fail(e, err, call, NULL);
    if (p != addr) /* cannot happen with MAP_FIXED; never trust it blindly */
        return vs_unmap_stray(p, size, call, e);
    return 0;
}

/* The Cygwin path, selectable everywhere: munmap, then map the range again at
 * the same address.  The caller has blocked asynchronous signals (the rule
 * of src/signals.c), so that no handler runs while the range is a hole;
 * MAP_FIXED_NOREPLACE (or a hint and a check) keeps us from clobbering a
 * mapping another thread placed in the gap.  On failure after the munmap,
 * *hole is set: the range is no longer ours. */
static int vs_decommit_unmap(void *addr, size_t size, int *hole, struct vs_os_err *e)
{
    static const char again[] = "mmap (map again after munmap)";
    int err;

    if ((err = vs_os_seam(VS_OS_UNMAP)) == 0 && munmap(addr, size) != 0)
        err = errno;
    if (err) {
        vs_os_fail(e, err, "munmap (decommit)", NULL);
    } else {
        *hole = 1; /* until the range is ours again */
        void *p = MAP_FAILED;
        if ((err = vs_os_seam(VS_OS_MAPAGAIN)) == 0) {
#ifdef VS_TEST_SEAM
            if (vs_os_misplaced(VS_OS_MAPAGAIN)) /* the seam: landed elsewhere */
                p = vs_map_elsewhere(addr, size);
            else
#endif
                p = mmap(addr, size, PROT_NONE, VS_MAP_RESERVE | MAP_FIXED_NOREPLACE, -1, 0);
            if (p == MAP_FAILED)
                err = errno;
        }
        if (err)
            vs_os_fail(e, err, again, NULL);
        else if (p != addr)
            err = vs_unmap_stray(p, size, again, e);
        else
            *hole = 0;
    }
    return err;
}

int vs_os_decommit(void *addr, size_t size, int unmap, int *hole, struct vs_os_err *e)
{
    VS_ASSERT_RANGE(addr, size);
    *hole = 0;
    return unmap ? vs_decommit_unmap(addr, size, hole, e) : vs_decommit_remap(addr, size, e);
}

int vs_os_release(void *addr, size_t size, struct vs_os_err *e)
{
    VS_ASSERT_RANGE(addr, size);
    int err = vs_os_seam(VS_OS_RELEASE);
    if (!err && munmap(addr, size) != 0)
        err = errno;
    return err ? vs_os_fail(e, err, "munmap (release)", NULL) : 0;
}

int vs_os_discard(void *addr, size_t size, struct vs_os_err *e)
{
    VS_ASSERT_RANGE(addr, size);
    int err = vs_os_seam(VS_OS_DISCARD);
#ifdef __linux__
    /* Linux: MADV_DONTNEED on private anonymous memory frees the pages now
     * and makes them read as zero, which is exactly "discard". */
    static const char call[] = "madvise (MADV_DONTNEED)";
    if (!err && madvise(addr, size, MADV_DONTNEED) != 0)
        err = errno;
    return err ? vs_os_fail(e, err, call, NULL) : 0;
#else
    /* Elsewhere MADV_DONTNEED may keep the contents (BSD) or free nothing
     * right away (macOS); a fresh read/write mapping over the range is the
     * portable way to get zero pages. */
    static const char call[] = "mmap (fresh read/write pages)";
    void *p = MAP_FAILED;
    if (!err && (p = mmap(addr, size, PROT_READ | PROT_WRITE, VS_MAP_RESERVE | MAP_FIXED, -1, 0)) == MAP_FAILED)
        err = errno;
    if (err)
        return vs_os_fail(e, err, call, NULL);
    return p == addr ? 0 : vs_unmap_stray(p, size, call, e);
#endif
}

int vs_os_advise_huge(void *addr, size_t size, struct vs_os_err *e)
{
    VS_ASSERT_RANGE(addr, size);
    int err = vs_os_seam(VS_OS_ADVISE);
#if HAVE_DECL_MADV_HUGEPAGE
    if (!err && madvise(addr, size, MADV_HUGEPAGE) != 0)
        err = errno;
#endif
    return err ? vs_os_fail(e, err, "madvise (MADV_HUGEPAGE)", NULL) : 0;
}

int vs_os_wipe_on_fork(void *addr, size_t size, int on, struct vs_os_err *e)
{
    VS_ASSERT_RANGE(addr, size);
    int err = vs_os_seam(VS_OS_WIPE), call_anyway = err && vs_os_seam_late(VS_OS_WIPE);
#if HAVE_DECL_MADV_WIPEONFORK
    /* Linux >= 4.14: the child gets zero pages; fork copies no page table
     * entries of the range and leaves the parent's pages writable. */
    const char *call = on ? "madvise (MADV_WIPEONFORK)" : "madvise (MADV_KEEPONFORK)";
    if ((!err || call_anyway) && madvise(addr, size, on ? MADV_WIPEONFORK : MADV_KEEPONFORK) != 0)
        err = errno;
#elif HAVE_DECL_INHERIT_ZERO
    /* FreeBSD >= 12 and OpenBSD: the same, as an inheritance mode. */
    const char *call = on ? "minherit (INHERIT_ZERO)" : "minherit (INHERIT_COPY)";
    if ((!err || call_anyway) && minherit(addr, size, on ? INHERIT_ZERO : INHERIT_COPY) != 0)
        err = errno;
#else
    const char *call = "wipe on fork";
    (void)on;
    (void)call_anyway;
    if (!err)
        err = ENOSYS;
#endif
    return err ? vs_os_fail(e, err, call, NULL) : 0;
}

int vs_os_populate(void *addr, size_t size, struct vs_os_err *e)
{
    VS_ASSERT_RANGE(addr, size);
    int err = vs_os_seam(VS_OS_POPULATE), call_anyway = err && vs_os_seam_late(VS_OS_POPULATE);
#if HAVE_DECL_MADV_POPULATE_WRITE
    /* Linux >= 5.14: one call faults the whole range in, writable, instead
     * of one fault per page at first touch.  Older kernels: EINVAL. */
    if ((!err || call_anyway) && madvise(addr, size, MADV_POPULATE_WRITE) != 0)
        err = errno;
#else
    (void)call_anyway;
    if (!err)
        err = EINVAL; /* as a kernel without the advice answers */
#endif
    return err ? vs_os_fail(e, err, "madvise (MADV_POPULATE_WRITE)", NULL) : 0;
}
