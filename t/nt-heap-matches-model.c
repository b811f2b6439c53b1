/* SPDX-License-Identifier: MIT */
/* The heap of ntcalc's variables (calc/heap.c) against a model kept in GMP's
 * mpz: random assignments, reassignments and reads of many roots, with
 * values from one limb to 10^5 limbs, in a pool small enough that
 * collections, growth, shrinking and refusals all happen (each is counted,
 * and the test fails if one never did).  A refused assignment leaves the
 * old value.  The counts getheap() reports follow the model, and a child
 * of fork sees every value: the pool is told after each change how much of
 * it is in use, and fork-wipe leaves that part alone. */
#include "nt-util.h"
#include "../calc/heap.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define NROOTS 48
#define MAXLIMBS 100000
#define HEAP_MIN ((size_t)4096)
#define HEAP_MAX ((size_t)2 << 20)

static struct heap h;
static mpz_t model[NROOTS];
static int isset[NROOTS];

/* Root i holds what the model says. */
static int root_ok(size_t i)
{
    vnt_int x = heap_get(&h, i);
    return isset[i] ? x != NULL && ntu_eq(x, model[i]) : x == NULL;
}

static int all_roots_ok(void)
{
    for (size_t i = 0; i < NROOTS; i++)
        if (!root_ok(i))
            return 0;
    return 1;
}

/* The counts agree with the model: objects, words (limbs + 3 each), and the
 * pool holds what is in use. */
static int counts_ok(void)
{
    struct heap_stats s;
    size_t objects = 0, words = 0;
    heap_get_stats(&h, &s);
    for (size_t i = 0; i < NROOTS; i++)
        if (isset[i]) {
            objects++;
            words += mpz_size(model[i]) + 1 + HEAP_OVERHEAD;
        }
    return s.objects == objects && s.words == words && s.top >= s.words &&
           s.top * sizeof(mp_limb_t) <= s.size && s.size <= s.reserved;
}

/* A child of fork reads every root. */
static int child_sees_all(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0)
        _exit(all_roots_ok() ? 0 : 1);
    int status;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
    vstack st;
    gmp_randstate_t rs;
    mpz_t z;
    int under_vg = tap_under_valgrind();
    unsigned long nops = under_vg ? 2000 : 4000;
    unsigned long sets = 0, refused = 0, reads = 0, bad_set = 0, bad_refusal = 0, bad_read = 0,
                  bad_counts = 0, forks = 0, bad_forks = 0, biggest = 0;

    ntu_init(&st, (size_t)1 << 20, (size_t)256 << 20);
    heap_init(&h, HEAP_MIN, HEAP_MAX);
    for (size_t i = 0; i < NROOTS; i++) {
        size_t id;
        if (heap_add_root(&h, &id) != VSTACK_OK || id != i)
            bail_out("heap_add_root: %s", heap_why(&h));
    }
    if (heap_set(&h, 0, vnt_from_ui(&st, 0)) != VSTACK_OK) {
        diag("%s", heap_why(&h));
        skip_all("the heap needs a pool, which needs mmap");
    }
    isset[0] = 1;
    gmp_randinit_default(rs);
    gmp_randseed_ui(rs, 20261129);
    mpz_init(z);
    for (size_t i = 0; i < NROOTS; i++)
        mpz_init(model[i]);

    vstack_sp av = vstack_avma(&st);
    for (unsigned long op = 0; op < nops; op++) {
        size_t i = gmp_urandomm_ui(rs, NROOTS);
        unsigned long r = gmp_urandomm_ui(rs, 100);
        if (r < 55) {
            size_t n = gmp_urandomm_ui(rs, 20) == 0 ? 0 : ntu_size(rs, MAXLIMBS);
            ntu_random(z, rs, n, (int)gmp_urandomm_ui(rs, 2));
            vnt_int x = ntu_from_mpz(&st, z);
            struct heap_stats s;
            heap_get_stats(&h, &s);
            size_t old = isset[i] ? mpz_size(model[i]) + 1 + HEAP_OVERHEAD : 0;
            int rc = heap_set(&h, i, x);
            if (rc == VSTACK_OK) {
                sets++;
                mpz_set(model[i], z);
                isset[i] = 1;
                if (n > biggest)
                    biggest = n;
                bad_set += !root_ok(i);
            } else {
                /* Only when the live values and the new one really exceed the pool. */
                refused++;
                size_t need = (s.words - old + n + 1 + HEAP_OVERHEAD) * sizeof(mp_limb_t);
                if (rc != VSTACK_ESTACK || need <= s.reserved || !root_ok(i)) {
                    if (bad_refusal++ == 0)
                        diag("refusal %d (%s) for %zu bytes, reserved %zu", rc, heap_why(&h), need,
                             s.reserved);
                }
            }
        } else if (r < 96) {
            reads++;
            bad_read += !root_ok(i);
        } else if (r < 97) {
            /* Half the roots set to 0: the pool is left mostly garbage. */
            mpz_set_ui(z, 0);
            for (size_t k = 0; k < NROOTS / 2; k++) {
                size_t j = gmp_urandomm_ui(rs, NROOTS);
                if (heap_set(&h, j, ntu_from_mpz(&st, z)) == VSTACK_OK) {
                    mpz_set_ui(model[j], 0);
                    isset[j] = 1;
                }
                bad_set += !root_ok(j);
            }
        } else {
            heap_collect(&h);
        }
        bad_counts += !counts_ok();
        if (op % 100 == 99 && !all_roots_ok())
            bad_read++;
        if (op % 400 == 399) {
            forks++;
            bad_forks += !child_sees_all();
        }
        vstack_set_avma(&st, av);
    }
    struct heap_stats s;
    heap_get_stats(&h, &s);
    ok(bad_set == 0, "%lu assignments: each value reads back as stored (%lu bad)", sets, bad_set);
    ok(bad_read == 0 && all_roots_ok(),
       "%lu reads and the periodic full checks match the model (%lu bad)", reads, bad_read);
    ok(refused > 0 && bad_refusal == 0,
       "%lu assignments past the %zu-byte limit were refused, each keeping the old value (%lu bad)",
       refused, HEAP_MAX, bad_refusal);
    ok(bad_counts == 0, "objects and words follow the model after every operation (%lu bad)",
       bad_counts);
    ok(s.collections > 0, "the collector ran %lu times", s.collections);
    ok(s.grows > 0 && s.shrinks > 0, "the pool grew %lu times and shrank %lu times", s.grows,
       s.shrinks);
    ok(biggest >= MAXLIMBS / 2, "values reached %lu limbs", biggest);
    ok(forks > 0 && bad_forks == 0, "%lu children of fork saw every value (%lu did not)", forks,
       bad_forks);

    /* Small values everywhere: the big ones become garbage, and after a
     * collection the pool goes back to its minimum. */
    for (size_t i = 0; i < NROOTS; i++) {
        mpz_set_si(z, -(long)i);
        if (heap_set(&h, i, ntu_from_mpz(&st, z)) == VSTACK_OK) {
            mpz_set(model[i], z);
            isset[i] = 1;
        }
        vstack_set_avma(&st, av);
    }
    heap_collect(&h);
    heap_get_stats(&h, &s);
    ok(all_roots_ok() && counts_ok(), "small values everywhere read back");
    ok(s.size <= 16384, "the pool shrank back near its minimum (%zu bytes)", s.size);
    heap_destroy(&h);
    heap_get_stats(&h, &s);
    ok(s.objects == 0 && s.size == 0 && heap_get(&h, 0) == NULL, "heap_destroy leaves nothing");

    for (size_t i = 0; i < NROOTS; i++)
        mpz_clear(model[i]);
    mpz_clear(z);
    gmp_randclear(rs);
    vstack_destroy(&st);
    return done_testing();
}
