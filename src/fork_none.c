/* SPDX-License-Identifier: MIT */
/* fork_none.c -- the table of live stacks where there is no fork (Windows).
 *
 * src/fork.c keeps a table of live stacks and pools for its fork hooks,
 * registered with pthread_atfork.  Without fork there is nothing to hook
 * and nothing to wipe: the layer says so (vs_os_config()->wipes_on_fork is
 * 0), so fork-wipe is off for every stack and pool and none needs a slot.
 * These are the same entry points, with nothing to keep. */
#include "config.h"
#include "internal.h"

int vs_live_add(struct vs_fork *f)
{
    f->slot = NULL;
    return 0;
}

void vs_live_remove(struct vs_fork *f) { f->slot = NULL; }

/* No table: no struct is ever in it. */
int vs_live_registered(const struct vs_fork *f)
{
    (void)f;
    return 0;
}

/* With no fork-wipe there is no owner to record. */
void vs_live_claim(struct vs_fork *f) { (void)f; }

/* Nothing is ever marked. */
int vs_fork_clear(struct vs_fork *f, struct vs_os_err *e)
{
    (void)f;
    (void)e;
    return 0;
}

/* Nor kept marked after a reset. */
int vs_fork_keep(struct vs_fork *f, struct vs_os_err *e)
{
    (void)f;
    (void)e;
    return 0;
}
