/* SPDX-License-Identifier: MIT */
/* pool-populate-longjmp-keeps-the-pool: a signal handler that longjmps out
 * of a pool's populate (the stand-in for madvise, the linker's --wrap,
 * populates half of the range, then raises the signal) finds the pool
 * consistent.  Out of vstack_pool_resize: the pool has grown to the size
 * asked, its data intact and the new part zero.  Out of
 * vstack_pool_set_used: the pool keeps its size and takes the new `used`,
 * and a child of fork reads all of what is in use, the part the call
 * added included (fork-wipe's mark of the free tail followed `used` before
 * the populate), and zero above it.  Later calls populate again, nothing
 * is said, and the pool grows, shrinks and is destroyed as usual. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <vstack_pool.h>

#include "tap.h"
#include "testutil.h"

#define MB ((size_t)1 << 20)

#if HAVE_LD_WRAP
int __real_madvise(void *addr, size_t len, int advice);
int __wrap_madvise(void *addr, size_t len, int advice);

static sigjmp_buf jump;
static volatile sig_atomic_t armed, interrupted, populates;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
    siglongjmp(jump, 1);
}

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

static void on_warn(vstack_pool *p, int err, const char *msg, void *ctx)
{
    (void)p;
    (void)err;
    (void)msg;
    ++*(int *)ctx;
}

static int all_zero(const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i += 512)
        if (b[i])
            return 0;
    return n == 0 || b[n - 1] == 0;
}

struct seen {
    const unsigned char *base;
    size_t used, size;
};

/* In the child: what is in use holds the pattern, the free tail is zero. */
static void child_reads(int fd, void *arg)
{
    const struct seen *s = arg;
    long bad = tu_check(s->base, s->used, 24);
    tu_child_ok(fd, bad < 0, "child: the %zu bytes in use are intact (first bad byte %ld)", s->used, bad);
    tu_child_ok(fd, all_zero(s->base + s->used, s->size - s->used), "child: the free tail reads zero");
}

/* Raise the signal in the next populate of fn(p, n); 1 when it ran and the
 * handler longjmped out of it. */
static int interrupt(void (*fn)(vstack_pool *, size_t), vstack_pool *p, size_t n)
{
    interrupted = 0;
    if (sigsetjmp(jump, 1) == 0) {
        armed = 1;
        fn(p, n);
    }
    armed = 0;
    return interrupted;
}

static void resize(vstack_pool *p, size_t n) { (void)vstack_pool_resize(p, n); }
static void set_used(vstack_pool *p, size_t n) { vstack_pool_set_used(p, n); }

int main(void)
{
    vstack_pool p;
    struct sigaction sa;
    struct vstack_pool_stats st;
    int said = 0;
    long maps0;

    tu_require(tu_lacks_populate());
    maps0 = tu_maps_baseline();
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0)
        bail_out("sigaction: %s", strerror(errno));
    if (vstack_pool_init(&p, 4 * MB, 1024 * MB, 0) != VSTACK_OK)
        bail_out("no pool: %s", vstack_pool_last_error(&p));
    vstack_pool_set_warn_handler(&p, on_warn, &said);
    unsigned char *b = vstack_pool_base(&p);
    vstack_pool_set_used(&p, 4 * MB);
    tu_fill(b, 4 * MB, 24);

    /* Out of the growth's populate. */
    int n = populates;
    ok(interrupt(resize, &p, 256 * MB), "resize: the handler ran in the middle of a populate");
    ok(populates == n + 1, "resize: one populate call was made");
    is_int(vstack_pool_size(&p), 256 * MB, "resize: the pool has the size asked for");
    is_int(vstack_pool_last_error_code(&p), VSTACK_OK, "resize: no error recorded");
    ok(tu_check(b, 4 * MB, 24) < 0, "resize: the data in use is intact");
    ok(all_zero(b + 4 * MB, 252 * MB), "resize: the new part reads zero");
    vstack_pool_get_stats(&p, &st);
    ok(st.ahead <= 32 * MB, "resize: ahead is at most one batch (%zu bytes)", st.ahead);

    /* Out of set_used's populate: the client now uses 100 MiB and writes
     * it, then forks. */
    n = populates;
    ok(interrupt(set_used, &p, 100 * MB), "set_used: the handler ran in the middle of a populate");
    ok(populates == n + 1, "set_used: one populate call was made");
    is_int(vstack_pool_size(&p), 256 * MB, "set_used: the pool keeps its size");
    tu_fill(b, 100 * MB, 24);
    struct seen s = {b, 100 * MB, 256 * MB};
    tu_in_child(child_reads, &s, "set_used: a child of fork after the longjmp");
    ok(tu_check(b, 100 * MB, 24) < 0, "set_used: the parent's data in use is intact");

    /* Later calls populate again, and the pool lives on. */
    n = populates;
    vstack_pool_set_used(&p, 200 * MB);
    ok(populates > n, "set_used after the longjmp populates again");
    tu_fill(b, 200 * MB, 24);
    is_int(vstack_pool_resize(&p, 512 * MB), VSTACK_OK, "the pool grows to 512 MiB");
    is_int(vstack_pool_resize(&p, 200 * MB), VSTACK_OK, "and shrinks to 200 MiB");
    ok(tu_check(b, 200 * MB, 24) < 0, "the data in use is intact");
    s.used = s.size = 200 * MB;
    tu_in_child(child_reads, &s, "a child of fork at the end");
    is_int(said, 0, "nothing said");
    vstack_pool_destroy(&p);
    tu_maps_check(maps0, 0, -1, "the destroyed pool left no mapping");
    return done_testing();
}
#else
int main(void) { skip_all("the linker has no --wrap: no stand-in for madvise"); }
#endif
