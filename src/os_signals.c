/* SPDX-License-Identifier: MIT */
/* os_signals.c -- blocking asynchronous signals around multi-step changes,
 * on systems with POSIX signals (both the mmap and the malloc layer).
 *
 * A handler that longjmps out of the library (cysignals, ntcalc's Ctrl-C)
 * must never find a stack half changed: its memory committed but not yet
 * counted, or a range unmapped and not yet mapped again.  The faults that a
 * program raises itself stay deliverable. */
#include "config.h"
#include "os.h"

#include <pthread.h>
#include <signal.h>

int vs_os_signals_block(struct vs_os_sigmask *saved, struct vs_os_err *e)
{
    sigset_t all;
    int err = vs_os_seam(VS_OS_SIGBLOCK);
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    sigdelset(&all, SIGTRAP);
    if (!err)
        err = pthread_sigmask(SIG_BLOCK, &all, &saved->set);
    return err ? vs_os_fail(e, err, "pthread_sigmask (block)", NULL) : 0;
}

int vs_os_signals_restore(const struct vs_os_sigmask *saved, struct vs_os_err *e)
{
    int err = vs_os_seam(VS_OS_SIGRESTORE);
    if (err) /* the seam: report the failure, but never leave signals blocked */
        (void)pthread_sigmask(SIG_SETMASK, &saved->set, NULL);
    else
        err = pthread_sigmask(SIG_SETMASK, &saved->set, NULL);
    return err ? vs_os_fail(e, err, "pthread_sigmask (restore)", NULL) : 0;
}
