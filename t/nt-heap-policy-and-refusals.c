/* SPDX-License-Identifier: MIT */
/* The heap's growth and shrink policy, and its refusals:
 *   - a big value grows the pool to twice what the values take; replacing
 *     it by a small one collects at once and gives the memory back;
 *   - hysteresis: while the live values stay between a quarter of the pool
 *     and all of it, collections run but the pool is never resized;
 *   - every refusal changes nothing: past the maximum (VSTACK_ESTACK), the
 *     system refusing the memory (VSTACK_ENOMEM, through the OS test seam;
 *     when only twice the need is refused, the need alone is taken),
 *     an unknown root or a value inside the heap (VSTACK_EINVAL), a pool that
 *     cannot be made; a shrink the system refuses is a warning, and the
 *     next one works;
 *   - growth, shrinking and collections are told to the note function. */
#include "nt-util.h"
#include "../calc/heap.h"

#include <errno.h>

#include "os.h"

#define KiB ((size_t)1024)
#define W sizeof(mp_limb_t)
#define LB GMP_NUMB_BITS /* bits in a limb: 64, or 32 on i386 */

static struct heap h, h2;
static unsigned long notes[3];
static char last_note[320];

static void on_note(void *ctx, enum heap_note kind, const char *msg)
{
    (void)ctx;
    notes[kind]++;
    snprintf(last_note, sizeof last_note, "%s", msg);
}

/* 2^bits - 1 on the stack: bits/LB limbs, all ones. */
static vnt_int ones(vstack *st, unsigned long bits)
{
    mpz_t z;
    mpz_init(z);
    mpz_setbit(z, bits);
    mpz_sub_ui(z, z, 1);
    vnt_int x = ntu_from_mpz(st, z);
    mpz_clear(z);
    return x;
}

static size_t pool_size(const struct heap *hp)
{
    struct heap_stats s;
    heap_get_stats(hp, &s);
    return s.size;
}

static int in(const struct heap *hp, size_t id, vnt_int want)
{
    vnt_int x = heap_get(hp, id);
    return x != NULL && vnt_cmp(x, want) == 0;
}
#define holds(id, want) in(&h, id, want)

int main(void)
{
    vstack st;
    size_t a, b, id;
    struct heap_stats s, s0;
    ntu_init(&st, (size_t)1 << 20, (size_t)128 << 20);
    vnt_int one = vnt_from_ui(&st, 1);
    vstack_sp av = vstack_avma(&st);

    heap_init(&h, 64 * KiB, (size_t)64 << 20);
    heap_set_note(&h, on_note, NULL);
    heap_add_root(&h, &a);
    heap_add_root(&h, &b);
    int rc = heap_set(&h, a, one);
    if (rc != VSTACK_OK) {
        diag("%s", heap_why(&h));
        skip_all("the heap needs a pool, which needs mmap");
    }

    /* Give back at once. */
    vnt_int big = ones(&st, LB * 100000); /* 100000 limbs */
    heap_set(&h, a, big);
    heap_get_stats(&h, &s0);
    size_t want = 2 * (100000 + 3) * W;
    ok(s0.size >= want && s0.size < want + 4 * KiB && s0.grows == 1,
       "a value of 100000 limbs grows the pool to twice its size (%zu bytes, %lu growth)", s0.size,
       s0.grows);
    unsigned long told = notes[HEAP_NOTE_VERBOSE];
    heap_set(&h, a, one);
    heap_get_stats(&h, &s);
    ok(s.collections == s0.collections + 1 && s.shrinks == 1 && s.size == 64 * KiB && holds(a, one),
       "replacing it by 1 collects at once and shrinks to the minimum (%lu, %lu, %zu bytes)",
       s.collections - s0.collections, s.shrinks, s.size);
    ok(told >= 2 && notes[HEAP_NOTE_VERBOSE] == told + 2 && notes[HEAP_NOTE_WARNING] == 0,
       "growth, the collection and shrinking are told (%lu notes; last: %s)",
       notes[HEAP_NOTE_VERBOSE], last_note);

    /* Hysteresis: a of 10000 limbs, then b between 2000 and 8000 limbs many
     * times: live data between 60% and 90% of the pool. */
    vstack_set_avma(&st, av);
    vnt_int ten = ones(&st, LB * 10000);
    heap_set(&h, a, ten);
    heap_set(&h, b, ones(&st, LB * 8000));
    heap_get_stats(&h, &s0);
    gmp_randstate_t rs;
    gmp_randinit_default(rs);
    gmp_randseed_ui(rs, 7);
    int bad = 0;
    for (int i = 0; i < 300; i++) {
        vstack_sp av2 = vstack_avma(&st);
        vnt_int x = ones(&st, LB * (2000 + gmp_urandomm_ui(rs, 6001)));
        bad += heap_set(&h, b, x) != VSTACK_OK || !holds(b, x) || !holds(a, ten);
        vstack_set_avma(&st, av2);
    }
    gmp_randclear(rs);
    heap_get_stats(&h, &s);
    ok(bad == 0, "300 reassignments of b read back, a unchanged");
    ok(s.collections >= s0.collections + 50,
       "the collector ran %lu times meanwhile", s.collections - s0.collections);
    ok(s.grows == s0.grows && s.shrinks == s0.shrinks && s.size == s0.size,
       "and the pool was never resized (%lu growths, %lu shrinks, %zu bytes)",
       s.grows - s0.grows, s.shrinks - s0.shrinks, s.size);

    /* Past the maximum: refused, nothing changes.  Only the size in the
     * header is read before the refusal, so a header alone stands for a
     * value of 20 million limbs. */
    vstack_set_avma(&st, av);
    heap_set(&h, b, one);
    heap_get_stats(&h, &s0);
    mp_limb_t huge[2] = {20000000, 1};
    rc = heap_set(&h, b, huge);
    heap_get_stats(&h, &s);
    ok(rc == VSTACK_ESTACK && holds(b, one) && s.words == s0.words && s.size == s0.size,
       "a value bigger than the maximum: VSTACK_ESTACK, b keeps its value: %s", heap_why(&h));
    heap_set(&h, a, ones(&st, LB * 5000000)); /* 5 million limbs: 40 MB of the 64 (20 on i386) */
    heap_get_stats(&h, &s0);
    /* A value that fits alone but not beside a. */
    mp_limb_t more[2] = {(((size_t)64 << 20) - 5000000 * W) / W + 1000, 1};
    rc = heap_set(&h, b, more);
    heap_get_stats(&h, &s);
    ok(rc == VSTACK_ESTACK && holds(b, one) && s.words == s0.words,
       "two values that do not fit together: refused too: %s", heap_why(&h));
    vstack_set_avma(&st, av);
    heap_set(&h, a, one);

    /* The system refuses the memory, in a heap of at most 1 MiB.  A value
     * that needs the whole of it leaves no smaller size to try. */
    heap_init(&h2, 64 * KiB, 1024 * KiB);
    heap_add_root(&h2, &id);
    heap_set(&h2, id, one);
    heap_get_stats(&h2, &s0);
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_COMMIT, 1, ENOMEM);
    rc = heap_set(&h2, id, ones(&st, LB * (1024 * KiB / W - 3)));
    vs_os_fail_reset();
    heap_get_stats(&h2, &s);
    ok(rc == VSTACK_ENOMEM && in(&h2, id, one) && s.size == s0.size && s.words == s0.words,
       "the system refusing to commit: VSTACK_ENOMEM, nothing changed: %s", heap_why(&h2));
    /* Twice 60000 limbs is refused, 60000 limbs is not: the heap takes that. */
    vstack_set_avma(&st, av);
    vs_os_fail_nth(VS_OS_COMMIT, 1, ENOMEM);
    vnt_int mid = ones(&st, LB * 60000);
    rc = heap_set(&h2, id, mid);
    vs_os_fail_reset();
    heap_get_stats(&h2, &s);
    ok(rc == VSTACK_OK && in(&h2, id, mid) && s.size < (60000 + 3) * W + 4 * KiB,
       "when twice the need is refused, the need alone is asked for (%zu bytes)", s.size);
    heap_destroy(&h2);

    /* A shrink the system refuses: a warning; the next shrink works. */
    vstack_set_avma(&st, av);
    heap_set(&h, b, ones(&st, LB * 100000));
    unsigned long warnings = notes[HEAP_NOTE_WARNING];
    size_t before = pool_size(&h);
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_REMAP, 1, EINVAL);
    vs_os_fail_nth(VS_OS_UNMAP, 1, EINVAL);
    rc = heap_set(&h, b, one);
    vs_os_fail_reset();
    ok(rc == VSTACK_OK && holds(b, one) && notes[HEAP_NOTE_WARNING] == warnings + 1 &&
           pool_size(&h) == before,
       "a refused shrink: the value is stored, the pool stays at %zu bytes, one warning: %s",
       pool_size(&h), last_note);
    heap_collect(&h);
    ok(pool_size(&h) == 64 * KiB, "the next collection shrinks it (%zu bytes)", pool_size(&h));

    /* Bad arguments. */
    rc = heap_set(&h, 99, one);
    ok(rc == VSTACK_EINVAL && *heap_why(&h), "an unknown root: VSTACK_EINVAL: %s", heap_why(&h));
    rc = heap_set(&h, b, heap_get(&h, a));
    ok(rc == VSTACK_EINVAL && holds(b, one), "a value inside the heap: VSTACK_EINVAL: %s",
       heap_why(&h));
    heap_destroy(&h);

    /* A pool that cannot be made: every assignment says why, nothing is set. */
    heap_init(&h, (size_t)1 << 20, 64 * KiB);
    heap_add_root(&h, &id);
    rc = heap_set(&h, id, one);
    ok(rc == VSTACK_EINVAL && strstr(heap_why(&h), "cannot reserve the heap") &&
           heap_get(&h, id) == NULL,
       "minimum above maximum: no pool, VSTACK_EINVAL: %s", heap_why(&h));
    heap_destroy(&h);
    heap_init(&h, 64 * KiB, (size_t)256 << 20);
    heap_set_note(&h, on_note, NULL);
    heap_add_root(&h, &id);
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_PROBE, 1, ENOMEM);
    rc = heap_set(&h, id, one);
    vs_os_fail_reset();
    heap_get_stats(&h, &s);
    ok(rc == VSTACK_OK && holds(id, one), "a refused reservation is halved and the store works");
    ok(notes[HEAP_NOTE_INIT] == 1, "and the smaller reservation is told: %s", last_note);
    heap_destroy(&h);
    vstack_destroy(&st);
    return done_testing();
}
