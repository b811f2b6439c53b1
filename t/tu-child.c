/* SPDX-License-Identifier: MIT */
/* tu-child.c -- checks made in a child of fork, reported to the parent as
 * TAP lines (see testutil.h). */
#include "config.h"
#include "testutil.h"
#include "tap.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef _WIN32
#include <io.h>
#else
#include <sys/wait.h>
#endif

/* ---- checks made in a child process -------------------------------------- */

struct child_record {
    int cond;
    char text[248];
};

void tu_child_ok(int fd, int cond, const char *fmt, ...)
{
    struct child_record r;
    va_list ap;
    memset(&r, 0, sizeof r);
    r.cond = cond != 0;
    va_start(ap, fmt);
    vsnprintf(r.text, sizeof r.text, fmt, ap);
    va_end(ap);
    if (write(fd, &r, sizeof r) != (ssize_t)sizeof r)
        _exit(100);
}

#ifdef VS_COVERAGE
/* libgcov's: write this process's counts now. */
extern void __gcov_dump(void);
#endif

void tu_child_exit(int status)
{
#ifdef VS_COVERAGE
    __gcov_dump();
#endif
    _exit(status);
}

#ifdef _WIN32
/* Windows has no fork, so there is never a child to hear from: the check
 * skips instead. */
int tu_child_collect(int fd, int pid, const char *what)
{
    (void)pid;
    close(fd);
    skip(1, "%s: no fork on Windows", what);
    return 0;
}

void tu_in_child(void (*fn)(int fd, void *arg), void *arg, const char *what)
{
    (void)fn;
    (void)arg;
    skip(1, "%s: no fork on Windows", what);
}

int tu_fork_wait(int (*fn)(void *), void *arg, int *fork_err)
{
    (void)fn;
    (void)arg;
    if (!fork_err)
        bail_out("no fork on Windows");
    *fork_err = ENOSYS;
    return -1;
}
#else
int tu_fork_wait(int (*fn)(void *), void *arg, int *fork_err)
{
    int status;
    pid_t pid;
    fflush(stdout);
    fflush(stderr);
    if (fork_err)
        *fork_err = 0;
    if ((pid = fork()) < 0) {
        if (!fork_err)
            bail_out("fork failed: %s", strerror(errno));
        *fork_err = errno;
        return -1;
    }
    if (pid == 0)
        tu_child_exit(fn ? fn(arg) : 0);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void tu_in_child(void (*fn)(int fd, void *arg), void *arg, const char *what)
{
    int fds[2];
    pid_t pid;
    fflush(stdout);
    fflush(stderr);
    if (pipe(fds) != 0 || (pid = fork()) < 0)
        bail_out("%s: pipe or fork: %s", what, strerror(errno));
    if (pid == 0) {
        close(fds[0]);
        fn(fds[1], arg);
        tu_child_exit(0);
    }
    close(fds[1]);
    tu_child_collect(fds[0], pid, what);
}

int tu_child_collect(int fd, int pid, const char *what)
{
    struct child_record r;
    int n = 0, status = 0;
    for (;;) {
        size_t got = 0;
        while (got < sizeof r) {
            ssize_t k = read(fd, (char *)&r + got, sizeof r - got);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                break;
            got += (size_t)k;
        }
        if (got < sizeof r)
            break;
        r.text[sizeof r.text - 1] = '\0';
        ok(r.cond, "%s: %s", what, r.text);
        n++;
    }
    close(fd);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: child exited with status 0", what)) {
        if (WIFSIGNALED(status))
            diag("  child killed by signal %d", WTERMSIG(status));
        else
            diag("  child exit status %d", WEXITSTATUS(status));
    }
    return n;
}
#endif
