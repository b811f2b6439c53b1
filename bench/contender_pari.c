/* SPDX-License-Identifier: MIT */
/* contender_pari.c -- PARI's own main stack, through libpari.
 *
 * One file for every PARI: Debian's libpari (pari, in vsbench-pari), and
 * the builds of contrib/pari/build that configure found (pari-stock, the
 * same source unchanged, and pari-vstack, its stacks on libvstack), each
 * in a program of its own, linked with that build's libpari (an rpath):
 * VSB_PARI_NAME names the contender and VSB_PARI_DIR the prefix its
 * libpari must come from.  A program that finds another libpari loaded (an
 * LD_LIBRARY_PATH) says so and is left out: it would measure the wrong one.
 *
 * pari_init_opts gives a stack of parisize; paristack_setsize then sets
 * parisize and parisizemax as gp's default() does.  PARI reserves
 * parisizemax (halving it, with a warning, while a trial mapping is
 * refused), grows by doubling and shrinks back on parivstack_reset.
 *
 * PARI has one main stack per thread.  More stacks in one process are the
 * stacks pari_thread_valloc sets up for threads to come: what a program with
 * that many PARI threads reserves, without the threads.
 */
#define _GNU_SOURCE /* dladdr */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pari/pari.h>

#include "contender.h"
#include "measure.h"
#ifdef VSB_PARI_VSTACK
#include "vstack.h"
#endif

#ifndef VSB_PARI_NAME
#define VSB_PARI_NAME "pari"
#define VSB_PARI_WHAT "PARI's main stack through libpari"
#endif

#ifdef VSB_PARI_DIR
/* NULL when the library that holds fn was loaded from VSB_PARI_DIR/lib,
 * else why not. */
static const char *loaded_elsewhere(void *fn, const char *what)
{
    static char why[512];
    static const char lib[] = VSB_PARI_DIR "/lib/";
    Dl_info info;

    if (!dladdr(fn, &info) || !info.dli_fname) {
        snprintf(why, sizeof why, "cannot tell which %s this program loaded (dladdr)", what);
        return why;
    }
    if (strncmp(info.dli_fname, lib, sizeof lib - 1) == 0)
        return NULL;
    snprintf(why, sizeof why, "this program loaded %s, not the %s of %s (LD_LIBRARY_PATH?)",
             info.dli_fname, what, VSB_PARI_DIR);
    return why;
}

/* NULL when this program runs the libpari of VSB_PARI_DIR (and its
 * libvstack, for PARI on vstack). */
static const char *pari_elsewhere(void)
{
    const char *why = loaded_elsewhere((void *)pari_init_opts, "libpari");
#ifdef VSB_PARI_VSTACK
    if (!why)
        why = loaded_elsewhere((void *)vstack_bind_avma, "libvstack");
#endif
    return why;
}
#endif

static int pari_start(size_t rsize, size_t vsize)
{
#ifdef VSB_PARI_DIR
    const char *why = pari_elsewhere();
    if (why) {
        fprintf(stderr, "vsbench: %s: %s\n", VSB_PARI_NAME, why);
        return -1;
    }
#endif
    /* No signal handlers, no prime table, no threads, GMP's own allocator:
     * just the stack.  INIT_DFTm is needed, paristack_setsize reads gp's
     * defaults. */
    pari_init_opts(rsize, 0, INIT_DFTm | INIT_noPRIMEm | INIT_noIMTm | INIT_noINTGMPm);
    DEBUGMEM = 0; /* no "increasing stack size" warnings while we time */
    paristack_setsize(rsize, vsize);
    return 0;
}

static void pari_sizes(struct vsb_sizes *out)
{
    out->reserved = pari_mainstack->vsize ? pari_mainstack->vsize : pari_mainstack->rsize;
    out->committed = pari_mainstack->top - pari_mainstack->bot;
    out->used = pari_mainstack->top - avma;
}

static uintptr_t pari_avma(void) { return avma; }

static void *pari_alloc(size_t nbytes)
{
    return new_chunk((nbytes + sizeof(long) - 1) / sizeof(long));
}

static void pari_set_avma(uintptr_t av) { set_avma(av); }
static void pari_reset(void) { parivstack_reset(); }

static int pari_add_stacks(long n, size_t rsize, size_t vsize)
{
    /* Never freed: they live as long as the process, like the threads' would. */
    struct pari_thread *th = calloc((size_t)n, sizeof *th);
    long i;

    if (!th) {
        fprintf(stderr, "vsbench: pari: no memory for %ld thread records\n", n);
        return -1;
    }
    for (i = 0; i < n; i++)
        pari_thread_valloc(&th[i], rsize, vsize, gen_0);
    return 0;
}

static double pari_fast_path(long iters, size_t nwords)
{
    uint64_t t0 = vsb_now_ns();
    long i;

    for (i = 0; i < iters; i++) {
        VSB_OPAQUE();
        pari_sp av = avma;
        GEN p = new_chunk(nwords);
        p[0] = i;
        VSB_USE(p);
        set_avma(av);
    }
    return (double)(vsb_now_ns() - t0) / (double)iters;
}

/* PARI's stack pointer is its own (thread-local) global, avma: the loop
 * cannot make it a local variable, and need not, since it runs PARI's own
 * inline new_chunk and set_avma. */
static double pari_tight_loop(long iters)
{
    uint64_t t0 = vsb_now_ns();
    long i, sink = 0;

    for (i = 0; i < iters; i++) {
        pari_sp av = avma;
        GEN x = new_chunk(4 + (size_t)(i & 7));
        x[0] = i;
        sink += x[0];
        VSB_KEEP(x);
        set_avma(av);
    }
    return vsb_loop_end(t0, iters, sink);
}

const struct contender vsb_pari = {
    .name = VSB_PARI_NAME,
    .what = VSB_PARI_WHAT,
    .families = VSB_STACKS,
    .has_stack = 1,
    .init = pari_start,
    .sizes = pari_sizes,
    .avma = pari_avma,
    .alloc = pari_alloc,
    .set_avma = pari_set_avma,
    .reset = pari_reset,
    .add_stacks = pari_add_stacks,
    .fast_path = pari_fast_path,
    .tight_loop = pari_tight_loop,
#ifdef VSB_PARI_DIR
    .unavailable = pari_elsewhere,
#endif
};
