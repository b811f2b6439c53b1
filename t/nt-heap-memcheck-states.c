/* SPDX-License-Identifier: MIT */
/* nt-heap-memcheck-states: under memcheck, the heap of ntcalc's variables
 * tells valgrind that its free tail (from top to the end of the pool) is not
 * addressable, so that a stale pointer into it is reported at once, while
 * the objects below top stay defined: after a store, after a collection
 * that slides the live objects down over garbage, and after a store that
 * grows the pool.  Outside valgrind, or without valgrind's headers, there
 * is nothing to ask memcheck, and the test says so. */
#include "nt-util.h"
#include "../calc/heap.h"
#include "testutil.h"

#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>

#define KiB ((size_t)1024)
#define W sizeof(mp_limb_t)

/* The objects below top are defined; the tail, up to 4 KiB of it, is not
 * addressable. */
static void check_heap(const struct heap *h, const char *when)
{
    struct heap_stats s;
    heap_get_stats(h, &s);
    unsigned char *base = vstack_pool_base(&h->pool);
    size_t used = s.top * W, tail = s.size - used;
    char what[160];
    snprintf(what, sizeof what, "%s: the %zu bytes of objects", when, used);
    tu_is_mem_state(base, used, TU_DEFINED, what);
    snprintf(what, sizeof what, "%s: the free tail past them (%zu bytes)", when, tail);
    if (!ok(tail > 0, "%s: the pool has a free tail", when))
        return;
    tu_is_mem_state(base + used, tail < 4 * KiB ? tail : 4 * KiB, TU_NOACCESS, what);
}

/* Root id holds the value of z. */
static void holds(const struct heap *h, size_t id, vnt_int z, const char *when)
{
    vnt_int x = heap_get(h, id);
    ok(x != NULL && vnt_cmp(x, z) == 0, "%s: root %zu keeps its value", when, id);
}

int main(void)
{
    vstack st;
    struct heap h;
    size_t a, b;

    if (!RUNNING_ON_VALGRIND)
        skip_all("not running under valgrind (make check-valgrind runs it there)");
    ntu_init(&st, (size_t)1 << 20, (size_t)64 << 20);
    unsigned errors0 = VALGRIND_COUNT_ERRORS;

    heap_init(&h, 64 * KiB, 16 << 20);
    if (heap_add_root(&h, &a) != VSTACK_OK || heap_add_root(&h, &b) != VSTACK_OK)
        bail_out("heap_add_root: %s", heap_why(&h));
    vnt_int big = vnt_pow_ui(&st, vnt_from_ui(&st, 3), 20000); /* about 4 KiB */
    vnt_int small = vnt_from_ui(&st, 7);
    if (heap_set(&h, a, big) != VSTACK_OK) {
        diag("%s", heap_why(&h));
        skip_all("the heap needs a pool, which needs mmap");
    }
    check_heap(&h, "after a store");

    /* a's big value becomes garbage below b's: the collection slides b
     * down over it, and the bytes b left behind are the tail. */
    ok(heap_set(&h, b, big) == VSTACK_OK, "a second store");
    ok(heap_set(&h, a, small) == VSTACK_OK, "a small value replaces the first");
    unsigned char *old_b = (unsigned char *)(heap_get(&h, b) - HEAP_OVERHEAD);
    heap_collect(&h);
    unsigned char *new_b = (unsigned char *)(heap_get(&h, b) - HEAP_OVERHEAD);
    ok(new_b < old_b, "the collection moved root b down");
    check_heap(&h, "after a collection");
    tu_is_mem_state(old_b + heap_object_bytes(big) - W, W, TU_NOACCESS,
             "after a collection: the last word of b's old place");
    holds(&h, a, small, "after a collection");
    holds(&h, b, big, "after a collection");

    /* A value larger than the pool: it grows, and the new tail is marked. */
    struct heap_stats s0, s1;
    heap_get_stats(&h, &s0);
    vnt_int huge = vnt_pow_ui(&st, vnt_from_ui(&st, 3), 2000000); /* about 400 KiB */
    ok(heap_set(&h, a, huge) == VSTACK_OK, "a store that does not fit");
    heap_get_stats(&h, &s1);
    ok(s1.size > s0.size, "it grew the pool (%zu to %zu bytes)", s0.size, s1.size);
    check_heap(&h, "after growth");
    holds(&h, a, huge, "after growth");
    holds(&h, b, big, "after growth");

    is_int(VALGRIND_COUNT_ERRORS - errors0, 0, "the heap caused no memcheck error");
    heap_destroy(&h);
    vstack_destroy(&st);
    return done_testing();
}
#else
int main(void)
{
    skip_all("built without valgrind's headers (valgrind/memcheck.h)");
}
#endif
