/* SPDX-License-Identifier: MIT */
/* struct-gone-without-destroy: the fork hooks read every stack and pool
 * the forking thread owns.  A struct that went away without
 * vstack_destroy (freed, a local whose function returned, initialised a
 * second time) must not make a later fork crash: initialising a struct
 * that holds a live stack replaces its entry, with a warning that says the
 * old reservation is lost; an entry whose struct was overwritten is left
 * out of fork-wipe and dropped; under valgrind that misuse is reported on
 * stderr.  The same holds for pools.  A copy of a live struct is no stack
 * of its own: initialising it says nothing and leaves the original live.
 * (Reading memory that was unmapped cannot be made safe: the man pages say
 * a struct stays at its address until destroyed.) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

/* Fork; the child exits at once.  Returns whether both went well. */
static int forks_fine(void)
{
    int status;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0)
        _exit(0);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* A fork, in a child process of its own, so that a crash in fork's hooks
 * is a failed check, not a dead test. */
static void fork_survives(int fd, void *arg)
{
    (void)arg;
    tu_child_ok(fd, forks_fine(), "fork() works");
}

/* The example of the report, exactly: init twice, use, destroy once, free. */
static void init_twice_then_free(void)
{
    struct tu_logs logs;
    vstack *st = malloc(sizeof *st);
    if (!st)
        bail_out("malloc");
    tu_capture_defaults(&logs);
    is_int(vstack_init(st, 1 << 20, 1 << 30, 0), VSTACK_OK, "init");
    is_int(logs.warn.count, 0, "no warning the first time");
    is_int(vstack_init(st, 1 << 20, 1 << 30, 0), VSTACK_OK, "init again, without destroy");
    ok(logs.warn.count == 1 && strstr(logs.warn.last, "never destroyed") &&
           strstr(vstack_last_error(st), "never destroyed") && vstack_last_error_code(st) == VSTACK_EINVAL,
       "a warning says the struct held a stack never destroyed: %s", logs.warn.last);
    vstack_set_default_handlers(NULL, NULL, NULL);
    memset(vstack_alloc(st, 1 << 20), 1, 1 << 20);
    vstack_pop_all(st);
    vstack_destroy(st);
    free(st);
    tu_in_child(fork_survives, NULL, "init twice, destroy once, free");
    ok(forks_fine(), "and in this process too");
}

/* A local stack that is never destroyed, its frame then reused. */
static __attribute__((noinline)) void leave_a_local(void)
{
    vstack st;
    if (vstack_init(&st, 1 << 20, 1 << 30, 0) == VSTACK_OK) {
        unsigned char *p = vstack_alloc(&st, 1 << 20);
        memset(p, 2, 1 << 20);
        vstack_pop_all(&st);
    }
    __asm__ volatile("" : : "r"(&st) : "memory");
}

static __attribute__((noinline)) void reuse_the_frame(void)
{
    volatile unsigned char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 37 + 11);
}

static void dead_local(void)
{
    leave_a_local();
    reuse_the_frame();
    tu_in_child(fork_survives, NULL, "a local stack left behind, its frame reused");
    ok(forks_fine(), "and in this process too");
}

/* A pool, the same ways. */
static void pools(void)
{
    struct tu_logs logs;
    vstack_pool *p = malloc(sizeof *p);
    if (!p)
        bail_out("malloc");
    tu_capture_defaults(&logs);
    vstack_pool_init(p, 1 * MB, 64 * MB, 0);
    is_int(vstack_pool_init(p, 1 * MB, 64 * MB, 0), VSTACK_OK, "a pool initialised again");
    ok(strstr(vstack_pool_last_error(p), "never destroyed") && vstack_pool_last_error_code(p) == VSTACK_EINVAL,
       "says so: %s", vstack_pool_last_error(p));
    vstack_set_default_handlers(NULL, NULL, NULL);
    vstack_pool_resize(p, 8 * MB);
    vstack_pool_set_used(p, 1 * MB);
    vstack_pool_destroy(p);
    free(p);
    tu_in_child(fork_survives, NULL, "a pool initialised twice, destroyed once, freed");
}

/* A struct overwritten in place (as by a move, or a memset): the hook
 * leaves its entry out, drops it, and under valgrind says so. */
static void overwritten(void)
{
    vstack st, copy;
    char err[4096];
    if (vstack_init(&st, 1 * MB, 64 * MB, 0) != VSTACK_OK)
        bail_out("init");
    unsigned char *q = vstack_alloc(&st, 16 * MB);
    memset(q, 3, 16 * MB);
    vstack_pop_all(&st);
    memcpy(&copy, &st, sizeof st);
    memset(&st, 0x5a, sizeof st);
    unsigned long wipes = vs_os_count(VS_OS_WIPE);
    int captured = tu_stderr_begin() == 0;
    int fine = forks_fine();
    size_t n = captured ? tu_stderr_end(err, sizeof err) : 0;
    ok(fine, "a struct overwritten in place: fork() works");
    is_int(vs_os_count(VS_OS_WIPE) - wipes, 0, "its entry is left out: no mark");
    if (tap_under_valgrind())
        ok(n && strstr(err, "went away without vstack_destroy"), "under valgrind the misuse is reported: %s", err);
    else
        ok(n == 0, "not under valgrind: nothing is printed (%zu bytes)", n);
    wipes = vs_os_count(VS_OS_WIPE);
    forks_fine();
    is_int(vs_os_count(VS_OS_WIPE) - wipes, 0, "the entry was dropped: the next fork does not look at it");
    /* The copy's memory is the stack's: release it by hand, since the copy
     * is not a registered struct. */
    memcpy(&st, &copy, sizeof st);
    vstack_destroy(&st);
}

/* A struct assigned from a live one (a copy, as vstack b = a): the copy is
 * not a stack of its own, so initialising it is no misuse and says nothing,
 * and the original stays live and whole. */
static void copied_then_initialised(void)
{
    struct tu_logs logs;
    vstack a, b;
    tu_capture_defaults(&logs);
    if (vstack_init(&a, 1 * MB, 64 * MB, 0) != VSTACK_OK)
        bail_out("init");
    unsigned char *p = tu_alloc_filled(&a, 1 * MB, 5);
    memcpy(&b, &a, sizeof a);
    is_int(vstack_init(&b, 1 * MB, 64 * MB, 0), VSTACK_OK, "a struct copied from a live one, initialised");
    is_int(logs.warn.count, 0, "no warning: the copy held no stack of its own");
    vstack_set_default_handlers(NULL, NULL, NULL);
    ok(tu_check(p, 1 * MB, 5) < 0 && vstack_alloc(&a, 64 * KB) != NULL && vstack_alloc(&b, 64 * KB) != NULL,
       "the original is intact, and both stacks work");
    vstack_pop_all(&a);
    const char *nowipe = tu_lacks_wipe_on_fork(); /* its fork runs the hooks: before the count */
    unsigned long wipes = vs_os_count(VS_OS_WIPE);
    if (!nowipe)
        ok(forks_fine() && vs_os_count(VS_OS_WIPE) - wipes == 2, "a fork marks the original's free part, once");
    else /* a kernel that refuses the advice turns fork-wipe off after one call */
        ok(forks_fine(), "a fork works (%s: marks not counted)", nowipe);
    vstack_destroy(&b);
    vstack_destroy(&a);
}

int main(void)
{
    tu_require_mmap();
    if (!vs_os_config()->wipes_on_fork)
        skip_all("this system has no wipe-on-fork: fork does not read the stacks");
    alarm(120);
    /* Valgrind and AddressSanitizer report the reads of freed memory that
     * these cases make on purpose: they run natively only. */
    if (tap_under_valgrind() || tu_under_asan()) {
        skip(1, "reads freed memory on purpose: natively only");
    } else {
        init_twice_then_free();
        dead_local();
        pools();
    }
    overwritten();
    copied_then_initialised();
    return done_testing();
}
