/* SPDX-License-Identifier: MIT */
/* bound-avma-drives-the-stack: after vstack_bind_avma, the library reads
 * and writes the stack pointer in the embedder's variable, as PARI keeps
 * avma: vstack_alloc moves it, and stats, reset, trim and pop_all read it,
 * also after the embedder allocated by itself, without a call.  Binding
 * leaves the variable as it was.  A variable that points outside the stack
 * (the embedder on another stack for now) makes reset, trim and allocation
 * fail with VSTACK_EINVAL, changing nothing, and the stats count nothing in
 * use; vstack_grow still commits, and VSTACK_DEBUG's pop refuses (on the
 * stack it moves the variable).  The binding survives vstack_set_size, vstack_set_sizemax and
 * vstack_default, which set the variable to the new top.  Unbinding gives
 * the pointer back to the head.  Threads bind thread-local variables of
 * their own, each to its own stack. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <vstack.h>

#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

static vstack_sp g_avma; /* the embedder's stack pointer, as PARI's avma */
static struct tu_logs logs;

/* The embedder's own allocation, as PARI's inline new_chunk: grow through
 * the library when the committed part is too small, then move the
 * variable, with no call in the common case. */
static unsigned char *emb_alloc(vstack *st, vstack_sp *avma, size_t n)
{
    vstack_sp top = vstack_top(st);
    if (*avma - n < tu_bot(st) && vstack_grow(st, top - (*avma - n)) != VSTACK_OK)
        return NULL;
    *avma -= n;
    return (unsigned char *)*avma;
}

static size_t used(const vstack *st) { return tu_stats(st).used; }

static void binding_reads_the_variable(void)
{
    vstack st;
    if (vstack_init(&st, 1 * MB, 64 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init: %s", vstack_last_error(&st));
    tu_capture_stack(&st, &logs);
    vstack_sp top = vstack_top(&st);

    g_avma = 12345;
    is_int(vstack_bind_avma(&st, &g_avma), VSTACK_OK, "bind to a global variable");
    is_int(g_avma, 12345, "binding leaves the variable as it was");
    g_avma = top;

    unsigned char *live = emb_alloc(&st, &g_avma, 256 * KB);
    ok(live != NULL, "the embedder allocates by itself, growing through vstack_grow");
    if (!live)
        bail_out("no live data");
    tu_fill(live, 256 * KB, 1);
    is_int(used(&st), 256 * KB, "the stats read the variable: 256 KiB in use");

    vstack_sp before = g_avma;
    unsigned char *p = vstack_alloc(&st, 4000);
    ok(p != NULL && (vstack_sp)p == ((before - 4000) & ~(vstack_sp)15) && g_avma == (vstack_sp)p,
       "vstack_alloc moves the variable");
    unsigned char *big = vstack_alloc(&st, 8 * MB);
    ok(big != NULL && g_avma == (vstack_sp)big && tu_stats(&st).committed >= 8 * MB + 256 * KB,
       "and grows the stack when it must");
    if (big)
        memset(big, 0xee, 8 * MB);
    ok(tu_stats(&st).high_water >= 8 * MB + 256 * KB, "high_water counts what the library saw (%zu)",
       tu_stats(&st).high_water);

    /* The embedder pops by a store; the library sees it at its next call. */
    g_avma = before;
    is_int(used(&st), 256 * KB, "a pop by the embedder shows in the stats");
    is_int(vstack_reset(&st), VSTACK_OK, "vstack_reset");
    is_int(tu_stats(&st).committed, 1 * MB, "it gives back all but parisize");
    ok(g_avma == before && tu_check(live, 256 * KB, 1) < 0, "the variable and the live data are kept");

    /* A reset keeps what the variable says is in use. */
    unsigned char *work = emb_alloc(&st, &g_avma, 20 * MB);
    if (!work)
        bail_out("emb_alloc 20 MiB");
    memset(work, 0xcc, 20 * MB);
    vstack_reset(&st);
    ok(tu_stats(&st).committed >= 20 * MB + 256 * KB && work[0] == 0xcc && work[20 * MB - 1] == 0xcc,
       "a reset keeps what the embedder holds (%zu committed)", tu_stats(&st).committed);
    g_avma = before;

    /* Trim drops what is below the variable. */
    vstack_grow(&st, 4 * MB);
    unsigned char *free_part = (unsigned char *)(before - 2 * MB);
    memset(free_part, 0xee, 2 * MB);
    is_int(vstack_trim(&st), VSTACK_OK, "vstack_trim");
    ok(free_part[0] == 0 && free_part[2 * MB - 1] == 0, "the free part below the variable reads as zero");
    ok(tu_check(live, 256 * KB, 1) < 0, "the live data above it is intact");

    /* The embedder on another stack for now. */
    char elsewhere[64];
    size_t committed = tu_stats(&st).committed;
    int errs = logs.err.count;
    g_avma = (vstack_sp)elsewhere;
    is_int(used(&st), 0, "a variable outside the stack: nothing in use for the stats");
    is_int(vstack_reset(&st), VSTACK_EINVAL, "reset refuses with VSTACK_EINVAL");
    ok(strstr(vstack_last_error(&st), "outside the stack") != NULL, "and says why: %s", vstack_last_error(&st));
    is_int(vstack_trim(&st), VSTACK_EINVAL, "trim too");
    ok(vstack_alloc(&st, 64) == NULL && logs.err.count == errs + 1 && logs.err.last_err == VSTACK_EINVAL,
       "an allocation fails through the error handler with VSTACK_EINVAL");
    ok(g_avma == (vstack_sp)elsewhere && tu_stats(&st).committed == committed,
       "nothing changed: the variable, the committed size");
    /* vstack_grow only commits: it works from another stack too, and
     * counts nothing in use. */
    size_t hw = tu_stats(&st).high_water;
    is_int(vstack_grow(&st, committed + 4 * MB), VSTACK_OK, "vstack_grow works with the variable outside the stack");
    ok(tu_stats(&st).committed >= committed + 4 * MB && tu_stats(&st).high_water == hw,
       "it commits, and the high water mark is unchanged");
    committed = tu_stats(&st).committed;
    /* VSTACK_DEBUG's pop checks the variable: outside the stack (here below
     * it, so that the top is above it), no pop is valid. */
    errs = logs.err.count;
    vstack_sp below = tu_vbot(&st) - 4096;
    g_avma = below;
    vstack_set_avma_debug(&st, top);
    ok(logs.err.count == errs + 1 && logs.err.last_err == VSTACK_EINVAL && g_avma == below,
       "vstack_set_avma_debug refuses with VSTACK_EINVAL, the variable unchanged");
    g_avma = before;
    vstack_set_avma_debug(&st, before + 64 * KB);
    ok(logs.err.count == errs + 1 && g_avma == before + 64 * KB,
       "on the stack, vstack_set_avma_debug pops by moving the variable");
    vstack_set_avma_debug(&st, before);
    ok(logs.err.count == errs + 2 && g_avma == before + 64 * KB, "and refuses to push it back down");
    g_avma = before;
    ok(tu_check(live, 256 * KB, 1) < 0 && used(&st) == 256 * KB, "back on the stack: data and use as before");

    vstack_pop_all(&st);
    ok(g_avma == top, "vstack_pop_all sets the variable to the top");
    vstack_destroy(&st);
}

/* set_size, set_sizemax and default() discard the contents: the variable
 * goes to the new top, and stays bound. */
static void binding_survives_rebuilds(void)
{
    vstack st;
    if (vstack_init(&st, 1 * MB, 16 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init: %s", vstack_last_error(&st));
    tu_capture_stack(&st, &logs);
    g_avma = vstack_top(&st);
    vstack_bind_avma(&st, &g_avma);
    const char *how[] = {"vstack_set_size", "vstack_set_sizemax", "vstack_default(parisizemax)"};
    for (int i = 0; i < 3; i++) {
        if (!emb_alloc(&st, &g_avma, 512 * KB))
            bail_out("emb_alloc");
        int rc = i == 0   ? vstack_set_size(&st, 2 * MB)
                 : i == 1 ? vstack_set_sizemax(&st, 32 * MB)
                          : vstack_default(&st, "parisizemax", "48MiB");
        is_int(rc, VSTACK_OK, "%s", how[i]);
        ok(g_avma == vstack_top(&st) && used(&st) == 0, "%s: the variable is the new top", how[i]);
        unsigned char *p = vstack_alloc(&st, 3 * MB);
        ok(p != NULL && g_avma == (vstack_sp)p, "%s: vstack_alloc still moves the variable", how[i]);
        g_avma = vstack_top(&st);
    }
    vstack_destroy(&st);
}

/* NULL unbinds: the head takes the variable's value (or the top, when the
 * variable is elsewhere), and the variable is left alone from then on. */
static void unbinding(void)
{
    vstack st;
    vstack_sp other;
    if (vstack_init(&st, 1 * MB, 16 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init: %s", vstack_last_error(&st));
    tu_capture_stack(&st, &logs);
    g_avma = vstack_top(&st);
    vstack_bind_avma(&st, &g_avma);
    unsigned char *live = emb_alloc(&st, &g_avma, 100 * KB);
    if (!live)
        bail_out("emb_alloc");
    tu_fill(live, 100 * KB, 7);
    vstack_sp at = g_avma;
    is_int(vstack_bind_avma(&st, NULL), VSTACK_OK, "unbind");
    ok(vstack_avma(&st) == at, "the head takes the variable's value");
    unsigned char *p = vstack_alloc(&st, 64 * KB);
    ok(p != NULL && vstack_avma(&st) == (vstack_sp)p && g_avma == at,
       "allocations move the head, not the variable");
    ok(tu_check(live, 100 * KB, 7) < 0 && used(&st) == 164 * KB, "data and use carried over");
    is_int(vstack_bind_avma(&st, NULL), VSTACK_OK, "unbinding an unbound stack changes nothing");
    ok(vstack_avma(&st) == (vstack_sp)p, "the head stays");

    other = vstack_avma(&st);
    is_int(vstack_bind_avma(&st, &other), VSTACK_OK, "bind another variable");
    ok(vstack_alloc(&st, 16) != NULL && other < (vstack_sp)p && g_avma == at, "only that one moves");
    other = 42;
    vstack_bind_avma(&st, NULL);
    ok(vstack_avma(&st) == vstack_top(&st), "unbinding from a variable outside the stack: the head is the top");
    vstack_destroy(&st);
}

/* ---- threads, each with a thread-local variable ------------------------------ */

#define NTHREADS 4
static _Thread_local vstack_sp t_avma;

struct worker {
    int id, failures;
    char why[200];
};

static void *work(void *arg)
{
    struct worker *w = arg;
    vstack st;
    if (vstack_init(&st, 256 * KB, 32 * MB, 0) != VSTACK_OK) {
        snprintf(w->why, sizeof w->why, "init: %s", vstack_last_error(&st));
        w->failures++;
        return NULL;
    }
    t_avma = vstack_top(&st);
    if (vstack_bind_avma(&st, &t_avma) != VSTACK_OK) {
        snprintf(w->why, sizeof w->why, "bind: %s", vstack_last_error(&st));
        w->failures++;
    }
    for (int r = 0; r < 30 && !w->failures; r++) {
        vstack_sp av = t_avma;
        size_t n1 = (size_t)(r % 7 + 1) * 300 * KB, n2 = (size_t)(w->id + 1) * 4099;
        unsigned char *a = emb_alloc(&st, &t_avma, n1);
        unsigned char *b = a ? vstack_alloc(&st, n2) : NULL;
        if (!a || !b) {
            snprintf(w->why, sizeof w->why, "round %d: allocation failed", r);
            w->failures++;
            break;
        }
        tu_fill(a, n1, (uint64_t)w->id << 8 | (uint64_t)r);
        tu_fill(b, n2, (uint64_t)w->id << 8 | (uint64_t)r | 1u << 20);
        if (t_avma != (vstack_sp)b || tu_stats(&st).used != vstack_top(&st) - (vstack_sp)b ||
            tu_check(a, n1, (uint64_t)w->id << 8 | (uint64_t)r) >= 0 ||
            tu_check(b, n2, (uint64_t)w->id << 8 | (uint64_t)r | 1u << 20) >= 0) {
            snprintf(w->why, sizeof w->why, "round %d: the thread's variable or data went astray", r);
            w->failures++;
        }
        t_avma = av;
        if (vstack_reset(&st) != VSTACK_OK || tu_stats(&st).used != vstack_top(&st) - av) {
            snprintf(w->why, sizeof w->why, "round %d: reset: %s", r, vstack_last_error(&st));
            w->failures++;
        }
    }
    vstack_destroy(&st);
    return NULL;
}

static void threads_bind_their_own(void)
{
    pthread_t th[NTHREADS];
    struct worker w[NTHREADS];
    memset(w, 0, sizeof w);
    for (int i = 0; i < NTHREADS; i++) {
        w[i].id = i;
        if (pthread_create(&th[i], NULL, work, &w[i]) != 0)
            bail_out("pthread_create");
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        ok(w[i].failures == 0, "thread %d: a thread-local variable drives its own stack%s%s", i,
           w[i].failures ? ": " : "", w[i].why);
    }
}

int main(void)
{
    tu_require_mmap();
    binding_reads_the_variable();
    binding_survives_rebuilds();
    unbinding();
    threads_bind_their_own();
    return done_testing();
}
