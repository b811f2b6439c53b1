/* SPDX-License-Identifier: MIT */
/* bound-stack-fork-wipe: fork-wipe on a stack whose pointer is the
 * embedder's variable (vstack_bind_avma).  The library cannot see what the
 * embedder touched, so a fork marks all of [bot, avma) when it is at least
 * VS_BOUND_WIPE_MIN: the child reads zero there, every live byte is intact,
 * and the parent's memory is unchanged.  A smaller free part is copied
 * with no call at all.  A variable outside the stack (the embedder on
 * another stack for now) marks nothing: a clamp would wipe live data.  A
 * reset keeps no lasting mark, since the embedder writes below the old
 * avma without a call, and binding clears the mark an earlier reset kept.
 * A mark a fork could not clear is cleared by the next fork before the
 * embedder's new data can be lost.  Forks from a signal handler, while the
 * embedder allocates, never deadlock and never lose live data.  A thread
 * that forks marks its own bound stack, never another thread's. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vstack.h>

#include "internal.h"
#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

static size_t ps;
static vstack_sp g_avma;

/* The embedder's own allocation, as PARI's inline new_chunk. */
static unsigned char *emb_alloc(vstack *st, vstack_sp *avma, size_t n)
{
    if (*avma - n < tu_bot(st) && vstack_grow(st, vstack_top(st) - (*avma - n)) != VSTACK_OK)
        bail_out("vstack_grow: %s", vstack_last_error(st));
    *avma -= n;
    return (unsigned char *)*avma;
}

/* A bound stack with 256 KiB of live data (pattern seed) at the top and
 * ndead bytes of 0xee below it, popped by a store into the variable. */
struct bound {
    vstack st;
    vstack_sp *avma;
    unsigned char *live, *dead;
    size_t ndead;
    uint64_t seed;
};

static void make_bound(struct bound *b, vstack_sp *avma, size_t rsize, size_t ndead, uint64_t seed)
{
    if (vstack_init(&b->st, rsize, 256 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init: %s", vstack_last_error(&b->st));
    *avma = vstack_top(&b->st);
    if (vstack_bind_avma(&b->st, avma) != VSTACK_OK)
        bail_out("vstack_bind_avma: %s", vstack_last_error(&b->st));
    b->avma = avma;
    b->seed = seed;
    b->ndead = ndead;
    b->live = emb_alloc(&b->st, avma, 256 * KB);
    tu_fill(b->live, 256 * KB, seed);
    b->dead = emb_alloc(&b->st, avma, ndead);
    memset(b->dead, 0xee, ndead);
    *avma = (vstack_sp)b->live;
}

/* Pages of the dead part that read as zero, and as 0xee. */
static void count_dead(const struct bound *b, size_t *zero, size_t *kept)
{
    *zero = *kept = 0;
    for (size_t off = 0; off + ps <= b->ndead; off += ps) {
        *zero += b->dead[off] == 0 && b->dead[off + ps - 1] == 0;
        *kept += b->dead[off] == 0xee && b->dead[off + ps - 1] == 0xee;
    }
}

static int live_intact(const struct bound *b) { return tu_check(b->live, 256 * KB, b->seed) < 0; }

/* Bytes of [lo, hi) marked wipe-on-fork, from smaps; -1 where it cannot
 * be read (then the check is skipped with tu_proc_why's reason). */
static long long wf_bytes(uintptr_t lo, uintptr_t hi)
{
    struct tu_smaps sm;
    return tu_smaps_range(lo, hi, &sm) == 0 ? (long long)sm.wf_bytes : -1;
}

/* Fork; the child reports through fn; returns how many wipe calls this
 * process made around the fork. */
static unsigned long fork_checked(void (*fn)(int, void *), void *arg, const char *what)
{
    unsigned long before = vs_os_count(VS_OS_WIPE);
    tu_in_child(fn, arg, what);
    return vs_os_count(VS_OS_WIPE) - before;
}

static void child_wiped(int fd, void *arg)
{
    struct bound *b = arg;
    size_t zero, kept;
    count_dead(b, &zero, &kept);
    tu_child_ok(fd, zero == b->ndead / ps, "the free part reads as zero (%zu of %zu pages)", zero, b->ndead / ps);
    tu_child_ok(fd, live_intact(b), "the live data is intact");
}

static void child_copied(int fd, void *arg)
{
    struct bound *b = arg;
    size_t zero, kept;
    count_dead(b, &zero, &kept);
    tu_child_ok(fd, kept == b->ndead / ps, "the free part is copied as it is (%zu of %zu pages)", kept,
                b->ndead / ps);
    tu_child_ok(fd, live_intact(b), "the live data is intact");
}

static void large_free_part_is_wiped(void)
{
    struct bound b;
    size_t zero, kept;
    make_bound(&b, &g_avma, 1 * MB, 32 * MB, 1);
    unsigned long calls = fork_checked(child_wiped, &b, "32 MiB free, bound");
    ok(calls == 2, "the parent marks and unmarks once (%lu calls)", calls);
    count_dead(&b, &zero, &kept);
    ok(kept == b.ndead / ps && live_intact(&b), "the parent's memory is unchanged, popped data included");
    vstack_destroy(&b.st);
}

static void small_free_part_is_copied(void)
{
    struct bound b;
    make_bound(&b, &g_avma, 1 * MB, VS_BOUND_WIPE_MIN / 2, 2);
    unsigned long calls = fork_checked(child_copied, &b, "a free part below the threshold");
    is_int(calls, 0, "a free part of %zu bytes, below %zu: no call at fork", b.ndead, VS_BOUND_WIPE_MIN);
    vstack_destroy(&b.st);
}

/* The variable points into another stack, above this one or below: this
 * one's live data must reach the child whole, and nothing is marked. */
static void outside_marks_nothing(void)
{
    struct bound a, other;
    vstack_sp other_avma;
    make_bound(&a, &g_avma, 1 * MB, 32 * MB, 3);
    make_bound(&other, &other_avma, 1 * MB, 1 * MB, 4);
    vstack_sp saved = g_avma;
    g_avma = other_avma - 64; /* the embedder works on the other stack for now */
    unsigned long calls = fork_checked(child_copied, &a, "the variable in another stack");
    is_int(calls, 0, "a variable outside the stack: no mark");
    g_avma = 0;
    calls = fork_checked(child_copied, &a, "the variable at 0");
    is_int(calls, 0, "a variable at 0: no mark");
    g_avma = saved;
    calls = fork_checked(child_wiped, &a, "back on the stack");
    ok(calls == 2, "back on the stack: marked again (%lu calls)", calls);
    vstack_destroy(&other.st);
    vstack_destroy(&a.st);
}

/* After a reset, the embedder writes below the old avma with no call; a
 * kept mark there would give the child zeros for that live data. */
static struct bound *reset_b;
static unsigned char *reset_new;

static void child_sees_new(int fd, void *arg)
{
    (void)arg;
    tu_child_ok(fd, tu_check(reset_new, 4 * MB, 77) < 0, "data written after the reset without a call is intact");
    tu_child_ok(fd, live_intact(reset_b), "the older live data is intact");
}

static void reset_keeps_no_mark(void)
{
    struct bound b;
    make_bound(&b, &g_avma, 16 * MB, 32 * MB, 5);
    is_int(vstack_reset(&b.st), VSTACK_OK, "vstack_reset");
    long long wf = wf_bytes(tu_bot(&b.st), vstack_top(&b.st));
    is_int_or_skip(wf < 0 ? tu_proc_why() : NULL, wf, 0, "a bound stack keeps no mark after a reset");
    reset_b = &b;
    reset_new = emb_alloc(&b.st, &g_avma, 4 * MB);
    tu_fill(reset_new, 4 * MB, 77);
    fork_checked(child_sees_new, NULL, "after a reset");
    vstack_destroy(&b.st);

    /* An unbound stack keeps its mark after a reset; binding clears it. */
    vstack st;
    if (vstack_init(&st, 16 * MB, 64 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init");
    vstack_sp av = vstack_avma(&st);
    unsigned char *w = vstack_alloc(&st, 8 * MB);
    if (!w)
        bail_out("alloc");
    memset(w, 1, 8 * MB);
    vstack_set_avma(&st, av);
    vstack_reset(&st);
    wf = wf_bytes(tu_bot(&st), vstack_top(&st));
    ok_or_skip(wf < 0 ? tu_proc_why() : NULL, wf > 0, "an unbound stack keeps its mark after a reset (%lld bytes)", wf);
    g_avma = vstack_avma(&st);
    is_int(vstack_bind_avma(&st, &g_avma), VSTACK_OK, "bind it");
    wf = wf_bytes(tu_bot(&st), vstack_top(&st));
    is_int_or_skip(wf < 0 ? tu_proc_why() : NULL, wf, 0, "binding cleared the kept mark");
    vstack_destroy(&st);
}

/* The unmark after a fork fails; the embedder then writes where the mark
 * was, with no call.  The next fork clears the old mark first. */
static void stuck_mark_is_cleared_by_the_next_fork(void)
{
    struct bound b;
    make_bound(&b, &g_avma, 1 * MB, 32 * MB, 6);
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_WIPE, 2, EIO); /* the parent's unmark */
    fork_checked(child_wiped, &b, "the unmark fails");
    vs_os_fail_reset();
    reset_b = &b;
    reset_new = emb_alloc(&b.st, &g_avma, 4 * MB);
    tu_fill(reset_new, 4 * MB, 77);
    fork_checked(child_sees_new, NULL, "the next fork, after the embedder wrote where the mark was");
    long long wf = wf_bytes(tu_bot(&b.st), vstack_top(&b.st));
    is_int_or_skip(wf < 0 ? tu_proc_why() : NULL, wf, 0, "no mark is left after that fork");
    vstack_destroy(&b.st);
}

/* The binding survives a new parisize: the next fork marks again. */
static void binding_survives_set_size(void)
{
    struct bound b;
    make_bound(&b, &g_avma, 1 * MB, 1 * MB, 8);
    if (vstack_set_size(&b.st, 2 * MB) != VSTACK_OK)
        bail_out("vstack_set_size: %s", vstack_last_error(&b.st));
    b.live = emb_alloc(&b.st, &g_avma, 256 * KB);
    tu_fill(b.live, 256 * KB, b.seed);
    b.dead = emb_alloc(&b.st, &g_avma, b.ndead = 16 * MB);
    memset(b.dead, 0xee, b.ndead);
    g_avma = (vstack_sp)b.live;
    unsigned long calls = fork_checked(child_wiped, &b, "after vstack_set_size");
    ok(calls == 2, "after vstack_set_size the bound stack is marked (%lu calls)", calls);
    vstack_destroy(&b.st);
}

/* ---- forks from a signal handler --------------------------------------------- */

static struct bound sig_b;
static volatile sig_atomic_t sig_forks, sig_bad;

static void fork_from_handler(int sig)
{
    int saved = errno, status;
    (void)sig;
    pid_t pid = fork();
    if (pid == 0)
        _exit(live_intact(&sig_b) ? 0 : 1);
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        sig_bad++;
    sig_forks++;
    errno = saved;
}

static void signal_handler_forks(void)
{
    struct sigaction sa;
    struct itimerval it = {{0, 2000}, {0, 2000}};
    int want = tap_under_valgrind() ? 20 : 200;

    make_bound(&sig_b, &g_avma, 1 * MB, 16 * MB, 9);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fork_from_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGVTALRM, &sa, NULL);
    setitimer(ITIMER_VIRTUAL, &it, NULL);
    /* The embedder pushes, writes and pops by itself, grows through the
     * library and resets, so that the handler lands everywhere. */
    for (long r = 0; sig_forks < want; r++) {
        vstack_sp av = g_avma;
        size_t n = (size_t)(r % 13 + 1) * 1536 * KB;
        unsigned char *p = emb_alloc(&sig_b.st, &g_avma, n);
        memset(p, (int)r, 4096);
        g_avma = av;
        if (r % 7 == 0)
            vstack_reset(&sig_b.st);
    }
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_VIRTUAL, &it, NULL);
    signal(SIGVTALRM, SIG_IGN);
    ok(sig_forks >= want, "%d forks from a signal handler while the embedder allocates: no deadlock",
       (int)sig_forks);
    is_int(sig_bad, 0, "every child saw the live data intact");
    ok(live_intact(&sig_b), "the parent's live data is intact");
    vstack_destroy(&sig_b.st);
}

/* ---- two threads, each with a thread-local variable -------------------------- */

static _Thread_local vstack_sp t_avma;
static struct bound th_b[2];
static pthread_barrier_t ready, done;

static void *other_thread(void *arg)
{
    (void)arg;
    make_bound(&th_b[1], &t_avma, 1 * MB, 16 * MB, 11);
    pthread_barrier_wait(&ready);
    pthread_barrier_wait(&done); /* the variable lives until the fork is over */
    vstack_destroy(&th_b[1].st);
    return NULL;
}

static void child_two_threads(int fd, void *arg)
{
    size_t zero, kept;
    (void)arg;
    count_dead(&th_b[0], &zero, &kept);
    tu_child_ok(fd, zero == th_b[0].ndead / ps, "the forking thread's bound stack: free part zero");
    count_dead(&th_b[1], &zero, &kept);
    tu_child_ok(fd, kept == th_b[1].ndead / ps, "the other thread's bound stack is not marked (%zu of %zu kept)",
                kept, th_b[1].ndead / ps);
    tu_child_ok(fd, live_intact(&th_b[0]) && live_intact(&th_b[1]), "both stacks' live data is intact");
}

static void threads_mark_their_own(void)
{
    pthread_t th;
    pthread_barrier_init(&ready, NULL, 2);
    pthread_barrier_init(&done, NULL, 2);
    make_bound(&th_b[0], &t_avma, 1 * MB, 16 * MB, 10);
    if (pthread_create(&th, NULL, other_thread, NULL) != 0)
        bail_out("pthread_create");
    pthread_barrier_wait(&ready);
    fork_checked(child_two_threads, NULL, "two threads' bound stacks");
    pthread_barrier_wait(&done);
    pthread_join(th, NULL);
    vstack_destroy(&th_b[0].st);
    pthread_barrier_destroy(&ready);
    pthread_barrier_destroy(&done);
}

int main(void)
{
    tu_require_mmap();
    ps = tu_page_size();
    tu_require(tu_lacks_wipe_on_fork());
    alarm(tap_under_valgrind() ? 600 : 120);
    large_free_part_is_wiped();
    small_free_part_is_copied();
    outside_marks_nothing();
    reset_keeps_no_mark();
    stuck_mark_is_cleared_by_the_next_fork();
    binding_survives_set_size();
    signal_handler_forks();
    threads_mark_their_own();
    return done_testing();
}
