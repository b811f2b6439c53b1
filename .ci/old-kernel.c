/* SPDX-License-Identifier: MIT */
/* old-kernel.c -- loaded with LD_PRELOAD by .ci/old-kernel: makes this
 * machine look like one whose kernel predates MADV_WIPEONFORK (Linux 4.14)
 * and MADV_POPULATE_WRITE (5.14), and was built without transparent huge
 * pages.  madvise refuses MADV_WIPEONFORK, MADV_KEEPONFORK,
 * MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_HUGEPAGE and
 * MADV_NOHUGEPAGE with EINVAL, as such a kernel does, and /sys/kernel/mm/transparent_hugepage
 * does not open.  For CI only: nothing of it is in the library. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int madvise(void *addr, size_t len, int advice)
{
    switch (advice) {
#ifdef MADV_WIPEONFORK
    case MADV_WIPEONFORK:
    case MADV_KEEPONFORK:
#endif
#ifdef MADV_POPULATE_WRITE
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE:
#endif
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
        errno = EINVAL;
        return -1;
    default:
        return (int)syscall(SYS_madvise, addr, len, advice);
    }
}

static int is_thp(const char *path)
{
    static const char dir[] = "/sys/kernel/mm/transparent_hugepage";
    return path && strncmp(path, dir, sizeof dir - 1) == 0;
}

FILE *fopen(const char *path, const char *mode)
{
    static FILE *(*real)(const char *, const char *);
    if (is_thp(path)) {
        errno = ENOENT;
        return NULL;
    }
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "fopen");
    return real(path, mode);
}
