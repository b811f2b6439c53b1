/* decommit-unmap-path: the Cygwin decommit path (munmap, then mmap again at
 * the same address), chosen by VSTACK_DECOMMIT_UNMAP or VSTACK_DECOMMIT=unmap,
 * through a thousand grow/reset cycles: mappings stay bounded, live data
 * stays intact; the flag beats the environment. */
#include "config.h"

#include <signal.h>
#include <sys/time.h>
#ifdef VS_HAVE_MMAP
#include <sys/mman.h>
#endif

#include "decommit-cycles.h"

/* A timer signal that arrives while the reservation has a hole would see
 * msync fail with ENOMEM: the library blocks signals across the window. */
static void *volatile watch_lo;
static volatile size_t watch_len;
static volatile sig_atomic_t n_signals, n_holes;

static void on_alarm(int sig)
{
    int saved = errno;
    (void)sig;
    n_signals++;
#ifdef VS_HAVE_MMAP
    if (watch_len && msync(watch_lo, watch_len, MS_ASYNC) != 0 && errno == ENOMEM)
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
    if (vstack_init(&st, 256 * DC_KB, 64 * DC_MB, VSTACK_DECOMMIT_UNMAP) != VSTACK_OK)
        bail_out("vstack_init failed");
    watch_lo = (void *)st.vbot;
    watch_len = st.top - st.vbot;
    sigaction(SIGALRM, &sa, NULL);
    memset(&it, 0, sizeof it);
    it.it_interval.tv_usec = it.it_value.tv_usec = 50;
    setitimer(ITIMER_REAL, &it, NULL);
    for (int i = 0; i < ncycles; i++) {
        unsigned char *p = vstack_alloc(&st, 1 * DC_MB);
        if (!p) {
            failures++;
            break;
        }
        p[0] = p[DC_MB - 1] = 1;
        vstack_set_avma(&st, st.top);
        if (vstack_reset(&st) != VSTACK_OK)
            failures++;
    }
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    signal(SIGALRM, SIG_IGN);
    watch_len = 0;
    is_int(failures, 0, "signals: %d grow/reset cycles under a 50 us timer", ncycles);
    ok(n_signals > 0, "signals: the timer fired (%d times)", (int)n_signals);
    if (!ok(n_holes == 0, "signals: no handler ever saw a hole in the reservation"))
        diag("  %d handlers ran while part of the reservation was unmapped", (int)n_holes);
    vstack_destroy(&st);
}

int main(void)
{
    tu_require_mmap();
    plan(3 * DC_LINES + DC_BOGUS_LINES + 3);
    dc_env(NULL);
    dc_cycles("flag VSTACK_DECOMMIT_UNMAP", VSTACK_DECOMMIT_UNMAP, NULL, 1, 1000);
    dc_cycles("VSTACK_DECOMMIT=unmap", 0, "unmap", 1, 1000);
    dc_cycles("flag UNMAP beats VSTACK_DECOMMIT=remap", VSTACK_DECOMMIT_UNMAP, "remap", 1, 200);
    dc_bogus_env();
    signals_blocked();
    return done_testing();
}
