/* SPDX-License-Identifier: MIT */
/* fork-mark-rereads-after-blocking: just before fork, the hooks find the
 * touched free part of a stack, block signals, and only then mark it.  A
 * signal handler that ran between the look and the block may have
 * allocated there: the hooks read the range again once signals are
 * blocked, so that the handler's data reaches the child intact.  When the
 * handler took all of the free part there is nothing left to mark and the
 * fork makes no mark at all; when it took part of it, only the rest is
 * marked and reads as zero in the child.  The handler is stood in for by
 * pthread_sigmask itself (the linker's --wrap): the block the hooks ask
 * for first runs the allocation, as a signal delivered just before it
 * would.  The signal mask is the same after the fork as before. */
#include "config.h"

#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <vstack.h>

#include "faults.h"
#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)

#if HAVE_LD_WRAP
int __real_pthread_sigmask(int how, const sigset_t *set, sigset_t *old);
int __wrap_pthread_sigmask(int how, const sigset_t *set, sigset_t *old);
#endif

static vstack st;
static unsigned char *live, *chunk;
static size_t take; /* what the "handler" allocates at the next block; 0: nothing */
static int blocks;  /* blocks seen */

static void handler_allocates(void)
{
    chunk = vstack_alloc(&st, take);
    if (chunk)
        memset(chunk, 0x3c, take);
    take = 0;
}

#if HAVE_LD_WRAP
int __wrap_pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    if (how == SIG_BLOCK) {
        blocks++;
        if (take)
            handler_allocates();
    }
    return __real_pthread_sigmask(how, set, old);
}
#endif

struct expect {
    size_t nchunk, nzero; /* the handler's chunk, and the free part below it that must read as zero */
};

static void child_reads(int fd, void *arg)
{
    const struct expect *x = arg;
    size_t bad = 0, nonzero = 0;
    for (size_t i = 0; i < x->nchunk; i++)
        bad += chunk[i] != 0x3c;
    for (size_t i = 0; i < x->nzero; i += 512)
        nonzero += chunk[-1 - (ptrdiff_t)i] != 0;
    tu_child_ok(fd, bad == 0, "the child: the handler's %zu bytes are intact (%zu differ)", x->nchunk, bad);
    tu_child_ok(fd, tu_check(live, 256 * KB, 21) < 0, "the child: the live data is intact");
    if (x->nzero)
        tu_child_ok(fd, nonzero == 0, "the child: the %zu bytes left free below it read as zero (%zu samples not)",
                    x->nzero, nonzero);
}

/* Push 1 MiB of work (0xee) below the live data and pop it, then fork
 * with the "handler" taking `n` bytes of that free part at the hooks'
 * block. */
static void fork_with_handler(size_t n, const char *what)
{
    sigset_t before;
    unsigned char *work = vstack_alloc(&st, 1024 * KB);
    if (!work)
        bail_out("push: %s", vstack_last_error(&st));
    memset(work, 0xee, 1024 * KB);
    vstack_set_avma(&st, (vstack_sp)live);
    tf_mask(&before);
    unsigned long w = vs_os_count(VS_OS_WIPE);
    int b = blocks;
    take = n;
    struct expect x = {n, 1024 * KB - n};
    tu_in_child(child_reads, &x, what);
    ok(blocks > b && take == 0 && chunk == live - n, "%s: the handler ran at the hooks' block and got its bytes", what);
    is_int(vs_os_count(VS_OS_WIPE) - w, n == 1024 * KB ? 0 : 2,
           "%s: the fork %s", what, n == 1024 * KB ? "marked nothing" : "marked and unmarked the rest");
    tf_mask_same(&before, what);
    tf_consistent(&st, what);
    ok(vstack_avma(&st) == (vstack_sp)chunk, "%s: avma is at the handler's chunk", what);
    vstack_set_avma(&st, (vstack_sp)live);
}

int main(void)
{
    tu_require_mmap();
#if !HAVE_LD_WRAP
    skip_all("the linker has no --wrap: pthread_sigmask cannot be replaced");
#endif
    /* Where the kernel (or qemu-user) accepts MADV_WIPEONFORK and ignores it,
     * the probe says so and the test skips: a child would read the data. */
    tu_require(tu_lacks_wipe_on_fork());
    if (vstack_init(&st, 4096 * KB, 64 * 1024 * KB, 0) != VSTACK_OK)
        bail_out("vstack_init: %s", vstack_last_error(&st));
    int b = blocks;
    live = vstack_alloc(&st, 256 * KB);
    if (!live || blocks == b)
        skip_all("pthread_sigmask is not the function the stand-in replaces here");
    tu_fill(live, 256 * KB, 21);
    vs_os_fail_reset();

    fork_with_handler(1024 * KB, "the handler took all of the free part");
    fork_with_handler(512 * KB, "the handler took half of it");
    vstack_destroy(&st);
    return done_testing();
}
