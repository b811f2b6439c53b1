/* os_unix.c -- the memory verbs of os.h on systems with mmap.
 *
 * This is the only file of libvstack that calls mmap, mprotect, munmap or
 * madvise.  Every return value is checked and turned into an errno. */
#include "config.h"
#include "os.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)
#define MAP_ANONYMOUS MAP_ANON
#endif
/* FreeBSD and OpenBSD have no MAP_NORESERVE: PROT_NONE is uncharged there anyway. */
#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0
#endif
/* Linux >= 4.17.  Older kernels ignore the unknown flag and treat the address
 * as a hint, which the caller verifies. */
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0
#endif

#define VS_MAP_RESERVE (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)

/* ---- configuration, read once ------------------------------------------- */

static struct vs_os_config vs_config;
static pthread_once_t vs_config_once = PTHREAD_ONCE_INIT;

static size_t vs_read_huge_page_size(void)
{
#ifdef __linux__
    /* THP must not be disabled, and the PMD size tells the huge page size. */
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
#else
    return 0;
#endif
}

static void vs_config_read(void)
{
    long ps = sysconf(_SC_PAGESIZE);
    vs_config.page_size = ps > 0 ? (size_t)ps : 4096;
    vs_config.has_mmap = 1;
    vs_config.huge_page_size = vs_read_huge_page_size();
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


#define VS_ASSERT_RANGE(addr, size)                                              \
    assert((size) > 0 && (size) % vs_os_config()->page_size == 0 &&              \
           (uintptr_t)(addr) % vs_os_config()->page_size == 0)

/* ---- the verbs ---------------------------------------------------------- */

int vs_os_probe(size_t size)
{
    int err = vs_os_seam(VS_OS_PROBE, "mmap (trial read/write mapping)");
    if (err)
        return err;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return errno;
    vs_os_set_call("munmap (trial mapping)");
    if (munmap(p, size) != 0)
        return errno;
    return 0;
}

int vs_os_reserve(size_t size, void **base)
{
    assert(size > 0 && size % vs_os_config()->page_size == 0);
    /* MAP_FIXED is intentionally left out: let the system place the
     * reservation, so that no existing mapping can be replaced. */
    int err = vs_os_seam(VS_OS_RESERVE, "mmap (reservation)");
    if (err)
        return err;
    void *p = mmap(NULL, size, PROT_NONE, VS_MAP_RESERVE, -1, 0);
    if (p == MAP_FAILED)
        return errno;
    *base = p;
    return 0;
}

int vs_os_commit(void *addr, size_t size)
{
    VS_ASSERT_RANGE(addr, size);
    int err = vs_os_seam(VS_OS_COMMIT, "mprotect");
    if (err)
        return err;
    return mprotect(addr, size, PROT_READ | PROT_WRITE) == 0 ? 0 : errno;
}

/* Map PROT_NONE|MAP_NORESERVE over a range of our own reservation: frees the
 * pages and, on Linux, the commit charge (mprotect and madvise alone keep
 * the charge). */
static int vs_decommit_remap(void *addr, size_t size)
{
    int err = vs_os_seam(VS_OS_REMAP, "mmap (PROT_NONE over committed range)");
    if (err)
        return err;
    void *p = mmap(addr, size, PROT_NONE, VS_MAP_RESERVE | MAP_FIXED, -1, 0);
    if (p == MAP_FAILED)
        return errno;
    if (p != addr) { /* cannot happen with MAP_FIXED; never trust it blindly */
        vs_os_set_call("mmap (PROT_NONE over committed range) placed elsewhere");
        return munmap(p, size) == 0 ? EFAULT : errno;
    }
    return 0;
}

/* The Cygwin path, selectable everywhere: munmap, then map the range again at
 * the same address.  Asynchronous signals are blocked across the window so
 * that no handler runs while the range is a hole; MAP_FIXED_NOREPLACE (or a
 * hint and a check) keeps us from clobbering a mapping another thread placed
 * in the gap.  On failure the range is left unmapped and EEXIST or the
 * errno of mmap tells the caller that its reservation now has a hole. */
static int vs_decommit_unmap(void *addr, size_t size, int *hole)
{
    sigset_t all, old;
    int err;
    sigfillset(&all);
    if ((err = pthread_sigmask(SIG_BLOCK, &all, &old)) != 0) {
        vs_os_set_call("pthread_sigmask");
        return err;
    }
    if ((err = vs_os_seam(VS_OS_UNMAP, "munmap (decommit)")) == 0 && munmap(addr, size) != 0)
        err = errno;
    if (err == 0) {
        *hole = 1; /* until the range is ours again */
        if ((err = vs_os_seam(VS_OS_MAPAGAIN, "mmap (map again after munmap)")) == 0) {
            void *p = mmap(addr, size, PROT_NONE, VS_MAP_RESERVE | MAP_FIXED_NOREPLACE, -1, 0);
            if (p == MAP_FAILED)
                err = errno;
            else if (p != addr) {
                vs_os_set_call("mmap (map again after munmap) placed elsewhere");
                err = munmap(p, size) == 0 ? EEXIST : errno;
            } else
                *hole = 0;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return err;
}

int vs_os_decommit(void *addr, size_t size, int unmap, int *hole)
{
    VS_ASSERT_RANGE(addr, size);
    *hole = 0;
    return unmap ? vs_decommit_unmap(addr, size, hole) : vs_decommit_remap(addr, size);
}

int vs_os_release(void *addr, size_t size)
{
    VS_ASSERT_RANGE(addr, size);
    int err = vs_os_seam(VS_OS_RELEASE, "munmap (release)");
    if (err)
        return err;
    return munmap(addr, size) == 0 ? 0 : errno;
}

int vs_os_discard(void *addr, size_t size)
{
    VS_ASSERT_RANGE(addr, size);
#if defined(__linux__) && defined(MADV_DONTNEED)
    int err = vs_os_seam(VS_OS_DISCARD, "madvise (MADV_DONTNEED)");
    if (err)
        return err;
    /* On Linux, MADV_DONTNEED on private anonymous memory frees the pages
     * now and makes them read as zero: exactly "discard". */
    return madvise(addr, size, MADV_DONTNEED) == 0 ? 0 : errno;
#else
    /* Elsewhere MADV_DONTNEED may keep the contents (BSD) or free nothing
     * right away (macOS); a fresh read/write mapping over the range is the
     * portable way to get zero pages. */
    int err = vs_os_seam(VS_OS_DISCARD, "mmap (fresh read/write pages)");
    if (err)
        return err;
    void *p = mmap(addr, size, PROT_READ | PROT_WRITE, VS_MAP_RESERVE | MAP_FIXED, -1, 0);
    if (p == MAP_FAILED)
        return errno;
    return p == addr ? 0 : EFAULT;
#endif
}

int vs_os_advise_huge(void *addr, size_t size)
{
    VS_ASSERT_RANGE(addr, size);
#ifdef MADV_HUGEPAGE
    int err = vs_os_seam(VS_OS_ADVISE, "madvise (MADV_HUGEPAGE)");
    if (err)
        return err;
    return madvise(addr, size, MADV_HUGEPAGE) == 0 ? 0 : errno;
#else
    (void)addr;
    (void)size;
    return 0;
#endif
}
