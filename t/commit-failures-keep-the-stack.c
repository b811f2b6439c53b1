/* SPDX-License-Identifier: MIT */
/* commit-failures-keep-the-stack: mprotect refused while the stack grows,
 * in an allocation (through the error handler) and in vstack_grow (as a
 * code).  The stack keeps its size and its data, parisizemax drops to the
 * committed size with a sentence that says so and names mprotect and the
 * errno text, growth past it is then VSTACK_ESTACK, and parisizemax can be
 * raised again. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_SYS_RESOURCE_H
#include <sys/resource.h>
#endif
#include <vstack.h>

#include "faults.h"
#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

static long maps0;

/* What holds after a refused commit: nothing moved, parisizemax lowered. */
static void kept(struct tf_stack *s, vstack_sp av, size_t committed, const char *what)
{
    ok(vstack_avma(&s->st) == av && tu_stats(&s->st).committed == committed,
       "%s: avma and the committed size unchanged", what);
    is_int(tu_default(&s->st, "parisizemax"), committed, "%s: parisizemax lowered to the committed size",
           what);
    tf_intact(s, what);
    tf_consistent(&s->st, what);
}

static void in_allocation(int err, unsigned flags, const char *what)
{
    struct tf_stack s;
    vstack_sp av;
    size_t committed;
    void *p;

    tf_open(&s, 1 * MB, 64 * MB, flags, 512 * KB, 31);
    av = vstack_avma(&s.st);
    committed = tu_stats(&s.st).committed;
    vs_os_fail_nth(VS_OS_COMMIT, 1, err);
    p = vstack_alloc(&s.st, 2 * MB);
    ok(p == NULL, "%s: vstack_alloc returns NULL", what);
    is_int(s.logs.err.count, 1, "%s: the error handler was called once", what);
    is_int(s.logs.err.last_err, tf_code(err), "%s: with %s", what, tf_code_name(tf_code(err)));
    tf_names(s.logs.err.last, "mprotect", err, NULL, what);
    if (!ok(tu_contains_nocase(s.logs.err.last, "parisizemax lowered"),
            "%s: the sentence says parisizemax was lowered", what))
        tu_logs_diag(&s.logs);
    ok(strcmp(vstack_last_error(&s.st), s.logs.err.last) == 0, "%s: vstack_last_error has it too", what);
    kept(&s, av, committed, what);
    tf_usable(&s, 0, what);
    s.logs.err.count = 0;
    ok(vstack_alloc(&s.st, 2 * MB) == NULL && s.logs.err.last_err == VSTACK_ESTACK,
       "%s: growth past the lowered parisizemax is VSTACK_ESTACK", what);
    is_int(vstack_set_sizemax(&s.st, 64 * MB), VSTACK_OK, "%s: parisizemax can be raised again", what);
    p = vstack_alloc(&s.st, 8 * MB);
    ok(p != NULL, "%s: and the stack grows again", what);
    tf_close(&s, maps0, what);
}

static void in_grow(size_t newsize, const char *what)
{
    struct tf_stack s;
    vstack_sp av;
    size_t committed;
    int err = ENOMEM;

    tf_open(&s, 1 * MB, 64 * MB, 0, 512 * KB, 32);
    av = vstack_avma(&s.st);
    committed = tu_stats(&s.st).committed;
    vs_os_fail_nth(VS_OS_COMMIT, 1, err);
    is_int(vstack_grow(&s.st, newsize), tf_code(err), "%s: %s", what, tf_code_name(tf_code(err)));
    is_int(vs_os_count(VS_OS_COMMIT), 1, "%s: the commit was tried", what);
    is_int(s.logs.err.count, 0, "%s: the error handler is not called", what);
    tf_names(vstack_last_error(&s.st), "mprotect", err, NULL, what);
    kept(&s, av, committed, what);
    tf_usable(&s, 0, what);
    is_int(vstack_grow(&s.st, 0), VSTACK_ESTACK, "%s: a later vstack_grow(0) is VSTACK_ESTACK", what);
    is_int(vstack_set_sizemax(&s.st, 64 * MB), VSTACK_OK, "%s: parisizemax can be raised again", what);
    is_int(vstack_grow(&s.st, 8 * MB), VSTACK_OK, "%s: and vstack_grow works", what);
    tf_close(&s, maps0, what);
}

#if defined(__linux__) && defined(HAVE_SYS_RESOURCE_H) && defined(RLIMIT_DATA)
/* VmData of /proc/self/status, in bytes, or 0. */
static size_t vm_data(void)
{
    char line[256];
    size_t kb = 0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmData: %zu kB", &kb) == 1)
            break;
    fclose(f);
    return kb * 1024;
}

/* The system itself refuses: RLIMIT_DATA counts private writable memory,
 * which the commit's mprotect makes (Linux 4.7 and later).  In a child, so
 * the limit stays there. */
static void child_rlimit_data(int fd)
{
    struct tf_stack s;
    struct rlimit rl;
    size_t data;
    void *p;
    tf_open(&s, 1 * MB, 64 * MB, 0, 512 * KB, 34);
    data = vm_data();
    rl.rlim_cur = rl.rlim_max = data + 2 * MB;
    if (!data || setrlimit(RLIMIT_DATA, &rl) != 0) {
        tu_child_ok(fd, 0, "setrlimit(RLIMIT_DATA): %s", strerror(errno));
        return;
    }
    p = vstack_alloc(&s.st, 8 * MB);
    tu_child_ok(fd, p == NULL && s.logs.err.count == 1 && s.logs.err.last_err == VSTACK_ENOMEM,
                "growth past the limit fails with VSTACK_ENOMEM");
    tu_child_ok(fd, tf_mentions(s.logs.err.last, "mprotect", ENOMEM, NULL), "the sentence names mprotect: %s",
                s.logs.err.last);
    tu_child_ok(fd, tu_default(&s.st, "parisizemax") == 1 * MB, "parisizemax lowered to the committed size");
    tu_child_ok(fd, tu_check(s.live, s.live_n, s.seed) < 0, "the live data is intact");
    p = vstack_alloc(&s.st, 256 * KB);
    tu_child_ok(fd, p != NULL, "the stack allocates within its size");
    vstack_destroy(&s.st);
}

static void system_refuses(void)
{
    int fds[2];
    pid_t pid;
    if (tap_under_valgrind() || tu_under_asan()) {
        skip(1, "RLIMIT_DATA also limits the checker's own memory");
        return;
    }
    if (tu_lacks_rlimit(RLIMIT_DATA)) {
        skip(1, "%s", tu_lacks_rlimit(RLIMIT_DATA));
        return;
    }
    fflush(stdout);
    if (pipe(fds) != 0)
        bail_out("pipe: %s", strerror(errno));
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child_rlimit_data(fds[1]);
        tu_child_exit(0);
    }
    close(fds[1]);
    tu_child_collect(fds[0], pid, "mprotect refused by RLIMIT_DATA");
}
#else
static void system_refuses(void) { skip(1, "no RLIMIT_DATA here"); }
#endif

int main(void)
{
    tu_require_mmap();
    maps0 = tu_maps_baseline();
    in_allocation(ENOMEM, 0, "mprotect refused (ENOMEM) in an allocation");
    in_allocation(EACCES, 0, "mprotect fails (EACCES) in an allocation");
    in_allocation(EAGAIN, VSTACK_DECOMMIT_UNMAP, "mprotect refused (EAGAIN) in an allocation, unmap path");
    in_grow(8 * MB, "mprotect refused in vstack_grow(8 MiB)");
    in_grow(0, "mprotect refused in vstack_grow(0)");
    system_refuses();
    vs_os_fail_reset();
    return done_testing();
}
