/* SPDX-License-Identifier: MIT */
/* interrupt.c -- SIGINT, as gp takes Ctrl-C: while a line runs, SIGINT
 * stops it ("user interrupt after N ms"), the stack is emptied and the
 * session goes on with the next line; while no line runs (ntcalc is reading
 * its input), SIGINT ends the process as it would have without a handler.
 *
 * The handler leaves the line by siglongjmp to its recovery point, so code
 * that must not be left halfway (malloc and free, stdio, a new stack) holds
 * SIGINT off with calc_hold; a SIGINT meanwhile jumps at calc_release.  A
 * SIGINT that comes while the line is being set up jumps as soon as the
 * evaluation starts; one that comes while the line is being cleaned up after
 * its end is spent on that line. */
#include "calc.h"

#include <signal.h>
#include <time.h>

static volatile sig_atomic_t in_line; /* calc_run_line is running */
static volatile sig_atomic_t armed;   /* target is the running line's recovery point */
static volatile sig_atomic_t holds;   /* calc_hold nesting */
static volatile sig_atomic_t pending; /* a SIGINT came while it could not jump */
static sigjmp_buf *volatile target;
static struct timespec started;

static void on_sigint(int sig)
{
    if (!in_line) {
        /* Nothing to stop: end as an unhandled SIGINT would, once the
         * handler returns and SIGINT is unblocked. */
        struct sigaction dfl;
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        dfl.sa_flags = 0;
        sigaction(sig, &dfl, NULL);
        raise(sig);
        return;
    }
    if (!armed || holds > 0) {
        pending = 1;
        return;
    }
    armed = 0;
    siglongjmp(*target, CALC_INTERRUPTED);
}

void calc_sigint_install(void)
{
    struct sigaction sa, old;
    if (sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
        return; /* ignored by whoever started us: so be it */
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* a held-off SIGINT must not break a write */
    sigaction(SIGINT, &sa, NULL);
}

void calc_sigint_enter(void)
{
    pending = 0;
    in_line = 1;
}

void calc_sigint_arm(sigjmp_buf *jb)
{
    clock_gettime(CLOCK_MONOTONIC, &started);
    holds = 0;
    target = jb;
    armed = 1;
    if (pending) {
        /* SIGINT came while the line was being read in. */
        armed = 0;
        pending = 0;
        siglongjmp(*jb, CALC_INTERRUPTED);
    }
}

void calc_sigint_disarm(void)
{
    armed = 0;
    holds = 0;
}

void calc_sigint_leave(void)
{
    in_line = 0;
    pending = 0;
}

unsigned long calc_sigint_elapsed_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ms = (long long)(now.tv_sec - started.tv_sec) * 1000 +
                   (now.tv_nsec - started.tv_nsec) / 1000000;
    return ms > 0 ? (unsigned long)ms : 0;
}

void calc_hold(void)
{
    holds++;
}

void calc_release(void)
{
    if (--holds == 0 && pending && armed) {
        armed = 0;
        pending = 0;
        siglongjmp(*target, CALC_INTERRUPTED);
    }
}
