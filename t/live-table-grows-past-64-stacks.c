/* SPDX-License-Identifier: MIT */
/* live-table-grows-past-64-stacks: the table of live stacks and pools that
 * the fork hooks read holds 64 entries per block and grows by a block at a
 * time, with calloc and compare-and-swap, never a lock.  Every stack in
 * it is marked at fork, in every block: the child reads zeros in each
 * stack's touched free part and every live byte intact.  Two additions of
 * a block at once keep one: the loser frees its own and takes a slot in the
 * winner's (the other thread is stood in for by a calloc that makes a stack
 * of its own first).  Destroyed stacks give their slots back: as many new
 * ones need no new block.  Without memory for a block (calloc fails),
 * vstack_init and vstack_pool_init succeed and warn that fork-wipe is off
 * for that one; a fork copies its free part as it is, and still marks the
 * others.  calloc is replaced with the linker's --wrap, which reaches the
 * library's own call. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <vstack.h>
#include <vstack_pool.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define SLOTS 64
#define MAX_STACKS 200

#if HAVE_LD_WRAP
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
void __real_free(void *p);
void __wrap_free(void *p);

/* What the stand-in does with the next calloc of the library. */
static int counting;           /* count calls (only around library calls) */
static int calls;              /* callocs counted */
static int fail_next;          /* the next one returns NULL */
static vstack *rival;          /* the next one makes this stack first */
static int rival_rc = -1;
static void *watched;          /* the block the loser allocated */
static int watched_freed;

void *__wrap_calloc(size_t n, size_t size)
{
    if (!counting)
        return __real_calloc(n, size);
    calls++;
    if (fail_next) {
        fail_next = 0;
        errno = ENOMEM;
        return NULL;
    }
    if (rival) {
        /* Another thread, between this one's look at the table and its
         * compare-and-swap, adds the block first (with its own calloc). */
        vstack *r = rival;
        rival = NULL;
        rival_rc = vstack_init(r, 64 * KB, 1 << 20, 0);
        watched = __real_calloc(n, size);
        return watched;
    }
    return __real_calloc(n, size);
}

void __wrap_free(void *p)
{
    if (p && p == watched)
        watched_freed = 1;
    __real_free(p);
}
#endif

/* A stack with a live part (8 KiB, pattern `seed`) and a touched free part
 * below it (16 KiB written with 0xee, then popped). */
struct small {
    vstack st;
    unsigned char *live, *dead;
    uint64_t seed;
};

static struct small stacks[MAX_STACKS];
static size_t ps;

/* vstack_init counting callocs: VSTACK_OK, and the callocs made. */
static int init_counted(vstack *st, int *made)
{
#if HAVE_LD_WRAP
    int before = calls;
    counting = 1;
    int rc = vstack_init(st, 64 * KB, 1 << 20, 0);
    counting = 0;
    *made = calls - before;
    return rc;
#else
    *made = 0;
    return vstack_init(st, 64 * KB, 1 << 20, 0);
#endif
}

static void fill(struct small *s, uint64_t seed)
{
    s->seed = seed;
    s->live = vstack_alloc(&s->st, 8 * KB);
    s->dead = s->live ? vstack_alloc(&s->st, 16 * KB) : NULL;
    if (!s->dead)
        bail_out("cannot allocate on a small stack: %s", vstack_last_error(&s->st));
    tu_fill(s->live, 8 * KB, seed);
    memset(s->dead, 0xee, 16 * KB);
    vstack_set_avma(&s->st, (vstack_sp)s->live);
}

/* Pages of the popped part of s that read as zero, and as 0xee. */
static void dead_pages(const struct small *s, size_t *zero, size_t *kept)
{
    uintptr_t lo = ((uintptr_t)s->dead + ps - 1) & ~(uintptr_t)(ps - 1);
    uintptr_t hi = (uintptr_t)s->live & ~(uintptr_t)(ps - 1);
    *zero = *kept = 0;
    for (uintptr_t p = lo; p + ps <= hi; p += ps) {
        const unsigned char *b = (const unsigned char *)p;
        *zero += b[0] == 0 && b[ps - 1] == 0;
        *kept += b[0] == 0xee && b[ps - 1] == 0xee;
    }
}

struct expect {
    int n;      /* stacks[0 .. n) */
    int copied; /* this one's free part is copied, not wiped (-1: none) */
};

static void child_reads(int fd, void *arg)
{
    const struct expect *x = arg;
    int intact = 1, wiped = 1, bad = -1;
    for (int i = 0; i < x->n; i++) {
        size_t zero, kept;
        if (tu_check(stacks[i].live, 8 * KB, stacks[i].seed) >= 0 && intact) {
            intact = 0;
            bad = i;
        }
        if (tap_under_valgrind())
            continue; /* memcheck forbids reading what was popped */
        dead_pages(&stacks[i], &zero, &kept);
        if (i == x->copied) {
            tu_child_ok(fd, kept > 0 && zero == 0, "the stack left out of the table: its free part is copied (%zu pages 0xee, %zu zero)",
                        kept, zero);
        } else if (!(zero > 0 && kept == 0) && wiped) {
            wiped = 0;
            bad = i;
        }
    }
    tu_child_ok(fd, intact, "the child: every live byte of %d stacks intact (first bad: %d)", x->n, bad);
    if (tap_under_valgrind() && x->copied >= 0)
        tu_child_ok(fd, 1, "the stack left out of the table: not read under memcheck");
    tu_child_ok(fd, wiped, "the child: the free part of every stack in the table reads as zero (first bad: %d)%s", bad,
                tap_under_valgrind() ? " (not read under memcheck)" : "");
}

/* Fork with stacks[0 .. n) filled: the hooks mark (and unmark) `marked`
 * stacks; the child checks every one. */
static void fork_checks(int n, int copied, int marked, const char *what)
{
    struct expect x = {n, copied};
    unsigned long w = vs_os_count(VS_OS_WIPE);
    tu_in_child(child_reads, &x, what);
    is_int(vs_os_count(VS_OS_WIPE) - w, 2 * marked, "%s: the fork marked and unmarked %d stacks", what, marked);
}

int main(void)
{
    struct tu_logs logs;
    int made, total = 0, bad = 0;
    const long maps0 = tu_maps_baseline();

    tu_require_mmap();
#if !HAVE_LD_WRAP
    skip_all("the linker has no --wrap: calloc cannot be replaced");
#endif
    /* Where the kernel (or qemu-user) accepts MADV_WIPEONFORK and ignores it,
     * the probe says so and the test skips: a child would read the data. */
    tu_require(tu_lacks_wipe_on_fork());
    ps = vs_os_config()->page_size;
    tu_capture_defaults(&logs);
    vs_os_fail_reset();

    /* The first block is part of the library: 64 stacks need no calloc. */
    for (int i = 0; i < SLOTS; i++) {
        bad += init_counted(&stacks[i].st, &made) != VSTACK_OK;
        total += made;
        fill(&stacks[i], 1000 + (uint64_t)i);
    }
    ok(bad == 0 && total == 0, "64 stacks fill the first block without a calloc (%d failed, %d callocs)", bad,
       total);

#if HAVE_LD_WRAP
    /* The 65th needs a block; a rival adds one first. */
    rival = &stacks[SLOTS + 1].st;
    is_int(init_counted(&stacks[SLOTS].st, &made), VSTACK_OK, "a stack that needs a second block, with a rival");
    ok(rival_rc == VSTACK_OK && made == 2, "the rival made its stack, with a block of its own (%d callocs)", made);
    ok(watched_freed, "the loser freed the block it allocated");
    fill(&stacks[SLOTS], 2000);
    fill(&stacks[SLOTS + 1], 2001);
#endif

    /* One block was added: 62 more fit in it, the next one needs another. */
    total = bad = 0;
    for (int i = SLOTS + 2; i < 2 * SLOTS; i++) {
        bad += init_counted(&stacks[i].st, &made) != VSTACK_OK;
        total += made;
        fill(&stacks[i], 1000 + (uint64_t)i);
    }
    ok(bad == 0 && total == 0, "62 more fit in the winner's block: one block was added, not two (%d callocs)",
       total);
    is_int(init_counted(&stacks[2 * SLOTS].st, &made), VSTACK_OK, "the 129th stack");
    is_int(made, 1, "needs a third block");
    fill(&stacks[2 * SLOTS], 3000);
    fork_checks(2 * SLOTS + 1, -1, 2 * SLOTS + 1, "129 stacks in three blocks");

    /* Fill the third block; the next block cannot be had. */
    total = bad = 0;
    for (int i = 2 * SLOTS + 1; i < 3 * SLOTS; i++) {
        bad += init_counted(&stacks[i].st, &made) != VSTACK_OK;
        total += made;
        fill(&stacks[i], 1000 + (uint64_t)i);
    }
    ok(bad == 0 && total == 0, "the third block fills up (%d callocs)", total);
    int last = 3 * SLOTS;
    tu_logs_clear(&logs);
#if HAVE_LD_WRAP
    fail_next = 1;
#endif
    is_int(init_counted(&stacks[last].st, &made), VSTACK_OK, "no memory for a fourth block: vstack_init succeeds");
    ok(logs.warn.count == 1 && strstr(logs.warn.last, "fork-wipe is off for this stack") &&
           logs.warn.last_err == VSTACK_ENOMEM && vstack_last_error_code(&stacks[last].st) == VSTACK_ENOMEM,
       "and warns that fork-wipe is off for it: %s", logs.warn.last);
    fill(&stacks[last], 4000);
    fork_checks(last + 1, last, last, "a stack outside the table");
    tu_logs_clear(&logs);
    vstack_reset(&stacks[last].st);
    is_int(logs.warn.count, 0, "its reset says nothing");
    ok(tu_check(stacks[last].live, 8 * KB, 4000) < 0, "its data is intact");

    /* A pool without memory for the table: the same. */
    vstack_pool pool;
    tu_logs_clear(&logs);
#if HAVE_LD_WRAP
    fail_next = 1;
    counting = 1;
#endif
    int rc = vstack_pool_init(&pool, 64 * KB, 1 << 20, 0);
#if HAVE_LD_WRAP
    counting = 0;
#endif
    is_int(rc, VSTACK_OK, "no memory for the table: vstack_pool_init succeeds");
    ok(strstr(vstack_pool_last_error(&pool), "fork-wipe is off for this pool") &&
           vstack_pool_last_error_code(&pool) == VSTACK_ENOMEM,
       "and says fork-wipe is off for this pool: %s", vstack_pool_last_error(&pool));
    is_int(vstack_pool_resize(&pool, 256 * KB), VSTACK_OK, "the pool works");
    vstack_pool_destroy(&pool);

    /* Destroyed stacks free their slots: as many again need no block. */
    for (int i = 0; i <= last; i++)
        vstack_destroy(&stacks[i].st);
    total = bad = 0;
    for (int i = 0; i < last; i++) {
        bad += init_counted(&stacks[i].st, &made) != VSTACK_OK;
        total += made;
        fill(&stacks[i], 5000 + (uint64_t)i);
    }
    ok(bad == 0 && total == 0, "after destroy, %d new stacks take the freed slots without a calloc (%d callocs)",
       last, total);
    fork_checks(last, -1, last, "the slots reused");
    for (int i = 0; i < last; i++)
        vstack_destroy(&stacks[i].st);
    tu_maps_check(maps0, 0, -1, "every stack destroyed");
    return done_testing();
}
