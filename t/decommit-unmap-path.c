/* SPDX-License-Identifier: MIT */
/* decommit-unmap-path: the Cygwin decommit path (munmap, then mmap again at
 * the same address), chosen by VSTACK_DECOMMIT_UNMAP or VSTACK_DECOMMIT=unmap,
 * through a thousand grow/reset cycles: mappings stay bounded, live data
 * stays intact; the flag beats the environment. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/time.h>
#ifdef VS_OS_UNIX
#include <sys/mman.h>
#endif

#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

/* A timer signal that arrives while the reservation has a hole would see
 * mincore fail with ENOMEM: the library blocks signals across the window.
 * (mincore rather than msync: memcheck would flag msync on PROT_NONE.) */
static unsigned char core_vec[(64 << 20) / 4096 + 1];
static void *volatile watch_lo;
static volatile size_t watch_len;
static volatile sig_atomic_t n_signals, n_holes;

static void on_alarm(int sig)
{
    int saved = errno;
    (void)sig;
    n_signals++;
#ifdef VS_OS_UNIX
    if (watch_len && mincore(watch_lo, watch_len, core_vec) != 0 && errno == ENOMEM)
        n_holes++;
#endif
    errno = saved;
}

static void signals_blocked(void)
{
    vstack st;
    struct sigaction sa;
    struct itimerval it;
    const int ncycles = tap_under_valgrind() ? 300 : 3000;
    int failures = 0;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (vstack_init(&st, 256 * KB, 64 * MB, VSTACK_DECOMMIT_UNMAP) != VSTACK_OK)
        bail_out("vstack_init failed");
    watch_lo = (void *)tu_vbot(&st);
    watch_len = vstack_top(&st) - tu_vbot(&st);
    if (watch_len / tu_page_size() >= sizeof core_vec)
        bail_out("the reservation is larger than the mincore vector");
    sigaction(SIGALRM, &sa, NULL);
    memset(&it, 0, sizeof it);
    it.it_interval.tv_usec = it.it_value.tv_usec = 50;
    setitimer(ITIMER_REAL, &it, NULL);
    for (int i = 0; i < ncycles; i++) {
        unsigned char *p = vstack_alloc(&st, 1 * MB);
        if (!p) {
            failures++;
            break;
        }
        p[0] = p[MB - 1] = 1;
        vstack_pop_all(&st);
        if (vstack_reset(&st) != VSTACK_OK)
            failures++;
    }
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    signal(SIGALRM, SIG_IGN);
    watch_len = 0;
    is_int(failures, 0, "signals: %d grow/reset cycles under a 50 us timer", ncycles);
    ok(n_signals > 0, "signals: the timer fired (%d times)", (int)n_signals);
    if (!ok_or_skip(tu_lacks_mincore_of_prot_none(), n_holes == 0,
                    "signals: no handler ever saw a hole in the reservation"))
        diag("  %d handlers ran while part of the reservation was unmapped", (int)n_holes);
    vstack_destroy(&st);
}

#if defined(VS_OS_UNIX) && HAVE_DECL_MAP_FIXED_NOREPLACE
/* Another thread tries to map a page inside the range the stack gives back,
 * and wins if it lands in the window between munmap and the new mapping.
 * The library must then fail the decommit, not map over that page. */
struct intruder {
    void *target;
    atomic_int stop;      /* set by the main thread */
    _Atomic(void *) got;  /* set by the intruder, read by the main thread as it runs */
    long tries;           /* read after the join */
};

static void *intrude(void *arg)
{
    struct intruder *in = arg;
    while (!atomic_load(&in->stop)) {
        void *p = mmap(in->target, 4096, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        in->tries++;
        if (p == in->target) {
            memset(p, 0x7e, 4096);
            atomic_store(&in->got, p);
            break;
        }
        if (p != MAP_FAILED)
            munmap(p, 4096); /* an old kernel took it as a hint */
    }
    return NULL;
}

static void no_clobber(void)
{
    vstack st;
    struct intruder in;
    pthread_t th;
    void *got;
    const int ncycles = tap_under_valgrind() ? 300 : 20000;
    int cycles = 0, rc = VSTACK_OK;

    if (vstack_init(&st, 256 * KB, 64 * MB, VSTACK_DECOMMIT_UNMAP) != VSTACK_OK)
        bail_out("vstack_init failed");
    in.tries = 0;
    atomic_init(&in.stop, 0);
    atomic_init(&in.got, NULL);
    /* The page just below what reset keeps: unmapped in every cycle. */
    in.target = (void *)(vstack_top(&st) - 256 * KB - 4096);
    if (pthread_create(&th, NULL, intrude, &in) != 0)
        bail_out("pthread_create failed");
    while (cycles < ncycles && !atomic_load(&in.got)) {
        unsigned char *p = vstack_alloc(&st, 512 * KB);
        if (!p)
            break;
        p[0] = 1;
        vstack_pop_all(&st);
        rc = vstack_reset(&st);
        cycles++;
        if (rc != VSTACK_OK)
            break;
    }
    atomic_store(&in.stop, 1);
    pthread_join(th, NULL);
    got = atomic_load(&in.got);
    if (!got) {
        skip(1, "the other thread never landed in the window (%d cycles, %ld tries)", cycles,
             in.tries);
    } else {
        struct tu_smaps sm;
        /* Give the library the chance to report, if it did not yet. */
        if (rc == VSTACK_OK) {
            unsigned char *p = vstack_alloc(&st, 512 * KB);
            if (p) {
                vstack_pop_all(&st);
                rc = vstack_reset(&st);
            }
        }
        /* The contents are read only where smaps shows the page mapped. */
        const char *why = tu_have_proc() ? NULL : tu_proc_why();
        tu_smaps_range((uintptr_t)got, (uintptr_t)got + 4096, &sm);
        if (!ok_or_skip(why, sm.rw_maps == 1, "no clobbering: the other thread's page is still read/write"))
            diag("  %ld mappings, %ld PROT_NONE", sm.nmaps, sm.none_maps);
        ok_or_skip(why, sm.rw_maps == 1 && ((unsigned char *)got)[0] == 0x7e &&
                        ((unsigned char *)got)[4095] == 0x7e,
                   "no clobbering: its contents are intact");
        if (!ok(rc != VSTACK_OK, "no clobbering: the failed map-again was reported (%d)", rc))
            diag("  after %d cycles", cycles);
        ok(tu_vbot(&st) > (vstack_sp)got || vstack_top(&st) <= (vstack_sp)got,
           "no clobbering: the stack no longer claims that page");
        munmap(got, 4096);
    }
    vstack_destroy(&st);
}
#else
static void no_clobber(void)
{
    skip(1, "no MAP_FIXED_NOREPLACE here");
}
#endif

int main(void)
{
    tu_require_mmap();
    tu_env("VSTACK_DECOMMIT", NULL);
    tu_decommit_cycles("flag VSTACK_DECOMMIT_UNMAP", VSTACK_DECOMMIT_UNMAP, NULL, 1, 1000);
    tu_decommit_cycles("VSTACK_DECOMMIT=unmap", 0, "unmap", 1, 1000);
    tu_decommit_cycles("flag UNMAP beats VSTACK_DECOMMIT=remap", VSTACK_DECOMMIT_UNMAP, "remap", 1, 200);
    tu_decommit_bogus_env();
    signals_blocked();
    no_clobber();
    return done_testing();
}
