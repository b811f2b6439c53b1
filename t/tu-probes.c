/* SPDX-License-Identifier: MIT */
/* tu-probes.c -- what this system does: each probe tries one feature once
 * and keeps the answer (see testutil.h). */
#include "config.h"
#include "testutil.h"
#include "tu-internal.h"
#include "os.h"
#include "tap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#ifndef _WIN32
#include <sys/mman.h>
#endif
#ifdef HAVE_SYS_RESOURCE_H
#include <sys/resource.h>
#endif
#include <sys/types.h>
#include <unistd.h>
#ifndef _WIN32
#include <sys/wait.h>
#endif

/* ---- what this system does ------------------------------------------------ */

const char *tu_probe_once(struct tu_probe_memo *m, const char *(*probe)(void))
{
    if (!m->done) {
        m->done = 1;
        m->why = probe();
    }
    return m->why;
}

void tu_require(const char *why)
{
    if (why)
        skip_all("%s", why);
}

#ifndef _WIN32
unsigned char *tu_probe_map(size_t n, int prot)
{
    void *p = mmap(NULL, n * tu_page_size(), prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* fn(arg) in a child of fork: its exit status, or -1 when the child could
 * not run or did not exit (the probe then cannot tell). */
static int probe_in_child(int (*fn)(void *), void *arg)
{
    int fork_err;
    return tu_fork_wait(fn, arg, &fork_err);
}
#endif

#if defined(__linux__) && defined(MADV_WIPEONFORK)
static int child_reads_zero(void *arg)
{
    const unsigned char *p = arg;
    return p[0] == 0 && p[tu_page_size() - 1] == 0 ? 0 : 1;
}
#endif

static const char *probe_wipe_on_fork(void)
{
    const char *why = NULL;
    if (!vs_os_config()->wipes_on_fork)
        return "this system has no wipe-on-fork";
#if defined(__linux__) && defined(MADV_WIPEONFORK)
    static char buf[160];
    unsigned char *p = tu_probe_map(1, PROT_READ | PROT_WRITE);
    if (!p)
        return NULL; /* cannot tell: let the test run */
    memset(p, 0x5a, tu_page_size());
    if (madvise(p, tu_page_size(), MADV_WIPEONFORK) != 0) {
        snprintf(buf, sizeof buf, "madvise(MADV_WIPEONFORK) fails here: %s", strerror(errno));
        why = buf;
    } else if (probe_in_child(child_reads_zero, p) == 1) {
        why = "a page marked MADV_WIPEONFORK keeps its data in a child of fork (the advice is accepted and ignored)";
    }
    munmap(p, tu_page_size());
#endif
    return why;
}

const char *tu_lacks_wipe_on_fork(void)
{
    static struct tu_probe_memo m;
    return tu_probe_once(&m, probe_wipe_on_fork);
}

#ifdef __linux__
/* Does madvise(advice) on a fresh read/write page fail?  Its reason in buf
 * (len bytes), or NULL.  `what` names the advice, `hint` says what a
 * refusal means. */
static const char *advice_refused(int advice, const char *what, const char *hint, char *buf, size_t len)
{
    const char *why = NULL;
    unsigned char *p = tu_probe_map(1, PROT_READ | PROT_WRITE);
    if (p && madvise(p, tu_page_size(), advice) != 0) {
        snprintf(buf, len, "madvise(%s) fails here (%s): %s", what, hint, strerror(errno));
        why = buf;
    }
    if (p)
        munmap(p, tu_page_size());
    return why;
}
#endif

static const char *probe_huge_advice(void)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    static char buf[160];
    return advice_refused(MADV_HUGEPAGE, "MADV_HUGEPAGE", "no transparent huge pages", buf, sizeof buf);
#else
    return "no MADV_HUGEPAGE on this system";
#endif
}

const char *tu_lacks_huge_advice(void)
{
    static struct tu_probe_memo m;
    return tu_probe_once(&m, probe_huge_advice);
}

static const char *probe_populate(void)
{
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
    static char buf[160];
    const char *why =
        advice_refused(MADV_POPULATE_WRITE, "MADV_POPULATE_WRITE", "Linux before 5.14?", buf, sizeof buf);
    if (!why && !vs_os_config()->populates)
        why = "the library was built without MADV_POPULATE_WRITE";
    return why;
#else
    return "no MADV_POPULATE_WRITE on this system";
#endif
}

const char *tu_lacks_populate(void)
{
    static struct tu_probe_memo m;
    return tu_probe_once(&m, probe_populate);
}

static const char *probe_enomem_for_unmapped(void)
{
    const char *why = NULL;
#ifdef __linux__
    unsigned char *p = tu_probe_map(1, PROT_NONE);
    if (!p || munmap(p, tu_page_size()) != 0)
        return NULL;
    errno = 0;
    if (madvise(p, tu_page_size(), MADV_DONTNEED) == 0 || errno != ENOMEM)
        why = "madvise of a range that nothing maps does not fail with ENOMEM here";
    else if (mprotect(p, tu_page_size(), PROT_READ) == 0 || errno != ENOMEM)
        why = "mprotect of a range that nothing maps does not fail with ENOMEM here";
#endif
    return why;
}

const char *tu_lacks_enomem_for_unmapped(void)
{
    static struct tu_probe_memo m;
    return tu_probe_once(&m, probe_enomem_for_unmapped);
}

static const char *probe_mincore_of_prot_none(void)
{
    const char *why = NULL;
#ifdef __linux__
    static char buf[160];
    unsigned char vec[1];
    unsigned char *p = tu_probe_map(1, PROT_NONE);
    if (p && mincore(p, tu_page_size(), vec) != 0) {
        snprintf(buf, sizeof buf, "mincore of a PROT_NONE mapping fails here (%s), so a hole cannot be told from it",
                 strerror(errno));
        why = buf;
    }
    if (p)
        munmap(p, tu_page_size());
#else
    why = "mincore is checked on Linux only";
#endif
    return why;
}

const char *tu_lacks_mincore_of_prot_none(void)
{
    static struct tu_probe_memo m;
    return tu_probe_once(&m, probe_mincore_of_prot_none);
}

#if !defined(_WIN32) && defined(HAVE_SYS_RESOURCE_H)
/* In the child: 2 when setrlimit fails, 1 when a 64 MiB read/write mmap
 * succeeds under a 16 MiB limit, 0 when the limit refuses it. */
static int child_limited_mmap(void *arg)
{
    struct rlimit rl;
    if (getrlimit(*(int *)arg, &rl) != 0)
        return 2;
    rl.rlim_cur = (rlim_t)16 << 20;
    if (setrlimit(*(int *)arg, &rl) != 0)
        return 2;
    return tu_probe_map(((size_t)64 << 20) / tu_page_size(), PROT_READ | PROT_WRITE) ? 1 : 0;
}
#endif

const char *tu_lacks_rlimit(int resource)
{
    static int done[2];
    static const char *why[2];
    static char buf[2][160];
#if !defined(_WIN32) && defined(HAVE_SYS_RESOURCE_H)
    const char *name = resource == RLIMIT_AS ? "RLIMIT_AS" : "RLIMIT_DATA";
    int i = resource == RLIMIT_AS ? 0 : 1;
    if (resource != RLIMIT_AS && resource != RLIMIT_DATA)
        bail_out("tu_lacks_rlimit probes RLIMIT_AS and RLIMIT_DATA only");
    if (done[i])
        return why[i];
    done[i] = 1;
    switch (probe_in_child(child_limited_mmap, &resource)) {
    case 1:
        snprintf(buf[i], sizeof buf[i], "setrlimit(%s) is accepted but does not limit mmap here", name);
        return why[i] = buf[i];
    case 2:
        snprintf(buf[i], sizeof buf[i], "setrlimit(%s) fails here", name);
        return why[i] = buf[i];
    default:
        return why[i] = NULL;
    }
#else
    (void)resource;
    (void)done;
    (void)buf;
    return why[0] = "no setrlimit on this system";
#endif
}
