/* SPDX-License-Identifier: MIT */
/* fork-wipe-keeps-live-data: the fork contract of the library's defaults.
 * In a child of fork(), the touched free part of the forking thread's stack
 * (below the page that holds avma) reads as zero, while everything in use
 * is intact: on the forking thread's stack, on another thread's stack, and
 * in a grandchild.  The parent's memory is never changed, popped data
 * included, and it writes the free part again without a fault per page.
 * An idle fork makes no system call of ours; VSTACK_NOFORKWIPE and
 * VSTACK_FORKWIPE=0 turn the whole thing off. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"
#include "testing.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

static size_t ps;

/* A stack with 1 MiB of live data (pattern `seed`) above `ndead` bytes of
 * popped data (all bytes 0xee). */
struct layout {
    vstack st;
    unsigned char *live, *dead;
    size_t ndead;
    uint64_t seed;
};

static void make_layout(struct layout *l, unsigned flags, size_t ndead, uint64_t seed)
{
    if (vstack_init(&l->st, 1 * MB, 256 * MB, flags) != VSTACK_OK)
        bail_out("vstack_init failed: %s", vstack_last_error(&l->st));
    l->live = vstack_alloc(&l->st, 1 * MB);
    l->dead = l->live ? vstack_alloc(&l->st, ndead) : NULL;
    if (!l->dead)
        bail_out("cannot allocate the test layout");
    l->ndead = ndead;
    l->seed = seed;
    tu_fill(l->live, 1 * MB, seed);
    memset(l->dead, 0xee, ndead);
    vstack_set_avma(&l->st, (vstack_sp)l->live);
}

/* Pages of the popped part that read as 0xee, and that read as zero. */
static void count_dead(const struct layout *l, size_t *kept, size_t *zero)
{
    *kept = *zero = 0;
    for (size_t off = 0; off + ps <= l->ndead; off += ps) {
        *kept += l->dead[off] == 0xee && l->dead[off + ps - 1] == 0xee;
        *zero += l->dead[off] == 0 && l->dead[off + ps - 1] == 0;
    }
}

static long minor_faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

/* ---- the forking thread's own stack ------------------------------------------- */

static void grandchild_checks(int fd, void *arg)
{
    struct layout *l = arg;
    tu_child_ok(fd, tu_check(l->live, 1 * MB, 11) < 0, "grandchild: the first live data is intact");
    /* The child allocated again where its parent's fork had wiped: live now. */
    tu_child_ok(fd, tu_check(l->dead, l->ndead, 12) < 0, "grandchild: the child's new live data is intact");
}

static void child_checks(int fd, void *arg)
{
    struct layout *l = arg;
    size_t kept, zero;
    tu_child_ok(fd, tu_check(l->live, 1 * MB, 11) < 0, "every live byte is intact");
    count_dead(l, &kept, &zero);
    tu_child_ok(fd, zero == l->ndead / ps, "the popped part reads as zero (%zu of %zu pages)", zero,
                l->ndead / ps);
    unsigned char *again = vstack_alloc(&l->st, l->ndead);
    tu_child_ok(fd, again == l->dead, "the child allocates at the same address");
    if (again != l->dead)
        return;
    tu_fill(again, l->ndead, 12);
    unsigned char *more = vstack_alloc(&l->st, 64 * MB);
    tu_child_ok(fd, more != NULL, "the child grows its stack by 64 MiB");
    if (more)
        memset(more, 1, 64 * MB);
    vstack_set_avma(&l->st, (vstack_sp)again);
    /* The grandchild reports through the same pipe, straight to the test. */
    unsigned long wipes = vs_os_count(VS_OS_WIPE);
    int status = -1;
    pid_t pid = fork();
    if (pid == 0) {
        grandchild_checks(fd, l);
        _exit(0);
    }
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    tu_child_ok(fd, pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "the grandchild exited with status 0");
    tu_child_ok(fd, vs_os_count(VS_OS_WIPE) == wipes + 2, "the child's fork marked and unmarked its own free part");
}

static void own_stack(void)
{
    struct layout l;
    size_t kept, zero;
    const size_t ndead = tap_under_valgrind() ? 4 * MB : 32 * MB;

    make_layout(&l, 0, ndead, 11);
    vs_os_fail_reset();
    tu_in_child(child_checks, &l, "child");
    is_int(vs_os_count(VS_OS_WIPE), 2, "one fork: the free part was marked, then unmarked");
    if (!ok(tu_check(l.live, 1 * MB, 11) < 0, "the parent's live data is unchanged"))
        diag("  first bad byte at %ld", tu_check(l.live, 1 * MB, 11));
    if (tap_under_valgrind()) {
        skip(1, "reading popped memory is an error under memcheck");
    } else {
        count_dead(&l, &kept, &zero);
        is_int(kept, ndead / ps, "the parent's popped data is unchanged by fork");
        /* The parent writes the free part again: with fork-wipe, fork left its
         * pages writable, so there is no fault per page. */
        long f0 = minor_faults();
        memset(l.dead, 0x33, ndead);
        long faults = minor_faults() - f0;
        if (!ok(faults < (long)(ndead / ps) / 16, "the parent rewrites %zu MiB with %ld faults",
                ndead / MB, faults))
            diag("  a fault per page would be %zu", ndead / ps);
    }
    vstack_destroy(&l.st);
}

/* ---- nothing to do, nothing done ------------------------------------------------ */

static void idle_forks(void)
{
    vstack st[3];
    for (int i = 0; i < 3; i++)
        if (vstack_init(&st[i], 1 * MB, 64 * MB, 0) != VSTACK_OK)
            bail_out("vstack_init failed");
    /* One stack holds data but popped nothing; one popped less than a page. */
    if (!vstack_alloc(&st[1], 3 * MB))
        bail_out("alloc failed");
    vstack_sp av = vstack_avma(&st[2]);
    if (!vstack_alloc(&st[2], 512) || !vstack_alloc(&st[2], 1024))
        bail_out("alloc failed");
    vstack_set_avma(&st[2], av - 512);
    vs_os_fail_reset();
    for (int i = 0; i < 10; i++)
        tu_fork_wait(NULL, NULL, NULL);
    is_int(vs_os_count(VS_OS_WIPE), 0, "ten idle forks: no madvise call");
    is_int(vs_os_count(VS_OS_SIGBLOCK), 0, "ten idle forks: no signal mask call");
    for (int i = 0; i < 3; i++)
        vstack_destroy(&st[i]);
}

/* A fork whose mark, once cleared, was the stack's whole touched free part:
 * the stack was popped to empty, so the next allocation that leaves the
 * touched page takes the slow path.  Afterwards the fast path's limit must
 * be at or below avma again, or the next allocation would wrap around the
 * comparison and be handed out beyond the stack's end. */
static void fork_after_pop_all(void)
{
    vstack st;
    struct tu_logs logs;
    if (vstack_init(&st, 1 * MB, 0, VSTACK_NOHUGEPAGES) != VSTACK_OK)
        bail_out("vstack_init failed");
    tu_capture_stack(&st, &logs);
    if (!vstack_alloc(&st, 1))
        bail_out("alloc failed");
    vstack_pop_all(&st);
    tu_fork_wait(NULL, NULL, NULL);
    unsigned char *a = vstack_alloc(&st, 6 * KB), *b = a ? vstack_alloc(&st, 64 * KB + 7) : NULL;
    ok(a && b && b + 64 * KB + 7 <= a, "after alloc, pop_all and fork: two allocations below the touched page");
    if (b)
        tu_fill(b, 64 * KB + 7, 43);
    ok(st.lim <= st.avma, "the fast path's limit is at or below avma (%s)",
       st.lim <= st.avma ? "it is" : "it is above");
    tu_logs_clear(&logs);
    ok(!vstack_alloc(&st, 2 * MB) && vstack_last_error_code(&st) == VSTACK_ESTACK,
       "2 MiB more on a fixed 1 MiB stack is refused as an overflow");
    ok(b && tu_check(b, 64 * KB + 7, 43) < 0 && vstack_avma(&st) == (vstack_sp)b,
       "the refused allocation leaves avma and the data as they were");
    vstack_destroy(&st);
}

/* ---- off by flag, off by environment --------------------------------------- */

static void popped_kept_in_child(int fd, void *arg)
{
    struct layout *l = arg;
    size_t kept, zero;
    count_dead(l, &kept, &zero);
    tu_child_ok(fd, kept == l->ndead / ps, "the popped part is copied (%zu of %zu pages)", kept,
                l->ndead / ps);
    tu_child_ok(fd, tu_check(l->live, 1 * MB, l->seed) < 0, "the live data is intact");
}

static void switched_off(unsigned flags, const char *env, const char *what)
{
    struct layout l;
    struct tu_logs logs;
    if (env)
        setenv("VSTACK_FORKWIPE", env, 1);
    vs_env_forget();
    tu_capture_defaults(&logs);
    make_layout(&l, flags, 2 * MB, 21);
    unsetenv("VSTACK_FORKWIPE");
    vs_env_forget();
    vs_os_fail_reset();
    if (tap_under_valgrind())
        skip(1, "%s: reading popped memory is an error under memcheck", what);
    else
        tu_in_child(popped_kept_in_child, &l, what);
    is_int(vs_os_count(VS_OS_WIPE), 0, "%s: no madvise call", what);
    is_int(logs.warn.count, 0, "%s: no warning", what);
    vstack_destroy(&l.st);
    vstack_set_default_handlers(NULL, NULL, NULL);
}

static void bad_environment(void)
{
    struct layout l;
    struct tu_logs logs;
    setenv("VSTACK_FORKWIPE", "maybe", 1);
    vs_env_forget();
    tu_capture_defaults(&logs);
    make_layout(&l, 0, 2 * MB, 22);
    unsetenv("VSTACK_FORKWIPE");
    vs_env_forget();
    if (!ok(logs.warn.count == 1 && strstr(logs.warn.last, "VSTACK_FORKWIPE=maybe"),
            "VSTACK_FORKWIPE=maybe: one warning that names it"))
        tu_logs_diag(&logs);
    vs_os_fail_reset();
    tu_fork_wait(NULL, NULL, NULL);
    is_int(vs_os_count(VS_OS_WIPE), 2, "VSTACK_FORKWIPE=maybe: fork-wipe stays on");
    vstack_destroy(&l.st);
    vstack_set_default_handlers(NULL, NULL, NULL);
}

/* ---- another thread's stack --------------------------------------------------- */

struct other {
    struct layout l;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int state; /* 0 start, 1 ready, 2 run, 3 stop */
    long rounds, damaged;
};

static void wait_state(struct other *o, int s)
{
    pthread_mutex_lock(&o->mu);
    while (o->state < s)
        pthread_cond_wait(&o->cv, &o->mu);
    pthread_mutex_unlock(&o->mu);
}

static void set_state(struct other *o, int s)
{
    pthread_mutex_lock(&o->mu);
    o->state = s;
    pthread_cond_broadcast(&o->cv);
    pthread_mutex_unlock(&o->mu);
}

static int get_state(struct other *o)
{
    pthread_mutex_lock(&o->mu);
    int s = o->state;
    pthread_mutex_unlock(&o->mu);
    return s;
}

static void *other_thread(void *arg)
{
    struct other *o = arg;
    make_layout(&o->l, 0, 2 * MB, 31);
    set_state(o, 1);
    wait_state(o, 2);
    /* Allocate, write and check below the live data while the main thread
     * forks: fork-wipe must never touch this thread's stack. */
    while (get_state(o) < 3) {
        size_t n = 64 * KB + (size_t)(o->rounds % 7) * 4096;
        vstack_sp av = vstack_avma(&o->l.st);
        unsigned char *p = vstack_alloc(&o->l.st, n);
        if (!p) {
            o->damaged++;
            break;
        }
        tu_fill(p, n, (uint64_t)o->rounds);
        for (int k = 0; k < 4; k++)
            if (tu_check(p, n, (uint64_t)o->rounds) >= 0) {
                o->damaged++;
                break;
            }
        vstack_set_avma(&o->l.st, av);
        o->rounds++;
    }
    vstack_destroy(&o->l.st);
    return NULL;
}

static void other_threads_stack(void)
{
    static struct other o = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    pthread_t th;
    int nforks = tap_under_valgrind() ? 30 : 2000;

    if (pthread_create(&th, NULL, other_thread, &o) != 0)
        bail_out("pthread_create failed");
    wait_state(&o, 1);
    /* The other thread is quiet: its stack reaches the child as it is. */
    vs_os_fail_reset();
    if (tap_under_valgrind())
        skip(1, "another thread: reading popped memory is an error under memcheck");
    else
        tu_in_child(popped_kept_in_child, &o.l, "another thread's stack, quiet");
    is_int(vs_os_count(VS_OS_WIPE), 0, "another thread's stack is never marked");
    /* The other thread works while this one forks. */
    set_state(&o, 2);
    for (int i = 0; i < nforks; i++)
        tu_fork_wait(NULL, NULL, NULL);
    set_state(&o, 3);
    pthread_join(th, NULL);
    if (!ok(o.damaged == 0 && o.rounds > 0, "%d forks while another thread uses its stack: no damage (%ld rounds)",
            nforks, o.rounds))
        diag("  %ld rounds saw their data damaged", o.damaged);
}

/* ---- a fork from a signal handler ------------------------------------------ */

static struct layout sig_layout;
static volatile sig_atomic_t sig_forks, sig_bad;

static void fork_from_handler(int sig)
{
    (void)sig;
    int saved = errno, status;
    pid_t pid = fork();
    if (pid == 0)
        _exit(tu_check(sig_layout.live, 1 * MB, 41) < 0 ? 0 : 1);
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        sig_bad++;
    sig_forks++;
    errno = saved;
}

static atomic_int churn_stop;

/* Stacks come and go in the table while the main thread forks from its
 * signal handler. */
static void *churn(void *arg)
{
    sigset_t vt;
    (void)arg;
    sigemptyset(&vt);
    sigaddset(&vt, SIGVTALRM); /* the timer's signals go to the main thread */
    pthread_sigmask(SIG_BLOCK, &vt, NULL);
    while (!atomic_load(&churn_stop)) {
        vstack st;
        if (vstack_init(&st, 256 * KB, 4 * MB, 0) == VSTACK_OK) {
            if (vstack_alloc(&st, 1 * MB))
                vstack_pop_all(&st);
            vstack_destroy(&st);
        }
    }
    return NULL;
}

static void signal_handler_forks(void)
{
    struct sigaction sa;
    struct itimerval it = {{0, 2000}, {0, 2000}};
    pthread_t th;
    int want = tap_under_valgrind() ? 20 : 300;

    make_layout(&sig_layout, 0, 8 * MB, 41);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fork_from_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGVTALRM, &sa, NULL);
    /* Under valgrind, which runs one thread at a time, the churning thread
     * starves the signalled one: the table churn is tested natively. */
    int churning = !tap_under_valgrind();
    if (churning && pthread_create(&th, NULL, churn, NULL) != 0)
        bail_out("pthread_create failed");
    setitimer(ITIMER_VIRTUAL, &it, NULL); /* every 2 ms of CPU time */
    /* Meanwhile this thread keeps allocating, growing and resetting, so that
     * the handler interrupts the library at every point. */
    for (long r = 0; sig_forks < want; r++) {
        vstack_sp av = vstack_avma(&sig_layout.st);
        unsigned char *p = vstack_alloc(&sig_layout.st, (size_t)(r % 13 + 1) * 512 * KB);
        if (p)
            p[0] = 1;
        vstack_set_avma(&sig_layout.st, av);
        if (r % 5 == 0)
            vstack_reset(&sig_layout.st);
    }
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_VIRTUAL, &it, NULL);
    signal(SIGVTALRM, SIG_IGN); /* one may still be pending */
    atomic_store(&churn_stop, 1);
    if (churning)
        pthread_join(th, NULL);
    ok(sig_forks >= want, "%d forks from a signal handler%s: no deadlock", (int)sig_forks,
       churning ? " while stacks come and go" : "");
    is_int(sig_bad, 0, "every child saw the live data intact");
    ok(tu_check(sig_layout.live, 1 * MB, 41) < 0, "the parent's live data is intact");
    vstack_destroy(&sig_layout.st);
}

int main(void)
{
    tu_require_mmap();
    ps = tu_page_size();
    tu_require(tu_lacks_wipe_on_fork());
    /* A watchdog: a deadlock fails the test instead of hanging it. */
    alarm(tap_under_valgrind() ? 600 : 120);
    own_stack();
    idle_forks();
    fork_after_pop_all();
    switched_off(VSTACK_NOFORKWIPE, NULL, "VSTACK_NOFORKWIPE");
    switched_off(0, "0", "VSTACK_FORKWIPE=0");
    bad_environment();
    other_threads_stack();
    signal_handler_forks();
    return done_testing();
}
