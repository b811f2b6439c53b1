/* SPDX-License-Identifier: MIT */
/* SIGINT in each state of a line, through the handler ntcalc installs: held
 * off by calc_hold, it jumps at the matching calc_release (not before, and
 * nested holds count); while the line is set up, it jumps as soon as the
 * evaluation starts; while the line is cleaned up, it is spent on that line;
 * outside any line it ends the process as SIGINT does; and an ignored
 * SIGINT stays ignored. */
#include "config.h"
#include "../calc/calc.h" /* first: it asks for POSIX */

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

static sigjmp_buf jb;
static volatile int reached; /* how far the code after raise() got */

int main(void)
{
    signal(SIGINT, SIG_DFL);
    calc_sigint_install();

    /* Held off, then taken at the release. */
    reached = 0;
    calc_sigint_enter();
    int rc = sigsetjmp(jb, 1);
    if (rc == 0) {
        calc_sigint_arm(&jb);
        calc_hold();
        raise(SIGINT);
        reached = 1;
        calc_release();
        reached = 2;
    }
    calc_sigint_disarm();
    calc_sigint_leave();
    ok(rc == CALC_INTERRUPTED && reached == 1,
       "held off: the code after raise runs, the jump comes at calc_release (%d, %d)", rc,
       reached);

    /* Nested holds: only the outermost release jumps. */
    reached = 0;
    calc_sigint_enter();
    rc = sigsetjmp(jb, 1);
    if (rc == 0) {
        calc_sigint_arm(&jb);
        calc_hold();
        calc_hold();
        raise(SIGINT);
        calc_release();
        reached = 1;
        calc_release();
        reached = 2;
    }
    calc_sigint_disarm();
    calc_sigint_leave();
    ok(rc == CALC_INTERRUPTED && reached == 1, "nested holds: the outer release jumps (%d, %d)",
       rc, reached);

    /* Not held: at once. */
    reached = 0;
    calc_sigint_enter();
    rc = sigsetjmp(jb, 1);
    if (rc == 0) {
        calc_sigint_arm(&jb);
        raise(SIGINT);
        reached = 1;
    }
    calc_sigint_disarm();
    calc_sigint_leave();
    ok(rc == CALC_INTERRUPTED && reached == 0, "during evaluation: at once");

    /* While the line is set up: when the evaluation starts. */
    reached = 0;
    calc_sigint_enter();
    raise(SIGINT);
    reached = 1;
    rc = sigsetjmp(jb, 1);
    if (rc == 0) {
        calc_sigint_arm(&jb);
        reached = 2;
    }
    calc_sigint_disarm();
    calc_sigint_leave();
    ok(rc == CALC_INTERRUPTED && reached == 1, "before the evaluation: when it starts");

    /* While the line is cleaned up: spent on it, the next line is clean. */
    calc_sigint_enter();
    rc = sigsetjmp(jb, 1);
    if (rc == 0)
        calc_sigint_arm(&jb);
    calc_sigint_disarm();
    raise(SIGINT);
    calc_sigint_leave();
    ok(rc == 0, "after the evaluation: no jump, the process goes on");
    calc_sigint_enter();
    rc = sigsetjmp(jb, 1);
    if (rc == 0) {
        calc_sigint_arm(&jb);
        reached = 3;
    }
    calc_sigint_disarm();
    calc_sigint_leave();
    ok(rc == 0 && reached == 3, "and the next line is not interrupted by it");

    /* Several jumps in a row leave the signal mask as it was. */
    sigset_t mask;
    sigprocmask(SIG_BLOCK, NULL, &mask);
    ok(!sigismember(&mask, SIGINT), "SIGINT is not left blocked after the jumps");

    /* Outside any line: the process ends by SIGINT. */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        raise(SIGINT);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ok(pid > 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGINT,
       "outside a line, SIGINT ends the process by SIGINT (status %#x)", status);

    /* Ignored when ntcalc starts: stays ignored. */
    signal(SIGINT, SIG_IGN);
    calc_sigint_install();
    struct sigaction now;
    sigaction(SIGINT, NULL, &now);
    ok(now.sa_handler == SIG_IGN, "an ignored SIGINT stays ignored");
    return done_testing();
}
