/* SPDX-License-Identifier: MIT */
/* os-verbs-assert-their-preconditions: every verb of the OS layer (src/os.h)
 * takes whole pages only, a size > 0 and a page-aligned address, and
 * asserts it, so that a policy bug that hands it a range of garbage stops
 * the program instead of mapping or unmapping the wrong memory.  Each verb,
 * given a size of 0, a size that is not a multiple of the page size, or
 * (for the verbs that take an address) an address inside a page, aborts in
 * a child process; given a valid range it does not.  Built twice: against
 * the library's own layer (src/os_unix.c on Linux) and against the malloc
 * layer (src/os_malloc.c, as t/without-mmap). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#ifdef T_MALLOC_LAYER
#define LAYER "the malloc layer"
#else
#define LAYER "the library's layer"
#endif

enum verb { PROBE, RESERVE, COMMIT, DECOMMIT, RELEASE, DISCARD, ADVISE, POPULATE, WIPE, NVERBS };
static const char *const names[NVERBS] = {"probe",   "reserve", "commit",      "decommit", "release",
                                          "discard", "advise_huge", "populate", "wipe_on_fork"};

/* The exit status of a child whose assertion fired: its SIGABRT handler
 * writes the child's coverage data and exits with it. */
#define ABORTED (128 + SIGABRT)

static void on_abort(int sig)
{
    (void)sig;
    tu_child_exit(ABORTED);
}

static int call(enum verb v, void *addr, size_t size)
{
    struct vs_os_err e;
    void *base;
    int hole;
    switch (v) {
    case PROBE: return vs_os_probe(size, &e);
    case RESERVE: /* given back, so that memcheck sees no leak */
        return vs_os_reserve(size, &base, &e) ? e.err : vs_os_release(base, size, &e);
    case COMMIT: return vs_os_commit(addr, size, &e);
    case DECOMMIT: return vs_os_decommit(addr, size, 0, &hole, &e);
    case RELEASE: return vs_os_release(addr, size, &e);
    case DISCARD: return vs_os_discard(addr, size, &e);
    case ADVISE: return vs_os_advise_huge(addr, size, &e);
    case POPULATE: return vs_os_populate(addr, size, &e); /* EINVAL from a layer without it: it returns */
    default: return vs_os_wipe_on_fork(addr, size, 1, &e);
    }
}

/* Run the verb in a child: the status the child ended with. */
static int in_child(enum verb v, void *addr, size_t size)
{
    int status;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        bail_out("fork: %s", strerror(errno));
    if (pid == 0) {
        /* The assertion's message is no news: keep the log to the checks. */
        if (!freopen("/dev/null", "w", stderr))
            tu_child_exit(101);
        signal(SIGABRT, on_abort);
        (void)call(v, addr, size);
        tu_child_exit(0);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            bail_out("waitpid: %s", strerror(errno));
    return status;
}

static int aborted(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == ABORTED; }

int main(void)
{
#ifdef NDEBUG
    skip_all("built with NDEBUG: the verbs assert nothing");
#endif
    const size_t ps = vs_os_config()->page_size;
    struct vs_os_err e;
    void *base = NULL;

    /* A committed range of our own, for the verbs that take an address:
     * each child works on its own copy. */
    if (vs_os_reserve(16 * ps, &base, &e) != 0 || vs_os_commit(base, 16 * ps, &e) != 0)
        bail_out("a range to work on: %s", vs_os_why(&e));
    char *p = base;
    for (enum verb v = PROBE; v < NVERBS; v++) {
        int ranged = v != PROBE && v != RESERVE;
        ok(aborted(in_child(v, p, 0)), "%s: %s of 0 bytes aborts", LAYER, names[v]);
        ok(aborted(in_child(v, p, ps + 1)), "%s: %s of a page and a byte aborts", LAYER, names[v]);
        if (ranged)
            ok(aborted(in_child(v, p + 1, ps)), "%s: %s at an address inside a page aborts", LAYER, names[v]);
        /* Release takes a whole reservation (the malloc layer frees it). */
        int status = v == RELEASE ? in_child(v, p, 16 * ps) : in_child(v, p + 4 * ps, 2 * ps);
        ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: %s of whole pages returns (status %#x)", LAYER,
           names[v], status);
    }
    (void)vs_os_release(base, 16 * ps, &e);
    return done_testing();
}
