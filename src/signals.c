/* SPDX-License-Identifier: MIT */
/* signals.c -- the one rule for signals: the policy blocks, the verbs never do.
 *
 * A change of a stack or pool that takes more than one step (commit and
 * count, decommit and move the limit, release and empty the struct) runs
 * with asynchronous signals blocked, so that a handler that longjmps out,
 * or forks, never finds the struct half changed.  The public entry point
 * that makes the change blocks once around all of its steps; the verbs of
 * the OS layer, and the region's, never block. */
#include "config.h"
#include "internal.h"

int vs_block(struct vs_os_sigmask *saved, struct vs_out *o)
{
    struct vs_os_err e;
    if (vs_os_signals_block(saved, &e) != 0)
        return vs_fail_os(o, &e, "cannot block signals across a change of the stack");
    return VSTACK_OK;
}

void vs_unblock(const struct vs_os_sigmask *saved, struct vs_out *o)
{
    struct vs_os_err e;
    if (vs_os_signals_restore(saved, &e) != 0)
        vs_warn_os(o, &e, "cannot restore the signal mask");
}
