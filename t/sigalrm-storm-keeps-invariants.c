/* sigalrm-storm-keeps-invariants: a storm of SIGALRMs (setitimer at 100
 * microseconds, 10^4 of them) whose handler siglongjmps out of whatever the
 * program is doing: allocation loops that grow the stack, vstack_reset,
 * vstack_set_size / vstack_default rebuilds and vstack_grow, on several
 * stacks at once, both decommit paths.  After every jump each stack is
 * consistent (used <= committed <= reserved, bot <= lim <= avma <= top), its
 * live data is intact (or, after a rebuild that completed, the stack is
 * empty as default() promises), and it goes on working: a later
 * allocation, grow and reset succeed.  At the end the mappings are back to
 * what they were. */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <vstack.h>

#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)
#define NSTACKS 4

struct subject {
    vstack st;
    const char *name;
    unsigned flags;
    size_t rsize, vsize;
    unsigned char *live; /* live data, made again after a rebuild */
    size_t live_n;
    uint64_t seed;
    vstack_sp top, mark; /* the stack's top, and avma just below the live data */
};

static sigjmp_buf env;
static volatile sig_atomic_t armed;
static atomic_long n_signals, n_jumps;

static void on_alarm(int sig)
{
    (void)sig;
    atomic_fetch_add_explicit(&n_signals, 1, memory_order_relaxed);
    if (armed) {
        armed = 0;
        atomic_fetch_add_explicit(&n_jumps, 1, memory_order_relaxed);
        siglongjmp(env, 1);
    }
}

/* What went wrong, counted by kind; the first of each kind is told. */
enum { BAD_STATS, BAD_BOUNDS, BAD_DATA, BAD_EMPTY, BAD_USE, BAD_KINDS };
static long bad[BAD_KINDS];
static char first_bad[BAD_KINDS][200];

static void note_bad(int kind, const struct subject *s, const char *op, const char *detail)
{
    if (bad[kind]++ == 0)
        snprintf(first_bad[kind], sizeof first_bad[kind], "%s, after %s: %s", s->name, op, detail);
}

static void make_live(struct subject *s)
{
    s->top = vstack_top(&s->st);
    vstack_pop_all(&s->st);
    s->live = vstack_alloc(&s->st, s->live_n);
    if (!s->live)
        bail_out("%s: cannot allocate the live data", s->name);
    tu_fill(s->live, s->live_n, ++s->seed);
    s->mark = vstack_avma(&s->st);
}

/* ---- the operations the storm interrupts ---------------------------------------- */

static unsigned long op_count;

static void op_alloc(struct subject *s)
{
    /* 64 KiB at a time down to 8 MiB below the live data: the stack grows. */
    for (size_t total = 0; total < 8 * MB; total += 64 * KB) {
        unsigned char *p = vstack_alloc(&s->st, 64 * KB);
        if (!p)
            return;
        p[0] = p[64 * KB - 1] = (unsigned char)total;
    }
}

/* A page at a time through the committed part, touching nothing: each
 * allocation goes deeper than any before, so each takes the slow path
 * (which keeps the low-water mark) and makes no system call. */
static void op_descend(struct subject *s)
{
    const size_t page = 4096;
    vstack_grow(&s->st, 16 * MB);
    while (vstack_avma(&s->st) - tu_bot(&s->st) >= page)
        if (!vstack_alloc(&s->st, page))
            return;
}

static void op_reset(struct subject *s)
{
    vstack_set_avma(&s->st, s->mark);
    vstack_reset(&s->st);
}

static void op_rebuild(struct subject *s)
{
    if (op_count & 2)
        vstack_set_size(&s->st, op_count & 4 ? 512 * KB : s->rsize);
    else
        vstack_default(&s->st, "parisizemax", op_count & 4 ? "32MiB" : "64MiB");
}

static void op_grow(struct subject *s) { vstack_grow(&s->st, op_count & 2 ? 0 : 16 * MB); }

static const struct {
    void (*fn)(struct subject *);
    const char *name;
} ops[] = {
    {op_alloc, "an allocation loop"},
    {op_reset, "vstack_reset"},
    {op_alloc, "an allocation loop"},
    {op_grow, "vstack_grow"},
    {op_descend, "a descent page by page"},
    {op_alloc, "an allocation loop"},
    {op_rebuild, "a rebuild"},
};

/* ---- after each operation, jumped out of or not ---------------------------------- */

static void check(struct subject *s, const char *op)
{
    vstack *st = &s->st;
    struct vstack_stats t = tu_stats(st);
    vstack_sp bot = tu_bot(st), top = vstack_top(st);
    char buf[160];

    if (!(t.used <= t.committed && t.committed <= t.reserved)) {
        snprintf(buf, sizeof buf, "used %zu committed %zu reserved %zu", t.used, t.committed, t.reserved);
        note_bad(BAD_STATS, s, op, buf);
    }
    if (!(bot <= st->lim && st->lim <= st->avma && st->avma <= top)) {
        snprintf(buf, sizeof buf, "bot %#lx lim %#lx avma %#lx top %#lx", (unsigned long)bot,
                 (unsigned long)st->lim, (unsigned long)st->avma, (unsigned long)top);
        note_bad(BAD_BOUNDS, s, op, buf);
        return; /* the checks below would use the broken fast path */
    }
    if (top != s->top) { /* a rebuild completed: its contents are gone */
        if (t.used != 0)
            note_bad(BAD_EMPTY, s, op, "a new stack that is not empty");
        make_live(s);
    } else if (tu_check(s->live, s->live_n, s->seed) >= 0) {
        note_bad(BAD_DATA, s, op, "the live data changed");
        make_live(s);
    }
    /* Go on working: allocate and write below the mark, grow, reset. */
    vstack_set_avma(st, s->mark);
    {
        unsigned char *p = vstack_alloc(st, 100 * KB);
        if (!p)
            note_bad(BAD_USE, s, op, "a later allocation failed");
        else
            memset(p, 0x3c, 100 * KB);
    }
    vstack_set_avma(st, s->mark);
    if ((op_count % 7) == 0 && vstack_grow(st, 2 * MB) != VSTACK_OK)
        note_bad(BAD_USE, s, op, vstack_last_error(st));
    if ((op_count % 5) == 0 && vstack_reset(st) != VSTACK_OK)
        note_bad(BAD_USE, s, op, vstack_last_error(st));
}

int main(void)
{
    static struct subject subj[NSTACKS] = {
        {.name = "remap 256 KiB / 64 MiB", .flags = VSTACK_DECOMMIT_REMAP, .rsize = 256 * KB, .vsize = 64 * MB},
        {.name = "unmap 256 KiB / 64 MiB", .flags = VSTACK_DECOMMIT_UNMAP, .rsize = 256 * KB, .vsize = 64 * MB},
        {.name = "remap 1 MiB / 32 MiB", .flags = VSTACK_DECOMMIT_REMAP, .rsize = 1 * MB, .vsize = 32 * MB},
        {.name = "unmap 1 MiB / 32 MiB, no probe", .flags = VSTACK_DECOMMIT_UNMAP | VSTACK_NOPROBE,
         .rsize = 1 * MB, .vsize = 32 * MB},
    };
    const long want = tap_under_valgrind() ? 2000 : 10000;
    const unsigned long max_ops = 50000000UL; /* a bound on the loop, not a timing assertion */
    struct sigaction sa;
    struct itimerval it;
    long maps0, maps_max = 0;
    unsigned long jumped_ops = 0;
    static unsigned long jumps_in[sizeof ops / sizeof ops[0]];

    tu_require_mmap();
    maps0 = tu_maps_baseline();
    for (int i = 0; i < NSTACKS; i++) {
        struct subject *s = &subj[i];
        if (vstack_init(&s->st, s->rsize, s->vsize, s->flags | VSTACK_NOHUGEPAGES) != VSTACK_OK)
            bail_out("%s: vstack_init failed: %s", s->name, vstack_last_error(&s->st));
        s->live_n = 48 * KB + (size_t)i * 4099;
        s->seed = (uint64_t)i << 40;
        make_live(s);
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    memset(&it, 0, sizeof it);
    it.it_interval.tv_usec = it.it_value.tv_usec = 100;
    setitimer(ITIMER_REAL, &it, NULL);

    for (op_count = 0; atomic_load(&n_signals) < want && op_count < max_ops; op_count++) {
        struct subject *s = &subj[op_count % NSTACKS];
        size_t k = (op_count / NSTACKS) % (sizeof ops / sizeof ops[0]);
        if (sigsetjmp(env, 1) == 0) {
            armed = 1;
            ops[k].fn(s);
            armed = 0;
        } else {
            jumped_ops++;
            jumps_in[k]++;
        }
        check(s, ops[k].name);
        if (op_count % 64 == 0 && maps0 >= 0) {
            long m = tu_maps_count();
            if (m > maps_max)
                maps_max = m;
        }
    }
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    signal(SIGALRM, SIG_IGN); /* one may still be pending */

    ok(atomic_load(&n_signals) >= want, "%ld SIGALRMs arrived (%lu operations)", atomic_load(&n_signals),
       op_count);
    ok(jumped_ops > 0 && jumped_ops == (unsigned long)atomic_load(&n_jumps),
       "%lu operations were left by siglongjmp", jumped_ops);
    diag("  jumps out of: allocation loops %lu, descents %lu, vstack_reset %lu, vstack_grow %lu, rebuilds %lu",
         jumps_in[0] + jumps_in[2] + jumps_in[5], jumps_in[4], jumps_in[1], jumps_in[3], jumps_in[6]);
    static const char *const what[BAD_KINDS] = {
        "used <= committed <= reserved after every operation",
        "bot <= lim <= avma <= top after every operation",
        "the live data intact after every operation",
        "a rebuilt stack is empty",
        "allocation, grow and reset work after every operation",
    };
    for (int k = 0; k < BAD_KINDS; k++)
        if (!ok(bad[k] == 0, "%s", what[k]))
            diag("  %ld times; first: %s", bad[k], first_bad[k]);
    if (maps0 >= 0 && !tu_under_asan() && !tap_under_valgrind())
        ok(maps_max <= maps0 + 2 * NSTACKS, "mappings stay bounded: at most %ld, baseline %ld", maps_max,
           maps0);
    else
        skip(1, "mapping counts are not exact here");
    for (int i = 0; i < NSTACKS; i++)
        vstack_destroy(&subj[i].st);
    tu_maps_check(maps0, 0, -1, "every stack destroyed: the mappings are back to the baseline");
    return done_testing();
}
