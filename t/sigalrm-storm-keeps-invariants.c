/* SPDX-License-Identifier: MIT */
/* sigalrm-storm-keeps-invariants: a storm of SIGALRMs (setitimer at 100
 * microseconds, 10^4 of them) whose handler siglongjmps out of whatever the
 * program is doing: allocation loops that grow the stack, vstack_reset,
 * vstack_set_size / vstack_default rebuilds and vstack_grow, on several
 * stacks at once, both decommit paths; vstack_pool_resize up and down and
 * vstack_pool_set_used on a pool per decommit path; and vstack_destroy and
 * vstack_init of the same stacks over and over.  After every jump each
 * stack is consistent (used <= committed <= reserved, bot <= lim <= avma <=
 * top), its live data is intact (or, after a rebuild that completed, the
 * stack is empty as default() promises), and it goes on working: a later
 * allocation, grow and reset succeed.  A stack left in init or destroy is
 * either whole or empty.  A pool keeps its base and reservation, its size
 * stays page-rounded within [minsize, reservation], its data below the
 * smallest size it may have had is intact, and what it committed again
 * reads as zero.  Every few operations /proc/self/smaps shows the committed
 * part read/write and the rest of the reservation PROT_NONE, with no hole.
 * At the end a child of fork finds the live data intact and the free parts
 * wiped (a table of live stacks left half-entered would show there), and
 * the mappings are back to what they were. */
#include "config.h"

#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)
#define NSTACKS 4
#define NPOOLS 2
#define NCYCLED 2
/* Each turn runs one operation on each stack, each pool, and the cycled
 * stacks, in that order. */
#define NSLOTS (NSTACKS + NPOOLS + 1)
/* A look at /proc/self/smaps every this many operations. */
#define SMAPS_EVERY 50
/* A pool holds live data in its first POOL_LIVE bytes, and a marker word
 * every STRIDE bytes above. */
#define POOL_LIVE (16 * KB)
#define STRIDE (256 * KB)

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

/* A pool, with live data at its base and a marker word every STRIDE bytes
 * of what was committed when it was last checked. */
struct pool_subject {
    vstack_pool p;
    const char *name;
    unsigned flags;
    unsigned char *base;
    size_t minsize, reserved, page;
    uint64_t seed;
    size_t size0; /* the size at the last check: marked up to there */
    size_t low;   /* the smallest size the operations since may have set */
    int bad_rc;   /* a resize returned what it should not have (-1: none) */
    size_t bad_n;
};

/* What went wrong, counted by kind; the first of each kind is told. */
enum {
    BAD_STATS, BAD_BOUNDS, BAD_DATA, BAD_EMPTY, BAD_USE,
    BAD_POOL_SIZE, BAD_POOL_DATA, BAD_POOL_USE, BAD_CYCLED, BAD_SMAPS, BAD_KINDS
};
static long bad[BAD_KINDS];
static char first_bad[BAD_KINDS][200];

static void note_bad(int kind, const char *name, const char *op, const char *detail)
{
    if (bad[kind]++ == 0)
        snprintf(first_bad[kind], sizeof first_bad[kind], "%s, after %s: %s", name, op, detail);
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

/* Resize a pool four times, to sizes that are not page multiples, to 0
 * (minsize), to all of the reservation and beyond it, and say how much is
 * in use after each.  The smallest size is noted before each call: the
 * handler may jump out as soon as the call has taken effect. */
static const size_t pool_sizes[] = {3 * MB + 123, 12 * MB, 0, 7 * MB + 1, 2 * MB, 16 * MB, 20 * MB, 8 * MB - 1};
#define NPOOLSIZES (sizeof pool_sizes / sizeof pool_sizes[0])

static void op_pool(struct pool_subject *q)
{
    for (unsigned i = 0; i < 4; i++) {
        size_t n = pool_sizes[(op_count / NSLOTS + i) % NPOOLSIZES];
        size_t r = n < q->minsize ? q->minsize : tu_round_up(n, q->page);
        int want = r > q->reserved ? VSTACK_ESTACK : VSTACK_OK, rc;
        if (r < q->low)
            q->low = r;
        rc = vstack_pool_resize(&q->p, n);
        if (rc != want) {
            q->bad_rc = rc;
            q->bad_n = n;
        }
        vstack_pool_set_used(&q->p, r / 2);
    }
}

/* Stacks destroyed and made again, one way or another, with an allocation
 * that commits their first pages. */
static vstack cycled[NCYCLED];
static int cycled_rc;                 /* the last vstack_init that failed, or VSTACK_OK */
static volatile int in_init = -1;     /* the cycled stack whose vstack_init runs, or -1 */

static void op_cycle(void)
{
    for (unsigned i = 0; i < 4; i++) {
        vstack *st = &cycled[i % NCYCLED];
        unsigned flags = VSTACK_NOHUGEPAGES |
                         ((op_count / NSLOTS + i) & 1 ? VSTACK_DECOMMIT_UNMAP : VSTACK_DECOMMIT_REMAP);
        unsigned char *p;
        int rc;
        vstack_destroy(st);
        in_init = (int)(i % NCYCLED);
        rc = vstack_init(st, 256 * KB, i & 2 ? 16 * MB : 0, flags);
        in_init = -1;
        if (rc != VSTACK_OK) {
            cycled_rc = rc;
            continue;
        }
        p = vstack_alloc(st, 64 * KB);
        if (p)
            memset(p, 0x5a, 64 * KB);
    }
}

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
        note_bad(BAD_STATS, s->name, op, buf);
    }
    if (!(bot <= st->lim && st->lim <= st->avma && st->avma <= top)) {
        snprintf(buf, sizeof buf, "bot %#" PRIxPTR " lim %#" PRIxPTR " avma %#" PRIxPTR " top %#" PRIxPTR, bot,
                 st->lim, st->avma, top);
        note_bad(BAD_BOUNDS, s->name, op, buf);
        return; /* the checks below would use the broken fast path */
    }
    if (top != s->top) { /* a rebuild completed: its contents are gone */
        if (t.used != 0)
            note_bad(BAD_EMPTY, s->name, op, "a new stack that is not empty");
        make_live(s);
    } else if (tu_check(s->live, s->live_n, s->seed) >= 0) {
        note_bad(BAD_DATA, s->name, op, "the live data changed");
        make_live(s);
    }
    /* Go on working: allocate and write below the mark, grow, reset. */
    vstack_set_avma(st, s->mark);
    {
        unsigned char *p = vstack_alloc(st, 100 * KB);
        if (!p)
            note_bad(BAD_USE, s->name, op, "a later allocation failed");
        else
            memset(p, 0x3c, 100 * KB);
    }
    vstack_set_avma(st, s->mark);
    if ((op_count % 9) == 0 && vstack_grow(st, 2 * MB) != VSTACK_OK)
        note_bad(BAD_USE, s->name, op, vstack_last_error(st));
    if ((op_count % 5) == 0 && vstack_reset(st) != VSTACK_OK)
        note_bad(BAD_USE, s->name, op, vstack_last_error(st));
}

/* ---- the pools and the cycled stacks, after each operation ----------------------- */

static uint64_t marker(const struct pool_subject *q, size_t off)
{
    return ((q->seed + off) * 0x9e3779b97f4a7c15ULL) | 1; /* never zero */
}

static uint64_t word_at(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

static void check_pool(struct pool_subject *q, const char *op)
{
    struct vstack_pool_stats t;
    size_t keep, off, end;
    char buf[160];

    vstack_pool_get_stats(&q->p, &t);
    if (q->bad_rc >= 0) {
        snprintf(buf, sizeof buf, "resize to %zu returned %d: %s", q->bad_n, q->bad_rc, vstack_pool_last_error(&q->p));
        note_bad(BAD_POOL_USE, q->name, op, buf);
        q->bad_rc = -1;
    }
    if ((unsigned char *)vstack_pool_base(&q->p) != q->base || t.reserved != q->reserved ||
        t.minsize != q->minsize || t.size < t.minsize || t.size > t.reserved || t.size % q->page) {
        snprintf(buf, sizeof buf, "base %p (was %p), size %zu, minsize %zu, reserved %zu (was %zu)",
                 vstack_pool_base(&q->p), (void *)q->base, t.size, t.minsize, t.reserved, q->reserved);
        note_bad(BAD_POOL_SIZE, q->name, op, buf);
        return; /* the checks below would read outside the pool */
    }
    if (tu_check(q->base, POOL_LIVE, q->seed) >= 0)
        note_bad(BAD_POOL_DATA, q->name, op, "the live data changed");
    /* Below keep (minsize at least) the markers stay; up to the old size
     * they stay or, given back and committed again, read as zero; above it
     * all is zero.  (Memcheck is told that what a pool commits is
     * undefined: there only the markers are read.) */
    keep = q->low < q->size0 ? q->low : q->size0;
    end = tap_under_valgrind() ? keep : t.size;
    for (off = STRIDE; off < end; off += STRIDE) {
        uint64_t w = word_at(q->base + off);
        int good = off < keep ? w == marker(q, off) : off < q->size0 ? w == marker(q, off) || w == 0 : w == 0;
        if (!good) {
            snprintf(buf, sizeof buf, "word at %zu of %zu is %#llx (kept %zu, was %zu)", off, t.size,
                     (unsigned long long)w, keep, q->size0);
            note_bad(BAD_POOL_DATA, q->name, op, buf);
            break;
        }
    }
    end = t.size;
    for (off = keep > STRIDE ? keep / STRIDE * STRIDE : STRIDE; off < end; off += STRIDE) {
        uint64_t w = marker(q, off);
        memcpy(q->base + off, &w, sizeof w);
    }
    q->size0 = q->low = t.size;
}

/* A cycled stack is empty (destroyed, or not made yet) or whole and usable. */
static void check_cycled(const char *op)
{
    char buf[160];
    if (cycled_rc != VSTACK_OK) {
        snprintf(buf, sizeof buf, "vstack_init returned %d", cycled_rc);
        note_bad(BAD_CYCLED, "a cycled stack", op, buf);
        cycled_rc = VSTACK_OK;
    }
    for (int i = 0; i < NCYCLED; i++) {
        vstack *st = &cycled[i];
        struct vstack_stats t = tu_stats(st);
        vstack_sp top = vstack_top(st), bot = tu_bot(st);
        unsigned char *p;
        if (top == 0) {
            if (t.reserved || t.committed || st->avma || st->lim)
                note_bad(BAD_CYCLED, "a cycled stack", op, "a stack with no memory that is not empty");
            continue;
        }
        if (!(t.used <= t.committed && t.committed <= t.reserved && t.reserved >= 256 * KB && bot <= st->lim &&
              st->lim <= st->avma && st->avma <= top)) {
            snprintf(buf, sizeof buf,
                     "used %zu committed %zu reserved %zu; bot %#" PRIxPTR " lim %#" PRIxPTR " avma %#" PRIxPTR
                     " top %#" PRIxPTR,
                     t.used, t.committed, t.reserved, bot, st->lim, st->avma, top);
            note_bad(BAD_CYCLED, "a cycled stack", op, buf);
            continue;
        }
        p = vstack_alloc(st, 32 * KB);
        if (!p)
            note_bad(BAD_CYCLED, "a cycled stack", op, "a later allocation failed");
        else
            memset(p, 0x3c, 32 * KB);
        vstack_pop_all(st);
    }
}

/* ---- what /proc/self/smaps shows --------------------------------------------------- */

static long smaps_checks;

/* A reservation [lo, hi) whose committed part is [lo, mid) (rw_low) or
 * [mid, hi): that part read/write, the rest PROT_NONE, and no hole. */
static void check_layout(const char *name, uintptr_t lo, uintptr_t mid, uintptr_t hi, int rw_low,
                         const char *op)
{
    char buf[160];
    int good = tu_mapped_as(lo, mid, rw_low) && tu_mapped_as(mid, hi, !rw_low);
    smaps_checks++;
    if (!good) {
        snprintf(buf, sizeof buf, "[%#" PRIxPTR ", %#" PRIxPTR ", %#" PRIxPTR ") is not %s", lo, mid, hi,
                 rw_low ? "read/write, then PROT_NONE" : "PROT_NONE, then read/write");
        note_bad(BAD_SMAPS, name, op, buf);
    }
}

static void check_stack_layout(const char *name, const vstack *st, const char *op)
{
    if (vstack_top(st))
        check_layout(name, tu_vbot(st), tu_bot(st), vstack_top(st), 0, op);
}

static void check_pool_layout(const struct pool_subject *q, const char *op)
{
    uintptr_t b = (uintptr_t)q->base;
    check_layout(q->name, b, b + vstack_pool_size(&q->p), b + q->reserved, 1, op);
}

/* ---- a child of fork, at the end --------------------------------------------------- */

struct after {
    struct subject *subj;
    struct pool_subject *pools;
    unsigned char *live, *dead; /* on the stack left in vstack_init: live data, and a popped part */
    size_t live_n, dead_n;
    int wipe;                   /* fork-wipe is on: the free parts read as zero (-1: it is
                                 * on, but this system cannot show it: no check of them) */
};

static void child_after_storm(int fd, void *arg)
{
    const struct after *a = arg;
    size_t ps = tu_page_size(), zero = 0, pages = 0;
    int stacks_ok = 1, pools_ok = 1, tails = 1;

    tu_child_ok(fd, tu_check(a->live, a->live_n, 77) < 0, "the live data of the stack left in vstack_init is intact");
    for (uintptr_t pg = tu_round_up((uintptr_t)a->dead, ps); pg + ps <= (uintptr_t)a->dead + a->dead_n; pg += ps) {
        pages++;
        zero += ((unsigned char *)pg)[0] == 0 && ((unsigned char *)pg)[ps - 1] == 0;
    }
    if (a->wipe > 0)
        tu_child_ok(fd, zero == pages, "its popped part reads as zero (%zu of %zu pages)", zero, pages);
    for (int i = 0; i < NSTACKS; i++)
        stacks_ok &= tu_check(a->subj[i].live, a->subj[i].live_n, a->subj[i].seed) < 0;
    tu_child_ok(fd, stacks_ok, "every other stack's live data is intact");
    for (int i = 0; i < NPOOLS; i++) {
        const struct pool_subject *q = &a->pools[i];
        pools_ok &= tu_check(q->base, POOL_LIVE, q->seed) < 0;
        for (size_t off = STRIDE; off < vstack_pool_size(&q->p); off += STRIDE)
            if (off < q->minsize)
                pools_ok &= word_at(q->base + off) == marker(q, off);
            else
                tails &= word_at(q->base + off) == (a->wipe > 0 ? 0 : marker(q, off));
    }
    tu_child_ok(fd, pools_ok, "each pool's used part is intact");
    if (a->wipe >= 0)
        tu_child_ok(fd, tails, "each pool's free tail %s", a->wipe ? "reads as zero" : "is copied");
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
    static struct pool_subject pools[NPOOLS] = {
        {.name = "a pool, remap path", .flags = VSTACK_DECOMMIT_REMAP},
        {.name = "a pool, unmap path", .flags = VSTACK_DECOMMIT_UNMAP},
    };
    const long want = tap_under_valgrind() ? 2000 : 10000;
    const unsigned long max_ops = 50000000UL; /* a bound on the loop, not a timing assertion */
    const char *fw = getenv("VSTACK_FORKWIPE");
    struct sigaction sa;
    struct itimerval it;
    struct after after;
    long maps0, maps_max = 0;
    unsigned long jumped_ops = 0, jumps_pool = 0, jumps_cycle = 0, made_by_jump = 0;
    volatile unsigned long tries; /* volatile: read again after a jump */
    int made = -1; /* a cycled stack made by a vstack_init that a jump left */
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
    for (int i = 0; i < NPOOLS; i++) {
        struct pool_subject *q = &pools[i];
        struct vstack_pool_stats t;
        if (vstack_pool_init(&q->p, 1 * MB, 16 * MB, q->flags | VSTACK_NOHUGEPAGES) != VSTACK_OK)
            bail_out("%s: vstack_pool_init failed: %s", q->name, vstack_pool_last_error(&q->p));
        vstack_pool_get_stats(&q->p, &t);
        q->base = vstack_pool_base(&q->p);
        q->minsize = t.minsize;
        q->reserved = t.reserved;
        q->page = tu_page_size();
        q->seed = (uint64_t)(i + 8) << 40;
        q->bad_rc = -1;
        tu_fill(q->base, POOL_LIVE, q->seed);
        q->size0 = q->low = STRIDE; /* check_pool marks the rest */
        check_pool(q, "vstack_pool_init");
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    memset(&it, 0, sizeof it);
    it.it_interval.tv_usec = it.it_value.tv_usec = 100;
    setitimer(ITIMER_REAL, &it, NULL);

    for (op_count = 0; atomic_load(&n_signals) < want && op_count < max_ops; op_count++) {
        unsigned slot = op_count % NSLOTS;
        /* volatile: read again after a jump */
        struct subject *volatile s = slot < NSTACKS ? &subj[slot] : NULL;
        struct pool_subject *volatile q = slot >= NSTACKS && slot < NSTACKS + NPOOLS ? &pools[slot - NSTACKS] : NULL;
        size_t k = (op_count / NSLOTS) % (sizeof ops / sizeof ops[0]);
        const char *volatile op = s ? ops[k].name : q ? "a pool's resizes" : "vstack_destroy and vstack_init";
        if (sigsetjmp(env, 1) == 0) {
            armed = 1;
            if (s)
                ops[k].fn(s);
            else if (q)
                op_pool(q);
            else
                op_cycle();
            armed = 0;
        } else {
            jumped_ops++;
            if (s)
                jumps_in[k]++;
            else if (q)
                jumps_pool++;
            else {
                jumps_cycle++;
                if (in_init >= 0 && vstack_top(&cycled[in_init]))
                    made_by_jump++;
            }
        }
        in_init = -1;
        if (s)
            check(s, op);
        else if (q)
            check_pool(q, op);
        else
            check_cycled(op);
        if (op_count % SMAPS_EVERY == 0 && tu_have_proc()) {
            if (s)
                check_stack_layout(s->name, &s->st, op);
            else if (q)
                check_pool_layout(q, op);
            else
                for (int i = 0; i < NCYCLED; i++)
                    check_stack_layout("a cycled stack", &cycled[i], op);
        }
        if (op_count % 64 == 0 && maps0 >= 0) {
            long m = tu_maps_count();
            if (m > maps_max)
                maps_max = m;
        }
    }
    /* Still in the storm: destroy and init until a jump leaves a stack that
     * vstack_init made but did not return from, the one the child checks. */
    for (tries = 1; made < 0 && tries <= 10000; tries++, op_count++) {
        const char *op = "vstack_destroy and vstack_init, at the end";
        if (sigsetjmp(env, 1) == 0) {
            armed = 1;
            op_cycle();
            armed = 0;
        } else {
            jumped_ops++;
            jumps_cycle++;
            if (in_init >= 0 && vstack_top(&cycled[in_init]))
                made = in_init;
        }
        in_init = -1;
        check_cycled(op);
    }
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    signal(SIGALRM, SIG_IGN); /* one may still be pending */

    ok(atomic_load(&n_signals) >= want, "%ld SIGALRMs arrived (%lu operations)", atomic_load(&n_signals),
       op_count);
    ok(jumped_ops > 0 && jumped_ops == (unsigned long)atomic_load(&n_jumps),
       "%lu operations were left by siglongjmp", jumped_ops);
    diag("  jumps out of: allocation loops %lu, descents %lu, vstack_reset %lu, vstack_grow %lu, rebuilds %lu, "
         "pool resizes %lu, destroy and init %lu (%lu left a stack made before vstack_init returned)",
         jumps_in[0] + jumps_in[2] + jumps_in[5], jumps_in[4], jumps_in[1], jumps_in[3], jumps_in[6], jumps_pool,
         jumps_cycle, made_by_jump);
    static const char *const what[BAD_KINDS] = {
        "used <= committed <= reserved after every operation",
        "bot <= lim <= avma <= top after every operation",
        "the live data intact after every operation",
        "a rebuilt stack is empty",
        "allocation, grow and reset work after every operation",
        "a pool keeps its base and reservation, its size page-rounded within [minsize, reservation]",
        "a pool's data below the smallest size it may have had is intact, and what it committed again reads as zero",
        "every resize of a pool returns VSTACK_OK, or VSTACK_ESTACK beyond the reservation",
        "a stack left in vstack_destroy or vstack_init is whole and usable, or empty",
    };
    for (int k = 0; k < BAD_SMAPS; k++)
        if (!ok(bad[k] == 0, "%s", what[k]))
            diag("  %ld times; first: %s", bad[k], first_bad[k]);
    if (!tu_have_proc())
        skip(1, "%s", tu_proc_why());
    else if (!ok(smaps_checks > 0 && bad[BAD_SMAPS] == 0,
                 "%ld looks at smaps: the committed part read/write, the rest of the reservation PROT_NONE, no hole",
                 smaps_checks))
        diag("  %ld times; first: %s", bad[BAD_SMAPS], first_bad[BAD_SMAPS]);
    /* Three mappings at most for each stack or pool: the reservation, a
     * free part that a reset marked for fork-wipe, and the rest of what is
     * committed. */
    if (maps0 >= 0 && !tu_under_asan() && !tap_under_valgrind())
        ok(maps_max <= maps0 + 3 * (NSTACKS + NPOOLS + NCYCLED), "mappings stay bounded: at most %ld, baseline %ld",
           maps_max, maps0);
    else
        skip(1, "mapping counts are not exact here");

    /* A child of fork.  The stack that a jump left in vstack_init has live
     * data and a popped part below it, which fork-wipe would not reach if
     * the stack were missing from the table of live stacks; the other is
     * destroyed, and a slot of the table still pointing at it would make
     * the fork's hooks read it. */
    ok(made >= 0, "a jump out of vstack_init left a stack made (%lu more operations)", tries - 1);
    if (made < 0)
        made = 0;
    vstack_destroy(&cycled[1 - made]);
    if (!vstack_top(&cycled[made]) && vstack_init(&cycled[made], 256 * KB, 0, VSTACK_NOHUGEPAGES) != VSTACK_OK)
        bail_out("cannot make a stack again: %s", vstack_last_error(&cycled[made]));
    vstack_pop_all(&cycled[made]);
    after.subj = subj;
    after.pools = pools;
    after.live_n = 64 * KB;
    after.dead_n = 128 * KB; /* the stack may be a fixed one of 256 KiB */
    after.live = vstack_alloc(&cycled[made], after.live_n);
    after.dead = vstack_alloc(&cycled[made], after.dead_n);
    if (!after.live || !after.dead)
        bail_out("cannot allocate on a stack made again: %s", vstack_last_error(&cycled[made]));
    tu_fill(after.live, after.live_n, 77);
    memset(after.dead, 0xee, after.dead_n);
    vstack_set_avma(&cycled[made], (vstack_sp)after.live);
    for (int i = 0; i < NPOOLS; i++)
        vstack_pool_set_used(&pools[i].p, pools[i].minsize);
    after.wipe = vs_os_config()->wipes_on_fork && !(fw && strcmp(fw, "0") == 0);
    if (after.wipe && tu_lacks_wipe_on_fork())
        after.wipe = -1;
    tu_in_child(child_after_storm, &after, "after the storm");
    if (after.wipe < 0) {
        skip_check(tu_lacks_wipe_on_fork(), "after the storm: its popped part reads as zero");
        skip_check(tu_lacks_wipe_on_fork(), "after the storm: each pool's free tail reads as zero");
    }

    for (int i = 0; i < NSTACKS; i++)
        vstack_destroy(&subj[i].st);
    for (int i = 0; i < NPOOLS; i++)
        vstack_pool_destroy(&pools[i].p);
    for (int i = 0; i < NCYCLED; i++)
        vstack_destroy(&cycled[i]);
    tu_maps_check(maps0, 0, -1, "every stack and pool destroyed: the mappings are back to the baseline");
    return done_testing();
}
