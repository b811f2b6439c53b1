/* SPDX-License-Identifier: MIT */
/* fork-hooks-refused-copy-plainly: the fork hooks are registered with
 * pthread_atfork at the first vstack_init of the process.  When that
 * fails (it can only for lack of memory), fork-wipe is off for the whole
 * process, quietly: stacks and pools work, a reset marks nothing and makes
 * no call, a fork makes no call, and a child gets a plain copy, the popped
 * data included.  pthread_atfork is replaced with the linker's --wrap,
 * which reaches the library's own call. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vstack.h>
#include <vstack_pool.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

#if HAVE_LD_WRAP
int __real_pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void));
int __wrap_pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void));

static int atfork_calls;

int __wrap_pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void))
{
    (void)prepare;
    (void)parent;
    (void)child;
    atfork_calls++;
    return ENOMEM;
}
#endif

static unsigned char *live, *dead;

static void child_reads(int fd, void *arg)
{
    size_t n = *(size_t *)arg, samples = 0, kept = 0;
    tu_child_ok(fd, tu_check(live, 256 * KB, 7) < 0, "the child: the live data is intact");
    if (tap_under_valgrind()) {
        tu_child_ok(fd, 1, "the child: the popped part is not read under memcheck, which forbids it");
        return;
    }
    for (size_t i = 0; i < n; i += 4096, samples++)
        kept += dead[i] == 0xee;
    tu_child_ok(fd, samples > 0 && kept == samples,
                "the child: the popped part is a plain copy (%zu of %zu sampled bytes 0xee)", kept, samples);
}

int main(void)
{
    struct tu_logs logs;
    vstack st;
    vstack_pool pool;
    size_t ndead = 8 * MB;
    const long maps0 = tu_maps_baseline();

    tu_require_mmap();
#if !HAVE_LD_WRAP
    skip_all("the linker has no --wrap: pthread_atfork cannot be replaced");
#endif
    if (!vs_os_config()->wipes_on_fork)
        skip_all("this system has no wipe-on-fork: there are no fork hooks");
    tu_capture_defaults(&logs);
    vs_os_fail_reset();

    is_int(vstack_init(&st, 1 * MB, 64 * MB, 0), VSTACK_OK, "vstack_init, with pthread_atfork failing");
#if HAVE_LD_WRAP
    is_int(atfork_calls, 1, "the hooks were asked for once");
#endif
    is_int(logs.warn.count, 0, "no warning: fork-wipe is an optimisation");
    live = vstack_alloc(&st, 256 * KB);
    dead = live ? vstack_alloc(&st, ndead) : NULL;
    if (!dead)
        bail_out("cannot allocate: %s", vstack_last_error(&st));
    tu_fill(live, 256 * KB, 7);
    memset(dead, 0xee, ndead);
    vstack_set_avma(&st, (vstack_sp)live);

    is_int(vstack_reset(&st), VSTACK_OK, "vstack_reset");
    is_int(vs_os_count(VS_OS_WIPE), 0, "the reset marks nothing");
    struct tu_smaps sm;
    if (tu_smaps_range(tu_bot(&st), vstack_top(&st), &sm) == 0)
        is_int(sm.wf_bytes, 0, "nothing carries the wipe-on-fork flag");
    else
        skip_check("no /proc/self/smaps", "nothing carries the wipe-on-fork flag");
    /* The reset kept parisize (1 MiB): the popped part inside it is still
     * there, below the live 256 KiB. */
    ndead = (size_t)((unsigned char *)live - (unsigned char *)tu_bot(&st));
    dead = (unsigned char *)tu_bot(&st);
    tu_in_child(child_reads, &ndead, "a fork after the reset");
    is_int(vs_os_count(VS_OS_WIPE), 0, "the fork made no call of the library");

    is_int(vstack_pool_init(&pool, 1 * MB, 64 * MB, 0), VSTACK_OK, "a pool");
    is_int(vstack_pool_resize(&pool, 4 * MB), VSTACK_OK, "grows");
    vstack_pool_set_used(&pool, 1 * MB);
    memset(vstack_pool_base(&pool), 0x5a, 4 * MB);
    dead = (unsigned char *)vstack_pool_base(&pool) + 1 * MB;
    live = NULL;
    unsigned long w = vs_os_count(VS_OS_WIPE);
    int status = -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        tu_child_exit(dead[0] == 0x5a && dead[3 * MB - 1] == 0x5a ? 0 : 1);
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    ok(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "a child of the pool's fork reads its free tail as it was");
    is_int(vs_os_count(VS_OS_WIPE) - w, 0, "and the fork made no call");
    vstack_pool_destroy(&pool);
    vstack_destroy(&st);
    tu_maps_check(maps0, 0, -1, "after destroy");
    return done_testing();
}
