/* fork-trim-keeps-live-data: with vstack_atfork_trim(1), the dead pages
 * below avma are discarded before fork (the stack's Rss drops, the popped
 * memory reads as zero when handed out again), while everything in use is
 * kept, also in a stack that another thread is using while this one forks. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vstack.h>

#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

static int fork_and_wait(void)
{
    int status = 0;
    pid_t pid;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(0);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void single_thread(void)
{
    struct tu_logs logs;
    vstack st;
    unsigned char *live, *dead;
    struct tu_smaps sm;
    long rss_before = -1;
    const size_t ndead = tap_under_valgrind() ? 8 * MB : 32 * MB;

    tu_capture_defaults(&logs);
    if (vstack_init(&st, 1 * MB, 256 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init failed");
    live = vstack_alloc(&st, 1 * MB);
    if (!live)
        bail_out("cannot allocate 1 MiB");
    tu_fill(live, 1 * MB, 77);
    dead = vstack_alloc(&st, ndead);
    if (!dead)
        bail_out("cannot allocate the dead part");
    memset(dead, 0xee, ndead);
    vstack_set_avma(&st, (vstack_sp)live);
    if (tu_have_proc() && tu_smaps_range(st.vbot, st.top, &sm) == 0)
        rss_before = sm.rss_kb;

    is_int(vstack_atfork_trim(1), VSTACK_OK, "vstack_atfork_trim(1)");
    is_int(fork_and_wait(), 0, "fork, child exits 0");
    if (rss_before >= 0 && tu_smaps_range(st.vbot, st.top, &sm) == 0) {
        if (!ok(sm.rss_kb < rss_before - (long)(ndead / KB) / 2,
                "the dead pages were discarded before fork (Rss %ld kB -> %ld kB)", rss_before,
                sm.rss_kb))
            diag("  %zu kB were dead", ndead / KB);
    } else {
        skip(1, "no /proc/self/smaps");
    }
    if (!ok(tu_check(live, 1 * MB, 77) < 0, "the data in use is intact"))
        diag("  first bad byte at %ld", tu_check(live, 1 * MB, 77));
    is_int(tu_stats(&st).committed >= 1 * MB + ndead, 1, "the dead pages stay committed");
    {
        unsigned char *again = vstack_alloc(&st, ndead);
        size_t nonzero = 0;
        ok(again == dead, "the same request gets the same address");
        if (again && !tap_under_valgrind())
            for (size_t i = 0; i < ndead; i += 4096)
                nonzero += again[i] != 0;
        if (tap_under_valgrind())
            skip(1, "reading fresh chunks is undefined under memcheck");
        else
            is_int(nonzero, 0, "the discarded pages read as zero");
        if (again)
            memset(again, 1, ndead);
    }
    is_int(vstack_atfork_trim(0), VSTACK_OK, "vstack_atfork_trim(0)");
    vstack_set_avma(&st, (vstack_sp)live);
    is_int(fork_and_wait(), 0, "fork with trimming off");
    {
        size_t nonzero = 0;
        if (!tap_under_valgrind())
            for (size_t i = 0; i < ndead; i += 4096)
                nonzero += dead[i] == 1;
        if (tap_under_valgrind())
            skip(1, "reading popped memory is an error under memcheck");
        else
            is_int(nonzero, ndead / 4096, "with trimming off, popped pages keep their contents");
    }
    vstack_destroy(&st);
    is_int(logs.err.count, 0, "no error message");
    vstack_set_default_handlers(NULL, NULL, NULL);
}

/* Another thread creates its own stack, then allocates, writes and checks on
 * it while this thread forks with trimming on: the hook trims only the
 * forking thread's stacks, so the other thread's data must survive. */
struct user {
    vstack st;
    volatile int ready, stop;
    long rounds;
    long damaged;
};

static void *use_stack(void *arg)
{
    struct user *u = arg;
    if (vstack_init(&u->st, 1 * MB, 64 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init failed");
    /* Dead pages below avma, so that there is something to trim. */
    if (vstack_alloc(&u->st, 4 * MB))
        vstack_set_avma(&u->st, u->st.top);
    vstack_sp av0 = vstack_avma(&u->st);
    u->ready = 1;
    while (!u->stop) {
        size_t n = 64 * KB + (size_t)(u->rounds % 7) * 4096;
        unsigned char *p = vstack_alloc(&u->st, n);
        if (!p) {
            u->damaged++;
            break;
        }
        tu_fill(p, n, (uint64_t)u->rounds);
        for (int k = 0; k < 4; k++)
            if (tu_check(p, n, (uint64_t)u->rounds) >= 0) {
                u->damaged++;
                break;
            }
        vstack_set_avma(&u->st, av0);
        u->rounds++;
    }
    vstack_destroy(&u->st);
    return NULL;
}

static void other_thread(void)
{
    static struct user u;
    pthread_t th;
    int forks = 0, bad_forks = 0;
    const int nforks = tap_under_valgrind() ? 50 : 4000;

    if (pthread_create(&th, NULL, use_stack, &u) != 0)
        bail_out("pthread_create failed");
    while (!u.ready)
        sched_yield();
    vstack_atfork_trim(1);
    for (int i = 0; i < nforks; i++) {
        if (fork_and_wait() != 0)
            bad_forks++;
        forks++;
    }
    u.stop = 1;
    pthread_join(th, NULL);
    vstack_atfork_trim(0);
    is_int(bad_forks, 0, "%d forks while another thread uses its stack", forks);
    if (!ok(u.damaged == 0, "the other thread's live data survived the forks (%ld rounds)",
            u.rounds))
        diag("  %ld rounds saw their data damaged", u.damaged);
}

int main(void)
{
    tu_require_mmap();
    single_thread();
    other_thread();
    return done_testing();
}
