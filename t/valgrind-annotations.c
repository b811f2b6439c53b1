/* SPDX-License-Identifier: MIT */
/* valgrind-annotations: under memcheck, the stack tells valgrind what is
 * live: a fresh chunk is addressable but undefined, memory popped by
 * vstack_set_avma or never handed out is not addressable, and a huge
 * parisizemax (or a pool's maxsize and minsize) is capped at
 * VSTACK_VALGRIND_MAX with a warning.  This test is
 * built with VSTACK_DEBUG, so that every pop is a library call and memcheck
 * knows at once; a pop by the plain store of a normal build is seen at the
 * next library call.  The checks use VALGRIND_GET_VBITS, which reports
 * instead of raising memcheck errors.  Outside valgrind only the API itself
 * is exercised, with VSTACK_DEBUG's check of the popped-to address. */
#include "config.h"

#ifndef VSTACK_DEBUG
#error "build this test with -DVSTACK_DEBUG"
#endif

#include <string.h>
#include <vstack.h>
#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>
#endif

#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

#ifdef HAVE_VALGRIND_MEMCHECK_H

static void memcheck_part(void)
{
    struct tu_logs logs;
    vstack st;
    unsigned char *p, *q;
    vstack_sp av0;
    unsigned errors0 = VALGRIND_COUNT_ERRORS;

    tu_capture_defaults(&logs);
    if (vstack_init(&st, 1 * MB, 64 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init(1 MiB, 64 MiB) failed");
    av0 = vstack_avma(&st);

    tu_is_mem_state((void *)(vstack_top(&st) - 4096), 4096, TU_NOACCESS, "an empty stack's committed part");
    tu_is_mem_state((void *)(tu_bot(&st) - 4096), 4096, TU_NOACCESS, "the reserved part below bot");

    p = vstack_alloc(&st, 4096);
    tu_is_mem_state(p, 4096, TU_UNDEFINED, "a fresh chunk");
    memset(p, 1, 4096);
    tu_is_mem_state(p, 4096, TU_DEFINED, "a chunk after writing it");
    tu_is_mem_state((void *)(vstack_avma(&st) - 4096), 4096, TU_NOACCESS, "the free space below avma");

    q = vstack_alloc(&st, 256);
    memset(q, 2, 256);
    vstack_set_avma(&st, (vstack_sp)p);
    tu_is_mem_state(q, 256, TU_NOACCESS, "a chunk popped by vstack_set_avma");
    tu_is_mem_state(p, 4096, TU_DEFINED, "the chunk below it stays defined");

    vstack_set_avma(&st, av0);
    tu_is_mem_state(p, 4096, TU_NOACCESS, "everything popped back to top");
    p = vstack_alloc(&st, 4096);
    tu_is_mem_state(p, 4096, TU_UNDEFINED, "the same address handed out again is undefined");

    /* A chunk that makes the stack grow. */
    q = vstack_alloc(&st, 3 * MB);
    ok(q != NULL, "3 MiB allocation grows the stack");
    if (q) {
        tu_is_mem_state(q, 64 * KB, TU_UNDEFINED, "a chunk from growth (low end)");
        tu_is_mem_state(q + 3 * MB - 64 * KB, 64 * KB, TU_UNDEFINED, "a chunk from growth (high end)");
        memset(q, 3, 3 * MB);
    }
    vstack_set_avma(&st, (vstack_sp)p);
    is_int(vstack_reset(&st), VSTACK_OK, "vstack_reset");
    if (q)
        tu_is_mem_state(q, 64 * KB, TU_NOACCESS, "popped and decommitted memory");
    else
        skip(1, "no chunk");

    /* vstack_new_chunk behaves like vstack_alloc. */
    {
        long *w = vstack_new_chunk(&st, 100);
        tu_is_mem_state(w, 100 * sizeof(long), TU_UNDEFINED, "vstack_new_chunk(100)");
    }

    /* Popping to a point inside a chunk. */
    {
        unsigned char *c = vstack_alloc(&st, 1024);
        memset(c, 4, 1024);
        vstack_set_avma(&st, (vstack_sp)(c + 512));
        tu_is_mem_state(c, 512, TU_NOACCESS, "the lower half of a partly popped chunk");
        tu_is_mem_state(c + 512, 512, TU_DEFINED, "its upper half");
    }

    /* A pop by a plain store, as a normal build makes it: memcheck learns of
     * it at the next library call. */
    {
        vstack_sp av = vstack_avma(&st);
        unsigned char *c = vstack_alloc(&st, 4096);
        memset(c, 5, 4096);
        st.avma = av; /* what vstack_set_avma is without VSTACK_DEBUG */
        tu_is_mem_state(c, 4096, TU_DEFINED, "a plain-store pop: still addressable until the library is called");
        vstack_pop_all(&st);
        vstack_set_avma(&st, av);
        tu_is_mem_state(c, 4096, TU_NOACCESS, "a plain-store pop: no access after the next library call");
    }

    /* Trim: the pages below avma read as zero afterwards but are free. */
    is_int(vstack_trim(&st), VSTACK_OK, "vstack_trim");
    tu_is_mem_state((void *)(vstack_avma(&st) - 64 * KB), 64 * KB, TU_NOACCESS,
             "free memory after a trim");
    vstack_destroy(&st);

    /* The reservation is capped under valgrind, with a warning. */
    tu_logs_clear(&logs);
    if (vstack_init(&st, 1 * MB, sizeof(size_t) >= 8 ? (size_t)16 << 30 : 2048 * MB, 0) !=
        VSTACK_OK)
        bail_out("vstack_init with a huge parisizemax failed");
    {
        size_t v = 0;
        vstack_default_get(&st, "parisizemax", &v);
        ok(tu_stats(&st).reserved <= VSTACK_VALGRIND_MAX,
           "a huge parisizemax is capped at VSTACK_VALGRIND_MAX (%zu)", tu_stats(&st).reserved);
        is_int(v, tu_stats(&st).reserved, "parisizemax reports the capped size");
        if (!ok(logs.warn.count >= 1 && tu_contains_nocase(logs.warn.all, "valgrind"),
                "the cap is announced by a warning that mentions valgrind"))
            tu_logs_diag(&logs);
    }
    vstack_destroy(&st);
    /* A bound stack (vstack_bind_avma): the embedder allocates without a
     * call, so all that is committed is addressable once bound; a trim
     * leaves defined zeros; unbinding makes what is below avma no-access
     * again. */
    {
        static vstack_sp var;
        if (vstack_init(&st, 1 * MB, 64 * MB, 0) != VSTACK_OK || !vstack_alloc(&st, 64 * KB))
            bail_out("a stack to bind");
        vstack_pop_all(&st);
        unsigned char *below = (unsigned char *)vstack_top(&st) - 64 * KB;
        tu_is_mem_state(below, 4096, TU_NOACCESS, "before binding, what was popped");
        var = vstack_top(&st);
        is_int(vstack_bind_avma(&st, &var), VSTACK_OK, "bind");
        tu_is_mem_state(below, 4096, TU_UNDEFINED, "bound: the committed part below avma is addressable");
        var -= 128 * KB; /* the embedder's own allocation */
        memset((void *)var, 6, 128 * KB);
        unsigned char *c = vstack_alloc(&st, 4096);
        ok(c && var == (vstack_sp)c, "bound: vstack_alloc moves the variable");
        tu_is_mem_state(c, 4096, TU_UNDEFINED, "bound: what it hands out is addressable, as it was");
        if (c)
            memset(c, 7, 4096);
        static vstack_sp var2;
        var2 = var;
        is_int(vstack_bind_avma(&st, &var2), VSTACK_OK, "bound again, to another variable");
        tu_is_mem_state(c, 4096, TU_DEFINED, "rebinding changes nothing memcheck knows");
        var = var2;
        is_int(vstack_bind_avma(&st, &var), VSTACK_OK, "and back");
        is_int(vstack_grow(&st, 4 * MB), VSTACK_OK, "bound: grow");
        tu_is_mem_state((void *)(tu_bot(&st) + 4096), 4096, TU_UNDEFINED, "bound: what growth commits is addressable");
        is_int(vstack_trim(&st), VSTACK_OK, "bound: trim");
        tu_is_mem_state((void *)(var - 4096), 4096, TU_DEFINED, "bound: trimmed pages are defined zeros");
        tu_is_mem_state((void *)var, 4096, TU_DEFINED, "bound: the embedder's data is still defined");
        is_int(vstack_bind_avma(&st, NULL), VSTACK_OK, "unbind");
        ok(vstack_avma(&st) == var, "unbound: the head takes the variable's value");
        tu_is_mem_state((void *)(var - 4096), 4096, TU_NOACCESS, "unbound: below avma is no-access again");
        tu_is_mem_state((void *)var, 4096, TU_DEFINED, "unbound: the data above avma is still defined");
        vstack_destroy(&st);
    }
    /* So is a pool's, and a minsize above the cap with it. */
    {
        vstack_pool pool;
        struct vstack_pool_stats ps;
        int rc = vstack_pool_init(&pool, 768 * MB, 1024 * MB, 0);
        ok(rc == VSTACK_OK && strstr(vstack_pool_last_error(&pool), "valgrind"),
           "a pool whose minsize is above the cap: made, and the sentence mentions valgrind: %s",
           vstack_pool_last_error(&pool));
        vstack_pool_get_stats(&pool, &ps);
        ok(rc == VSTACK_OK && ps.reserved == VSTACK_VALGRIND_MAX && ps.size == VSTACK_VALGRIND_MAX &&
               ps.minsize == VSTACK_VALGRIND_MAX,
           "reservation, size and minsize are all the cap (%zu, %zu, %zu)", ps.reserved, ps.size, ps.minsize);
        if (rc == VSTACK_OK)
            vstack_pool_destroy(&pool);
    }
    /* A pool: a fresh commit is defined (zeros, as vstack_pool(3) says),
     * what it gives back no-access. */
    {
        vstack_pool pool;
        if (vstack_pool_init(&pool, 64 * KB, 16 * MB, 0) != VSTACK_OK)
            bail_out("vstack_pool_init failed");
        unsigned char *b = vstack_pool_base(&pool);
        tu_is_mem_state(b, 4096, TU_DEFINED, "a pool's first commit");
        vstack_pool_resize(&pool, 1 * MB);
        tu_is_mem_state(b + 512 * KB, 4096, TU_DEFINED, "what a pool's growth commits");
        memset(b, 1, 1 * MB);
        vstack_pool_resize(&pool, 0);
        tu_is_mem_state(b + 512 * KB, 4096, TU_NOACCESS, "what a pool gives back");
        tu_is_mem_state(b, 4096, TU_DEFINED, "what it keeps");
        vstack_pool_destroy(&pool);
    }
    is_int(VALGRIND_COUNT_ERRORS - errors0, 0, "the library caused no memcheck error");
    vstack_set_default_handlers(NULL, NULL, NULL);
}
#endif

/* The same sequence through the API only, checked by values. */
static void api_part(void)
{
    struct tu_logs logs;
    vstack st;
    unsigned char *p, *q;
    vstack_sp av0;

    tu_capture_defaults(&logs);
    if (vstack_init(&st, 1 * MB, 64 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init(1 MiB, 64 MiB) failed");
    av0 = vstack_avma(&st);
    p = vstack_alloc(&st, 4096);
    ok(p != NULL, "alloc 4096");
    memset(p, 1, 4096);
    q = vstack_alloc(&st, 256);
    memset(q, 2, 256);
    vstack_set_avma(&st, (vstack_sp)p);
    ok(vstack_avma(&st) == (vstack_sp)p && p[0] == 1 && p[4095] == 1, "pop keeps the chunk below");
    vstack_set_avma(&st, av0);
    ok(vstack_avma(&st) == av0, "pop to top");
    ok(vstack_alloc(&st, 4096) == p, "the same request gets the same address");
    q = vstack_alloc(&st, 3 * MB);
    ok(q != NULL, "growth");
    if (q)
        memset(q, 3, 3 * MB);
    vstack_set_avma(&st, (vstack_sp)p);
    is_int(vstack_reset(&st), VSTACK_OK, "reset");
    is_int(vstack_trim(&st), VSTACK_OK, "trim");
    {
        unsigned char *z = vstack_alloc(&st, 64 * KB);
        size_t nonzero = 0;
        if (z && !tap_under_valgrind())
            for (size_t i = 0; i < 64 * KB; i++)
                nonzero += z[i] != 0;
        ok(z != NULL && nonzero == 0, "memory discarded by trim reads as zero");
    }
    /* VSTACK_DEBUG checks where vstack_set_avma goes. */
    {
        vstack_sp av = vstack_avma(&st);
        vstack_set_avma(&st, vstack_top(&st) + 4096);
        ok(logs.err.count == 1 && logs.err.last_err == VSTACK_EINVAL && vstack_avma(&st) == av,
           "VSTACK_DEBUG: vstack_set_avma above top is refused through the error handler");
        logs.err.count = 0;
        /* Below avma is free memory, not a place a saved pointer can be:
         * [avma, top] only, as documented, even where lim is lower. */
        unsigned char *below = vstack_alloc(&st, 64 * KB);
        vstack_set_avma(&st, av);
        ok(below != NULL && logs.err.count == 0, "VSTACK_DEBUG: back up to a saved avma is accepted");
        vstack_set_avma(&st, av - 4096);
        ok(logs.err.count == 1 && logs.err.last_err == VSTACK_EINVAL && vstack_avma(&st) == av,
           "VSTACK_DEBUG: vstack_set_avma below avma is refused (%s)", logs.err.last);
        vstack_set_avma(&st, vstack_top(&st));
        ok(logs.err.count == 1 && vstack_avma(&st) == vstack_top(&st), "VSTACK_DEBUG: the top itself is accepted");
        logs.err.count = 0;
    }
    vstack_destroy(&st);
    is_int(logs.err.count, 0, "no other error message");
    vstack_set_default_handlers(NULL, NULL, NULL);
}

int main(void)
{
    tu_require_mmap();
    api_part();
#ifdef HAVE_VALGRIND_MEMCHECK_H
    if (RUNNING_ON_VALGRIND)
        memcheck_part();
    else
        skip(1, "not running under valgrind");
#else
    skip(1, "built without <valgrind/memcheck.h>");
#endif
    return done_testing();
}
