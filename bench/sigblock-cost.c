/* SPDX-License-Identifier: MIT */
/* sigblock-cost: what a grow/reset cycle of a stack costs, in nanoseconds,
 * for each decommit path, with the memory untouched and with one page
 * written per cycle; and what one pthread_sigmask block/restore pair costs.
 * Built twice (make sigblock-cost): with the library's signal blocking, and
 * with stand-ins that block nothing (bench/nosigblock.c).  Prints medians of
 * 7 runs; nothing here is a test. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <vstack.h>

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)
#define RUNS 7
#define CYCLES 20000

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v)
{
    qsort(v, RUNS, sizeof *v, cmp);
    return v[RUNS / 2];
}

/* One cycle: grow by allocating 1 MiB beyond parisize (touching one page
 * when touch != 0), pop, reset. */
static double cycle_ns(unsigned flags, int touch)
{
    double v[RUNS];
    vstack st;
    if (vstack_init(&st, 256 * KB, 64 * MB, flags | VSTACK_NOHUGEPAGES | VSTACK_NOFORKWIPE) != VSTACK_OK) {
        fprintf(stderr, "sigblock-cost: vstack_init failed: %s\n", vstack_last_error(&st));
        exit(1);
    }
    for (int r = 0; r < RUNS; r++) {
        double t0 = now_ns();
        for (int i = 0; i < CYCLES; i++) {
            unsigned char *p = vstack_alloc(&st, 1 * MB);
            if (!p)
                exit(1);
            if (touch)
                p[0] = 1;
            vstack_pop_all(&st);
            vstack_reset(&st);
        }
        v[r] = (now_ns() - t0) / CYCLES;
    }
    vstack_destroy(&st);
    return median(v);
}

static double sigmask_pair_ns(void)
{
    double v[RUNS];
    sigset_t all, old;
    sigfillset(&all);
    for (int r = 0; r < RUNS; r++) {
        double t0 = now_ns();
        for (int i = 0; i < CYCLES; i++) {
            pthread_sigmask(SIG_BLOCK, &all, &old);
            pthread_sigmask(SIG_SETMASK, &old, NULL);
        }
        v[r] = (now_ns() - t0) / CYCLES;
    }
    return median(v);
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "this build";
    printf("%-9s remap, untouched: %7.0f ns/cycle   remap, one page written: %7.0f ns/cycle\n", what,
           cycle_ns(VSTACK_DECOMMIT_REMAP, 0), cycle_ns(VSTACK_DECOMMIT_REMAP, 1));
    printf("%-9s unmap, untouched: %7.0f ns/cycle   unmap, one page written: %7.0f ns/cycle\n", what,
           cycle_ns(VSTACK_DECOMMIT_UNMAP, 0), cycle_ns(VSTACK_DECOMMIT_UNMAP, 1));
    printf("%-9s one pthread_sigmask block/restore pair: %.0f ns\n", what, sigmask_pair_ns());
    return 0;
}
