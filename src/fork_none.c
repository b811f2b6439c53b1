/* fork_none.c -- the table of live stacks where there is no fork (Windows).
 *
 * src/fork.c keeps a table of live stacks for its fork hooks, registered
 * with pthread_atfork.  Without fork there is nothing to hook and nothing
 * to wipe: the layer says so (vs_os_config()->wipes_on_fork is 0), so
 * fork-wipe is off for every stack and none needs a slot.  These are the
 * same entry points, with nothing to keep. */
#include "config.h"
#include "internal.h"

int vs_live_add(vstack *st)
{
    st->priv_.slot = NULL;
    return 0;
}

void vs_live_remove(vstack *st) { st->priv_.slot = NULL; }

/* A stack belongs to the thread that uses it; with no fork-wipe there is no
 * owner to record. */
void vstack_claim(vstack *st) { (void)st; }
