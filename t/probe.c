/* SPDX-License-Identifier: MIT */
/* probe: the feature probes of t/testutil.h for the script tests, run the
 * way those run the programs they test (under $VSTACK_TEST_EMULATOR).
 *
 *   t/probe FEATURE
 *
 * prints nothing and exits 0 when this system has FEATURE, or prints why
 * not (one line) and exits 1; exits 2 for an unknown name.  FEATURE is one
 * of wipe-on-fork, huge-advice, enomem-for-unmapped, mincore-of-prot-none,
 * rlimit-as, rlimit-data, proc-maps, or ignored-sigint: a SIGINT that was
 * ignored when the program started does not interrupt a blocking read (run
 * it with SIGINT ignored, as `trap '' INT` leaves it). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

/* A child sends this process SIGINT while it blocks in read, then writes a
 * byte for the read to return. */
static const char *lacks_ignored_sigint(void)
{
    struct sigaction sa;
    int fds[2], status;
    char c;
    ssize_t n;
    pid_t pid;
    if (sigaction(SIGINT, NULL, &sa) != 0 || sa.sa_handler != SIG_IGN)
        return "SIGINT was not ignored when the probe started (run it after trap '' INT)";
    if (pipe(fds) != 0 || (pid = fork()) < 0)
        return NULL; /* cannot tell */
    if (pid == 0) {
        usleep(200000);
        kill(getppid(), SIGINT);
        usleep(200000);
        _exit(write(fds[1], "x", 1) == 1 ? 0 : 1);
    }
    n = read(fds[0], &c, 1);
    int err = errno;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (n < 0 && err == EINTR)
        return "a SIGINT ignored since the program started still interrupts read() with EINTR";
    return NULL;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        const char *(*lacks)(void);
    } probes[] = {
        {"wipe-on-fork", tu_lacks_wipe_on_fork},
        {"huge-advice", tu_lacks_huge_advice},
        {"enomem-for-unmapped", tu_lacks_enomem_for_unmapped},
        {"mincore-of-prot-none", tu_lacks_mincore_of_prot_none},
        {"proc-maps", tu_lacks_proc_maps},
        {"ignored-sigint", lacks_ignored_sigint},
    };
    const char *why = NULL;
    if (argc != 2) {
        fprintf(stderr, "usage: probe FEATURE\n");
        return 2;
    }
    if (strcmp(argv[1], "rlimit-as") == 0)
        why = tu_lacks_rlimit(RLIMIT_AS);
    else if (strcmp(argv[1], "rlimit-data") == 0)
        why = tu_lacks_rlimit(RLIMIT_DATA);
    else {
        size_t i = 0;
        while (i < sizeof probes / sizeof probes[0] && strcmp(argv[1], probes[i].name) != 0)
            i++;
        if (i == sizeof probes / sizeof probes[0]) {
            fprintf(stderr, "probe: unknown feature %s\n", argv[1]);
            return 2;
        }
        why = probes[i].lacks();
    }
    if (why)
        printf("%s\n", why);
    return why ? 1 : 0;
}
