/* SPDX-License-Identifier: MIT */
/* cstack.c -- the C stack ntcalc needs.  Under a tiny soft RLIMIT_STACK
 * (ulimit -s 16), the dynamic loader's lazy binding and GMP's temporaries
 * (up to tens of KiB of alloca per call) run off the main thread's stack
 * and the process dies of SIGSEGV.  So at start-up a soft limit below
 * CALC_CSTACK_FLOOR is raised to it when the hard limit allows: on Linux the
 * main thread's stack may grow up to the limit in force when it grows, so
 * the raise takes effect at once, without a new exec.  Where it cannot be
 * raised, ntcalc refuses to start with one line on stderr. */
#include "calc.h"

#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/resource.h>

/* n bytes in KiB, for messages that speak ulimit -s's unit. */
static unsigned long kib(rlim_t n)
{
    return (unsigned long)(n / 1024);
}

int calc_cstack_check(void)
{
    struct rlimit rl;
    const rlim_t floor = (rlim_t)CALC_CSTACK_FLOOR;
    if (getrlimit(RLIMIT_STACK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= floor)
        return -1;
    char why[96];
    snprintf(why, sizeof why, "its hard limit is %lu KiB", kib(rl.rlim_max));
#if defined(__linux__)
    if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= floor) {
        struct rlimit raised = {floor, rl.rlim_max};
        if (setrlimit(RLIMIT_STACK, &raised) == 0)
            return -1;
        snprintf(why, sizeof why, "setrlimit: %s", strerror(errno));
    }
#else
    snprintf(why, sizeof why, "raise it before starting ntcalc");
#endif
    fprintf(stderr,
            "ntcalc: the C stack limit (ulimit -s) is %lu KiB, below the %lu KiB ntcalc needs, "
            "and cannot be raised: %s\n",
            kib(rl.rlim_cur), kib(floor), why);
    return 2;
}
