/* SPDX-License-Identifier: MIT */
/* claim-moves-fork-wipe: a stack belongs, for fork-wipe, to the thread that
 * created it; a fork by another thread leaves it alone (the child gets a
 * plain copy), until that thread calls vstack_claim: then its forks mark
 * the stack's free part, and the child reads zeros there, live data intact. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#define MB ((size_t)1 << 20)

static vstack st;
static unsigned char *live, *popped;

static void *make(void *arg)
{
    (void)arg;
    if (vstack_init(&st, 1 * MB, 64 * MB, 0) != VSTACK_OK)
        return NULL;
    live = vstack_alloc(&st, 1 * MB);
    vstack_sp av = vstack_avma(&st);
    popped = vstack_alloc(&st, 4 * MB);
    if (live && popped) {
        tu_fill(live, 1 * MB, 1);
        memset(popped, 0x77, 4 * MB);
    }
    vstack_set_avma(&st, av);
    return NULL;
}

/* In the child: whether the middle of the popped part reads as zero (0)
 * or as written (1), and 2 when the live data changed. */
static int what_child_sees(void *arg)
{
    unsigned char c = popped[2 * MB];
    (void)arg;
    if (tu_check(live, 1 * MB, 1) >= 0)
        return 2;
    return c == 0 ? 0 : c == 0x77 ? 1 : 3;
}

/* Fork; what_child_sees in the child, -1 when the child did not exit. */
static int child_sees(void) { return tu_fork_wait(what_child_sees, NULL, NULL); }

int main(void)
{
    pthread_t th;
    tu_require_mmap();
    tu_require(tu_lacks_wipe_on_fork());
    if (tap_under_valgrind())
        skip_all("the child reads popped memory, which memcheck forbids");
    if (pthread_create(&th, NULL, make, NULL) != 0 || pthread_join(th, NULL) != 0 || !live || !popped)
        bail_out("cannot make the stack in another thread");
    vs_os_fail_reset();
    is_int(child_sees(), 1, "a fork by another thread than the owner: the child gets a plain copy");
    is_int(vs_os_count(VS_OS_WIPE), 0, "and the stack is not marked");
    vstack_claim(&st);
    is_int(child_sees(), 0, "after vstack_claim: the child reads zeros below avma, live data intact");
    is_int(vs_os_count(VS_OS_WIPE), 2, "the stack was marked and unmarked");
    ok(popped[2 * MB] == 0x77, "the parent's popped memory is untouched");
    vstack_destroy(&st);
    return done_testing();
}
