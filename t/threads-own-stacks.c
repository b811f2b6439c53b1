/* SPDX-License-Identifier: MIT */
/* threads-own-stacks: several threads, each with its own stack, grow, write
 * a pattern of their own, check it, reset, and repeat; no stack sees
 * another's data and the reservations are disjoint. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <vstack.h>

#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)
#define NTHREADS 4
#define NROUNDS 20
#define NPIECES 24

struct worker {
    int id;
    size_t vsize;
    size_t piece_max; /* the largest allocation */
    vstack st;
    struct tu_logs logs;
    vstack_sp vbot, top;
    int init_rc;
    int failures;
    unsigned long grows, shrinks;
    char why[256];
};

static void *work(void *arg)
{
    struct worker *w = arg;
    w->init_rc = vstack_init(&w->st, 64 * KB, w->vsize, 0);
    if (w->init_rc != VSTACK_OK)
        return NULL;
    tu_capture_stack(&w->st, &w->logs);
    w->vbot = tu_vbot(&w->st);
    w->top = vstack_top(&w->st);
    for (int r = 0; r < NROUNDS && !w->failures; r++) {
        unsigned char *p[NPIECES];
        size_t n[NPIECES];
        /* A piece that stays across the reset, and temporaries above it. */
        unsigned char *keep = vstack_alloc(&w->st, 4096);
        vstack_sp av;
        if (!keep) {
            w->failures++;
            snprintf(w->why, sizeof w->why, "round %d: keep allocation failed", r);
            break;
        }
        tu_fill(keep, 4096, (uint64_t)w->id << 32 | (uint64_t)r << 16 | 0xffff);
        av = vstack_avma(&w->st);
        for (int i = 0; i < NPIECES; i++) {
            n[i] = 1 + ((size_t)(w->id * 7 + r * 13 + i * 31) * 4099) % w->piece_max;
            p[i] = vstack_alloc(&w->st, n[i]);
            if (!p[i]) {
                w->failures++;
                snprintf(w->why, sizeof w->why, "round %d piece %d: allocation failed", r, i);
                return NULL;
            }
            tu_fill(p[i], n[i], (uint64_t)w->id << 32 | (uint64_t)r << 16 | (uint64_t)i);
        }
        for (int i = 0; i < NPIECES; i++)
            if (tu_check(p[i], n[i], (uint64_t)w->id << 32 | (uint64_t)r << 16 | (uint64_t)i) >=
                0) {
                w->failures++;
                snprintf(w->why, sizeof w->why, "round %d piece %d: pattern damaged", r, i);
                return NULL;
            }
        vstack_set_avma(&w->st, av);
        if (vstack_reset(&w->st) != VSTACK_OK) {
            w->failures++;
            snprintf(w->why, sizeof w->why, "round %d: reset failed: %s", r,
                     vstack_last_error(&w->st));
            return NULL;
        }
        if (tu_check(keep, 4096, (uint64_t)w->id << 32 | (uint64_t)r << 16 | 0xffff) >= 0) {
            w->failures++;
            snprintf(w->why, sizeof w->why, "round %d: kept piece damaged by reset", r);
            return NULL;
        }
        vstack_pop_all(&w->st);
    }
    w->grows = tu_stats(&w->st).grows;
    w->shrinks = tu_stats(&w->st).shrinks;
    vstack_destroy(&w->st);
    return NULL;
}

int main(void)
{
    static struct worker ws[NTHREADS];
    pthread_t th[NTHREADS];
    int running[NTHREADS]; /* main's own record: a worker's fields are read after its join */
    int started = 0;

    tu_require_mmap();

    for (int i = 0; i < NTHREADS; i++) {
        ws[i].id = i + 1;
        ws[i].vsize = 64 * MB;
        /* Every byte is written and read back: keep it cheap under memcheck. */
        ws[i].piece_max = tap_under_valgrind() ? 128 * KB : 1 * MB;
        tu_logs_clear(&ws[i].logs);
        ws[i].init_rc = -1; /* stays -1 for a thread that never ran */
        running[i] = pthread_create(&th[i], NULL, work, &ws[i]) == 0;
        started += running[i];
    }
    is_int(started, NTHREADS, "%d threads started", NTHREADS);
    for (int i = 0; i < NTHREADS; i++)
        if (running[i])
            pthread_join(th[i], NULL);
    for (int i = 0; i < NTHREADS; i++) {
        struct worker *w = &ws[i];
        is_int(w->init_rc, VSTACK_OK, "thread %d: vstack_init", w->id);
        if (!ok(w->failures == 0, "thread %d: %d rounds of grow, check, reset", w->id, NROUNDS))
            diag("  %s", w->why);
        ok(w->grows >= 1 && w->shrinks >= NROUNDS,
           "thread %d: %lu grows, %lu shrinks", w->id, w->grows, w->shrinks);
        if (!ok(w->logs.err.count == 0, "thread %d: no error message", w->id))
            tu_logs_diag(&w->logs);
    }
    {
        int disjoint = 1;
        for (int i = 0; i < NTHREADS; i++)
            for (int j = 0; j < i; j++)
                if (ws[i].vbot < ws[j].top && ws[j].vbot < ws[i].top)
                    disjoint = 0;
        ok(disjoint, "the reservations of the threads are disjoint");
    }
    /* Thread stacks and malloc arenas add mappings of their own, so look at
     * the reservations' address ranges instead of the count. */
    if (tu_have_proc()) {
        long left = 0;
        for (int i = 0; i < NTHREADS; i++) {
            struct tu_smaps sm;
            if (ws[i].top > ws[i].vbot && tu_smaps_range(ws[i].vbot, ws[i].top, &sm) == 0)
                left += sm.nmaps;
        }
        is_int(left, 0, "every reservation was released (no mapping left in their ranges)");
    } else {
        skip(1, "%s", tu_proc_why());
    }
    return done_testing();
}
