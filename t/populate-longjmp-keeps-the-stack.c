/* SPDX-License-Identifier: MIT */
/* populate-longjmp-keeps-the-stack: a signal handler that longjmps out of
 * the slow path in the middle of a populate (the stand-in for madvise, the
 * linker's --wrap, populates half of the range, then raises the signal)
 * finds the stack as it was before the allocation: avma where it was, lim
 * between bot and avma, the live data intact.  The allocation made again
 * succeeds, later batches populate again, and the stack stays usable,
 * reset included. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <vstack.h>

#include "faults.h"
#include "os.h"
#include "tap.h"
#include "testutil.h"

#define MB ((size_t)1 << 20)
#define CHUNK ((size_t)64 << 10)

#if HAVE_LD_WRAP
int __real_madvise(void *addr, size_t len, int advice);
int __wrap_madvise(void *addr, size_t len, int advice);
#endif

static sigjmp_buf jump;
static volatile sig_atomic_t armed, interrupted, populates;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
    siglongjmp(jump, 1);
}

#if HAVE_LD_WRAP
int __wrap_madvise(void *addr, size_t len, int advice)
{
#ifdef MADV_POPULATE_WRITE
    if (advice == MADV_POPULATE_WRITE) {
        populates++;
        if (armed) {
            size_t half = len / 2 - len / 2 % tu_page_size();
            armed = 0;
            if (half)
                (void)__real_madvise(addr, half, advice);
            raise(SIGUSR1); /* the handler longjmps: this call never returns */
        }
    }
#endif
    return __real_madvise(addr, len, advice);
}
#endif

int main(void)
{
#if !HAVE_LD_WRAP
    skip_all("the linker has no --wrap: no stand-in for madvise");
#else
    struct tf_stack s;
    struct sigaction sa;
    long maps0;

    tu_require_mmap();
    tu_require(tu_lacks_populate());
    maps0 = tu_maps_baseline();
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0)
        bail_out("sigaction: %s", strerror(errno));

    tf_open(&s, 4 * MB, 256 * MB, 0, 1 * MB, 81);
    /* Walk down until the walk has passed a few batches, then arm. */
    for (size_t done = 0; done < 16 * MB; done += CHUNK)
        if (!vstack_alloc(&s.st, CHUNK))
            bail_out("cannot allocate");
    vstack_sp av = vstack_avma(&s.st);
    struct vstack_stats before = tu_stats(&s.st);
    int before_populates = populates;
    void *volatile p = NULL;
    volatile int tries = 0; /* read after the longjmp: kept in memory */
    if (sigsetjmp(jump, 1) == 0) {
        armed = 1;
        /* Allocations until one crosses the watermark and populates. */
        while (tries < 4096 && (p = vstack_alloc(&s.st, CHUNK)) != NULL)
            tries++;
    }
    ok(interrupted, "the handler ran in the middle of a populate (after %d allocations)", tries);
    ok(populates > before_populates, "a populate call was made");
    vstack_sp now = vstack_avma(&s.st);
    ok(now <= av && now >= av - (vstack_sp)tries * CHUNK,
       "avma is where the allocations before the interrupted one left it");
    tf_consistent(&s.st, "after the longjmp");
    ok(tu_stats(&s.st).committed >= before.committed, "the committed size did not shrink");
    tf_intact(&s, "after the longjmp");
    void *q = vstack_alloc(&s.st, CHUNK);
    ok(q != NULL && (vstack_sp)q == now - CHUNK, "the same allocation made again succeeds, just below avma");
    if (q)
        memset(q, 0x5a, CHUNK);
    int n = populates;
    for (size_t done = 0; done < 64 * MB; done += CHUNK)
        if (!vstack_alloc(&s.st, CHUNK))
            bail_out("cannot allocate after the longjmp");
    ok(populates > n, "later batches populate again");
    is_int(s.logs.err.count + s.logs.warn.count, 0, "nothing said");
    vstack_set_avma(&s.st, av);
    tf_usable(&s, 16 * MB, "after the longjmp");
    tf_close(&s, maps0, "after the longjmp");
    return done_testing();
#endif
}
