/* SPDX-License-Identifier: MIT */
/* contender_bound.c -- a vstack bound to an embedder's own stack pointer.
 *
 * What PARI on vstack does, without PARI: the stack pointer is a variable
 * of this file, bound with vstack_bind_avma; allocation is inline code of
 * this file that moves it and compares with the committed bottom, and
 * calls the library only to grow; init commits parisize at once, as PARI
 * does.  At fork the library cannot know what was touched below the
 * pointer, so it marks all of [bot, avma) when that is at least
 * VS_BOUND_WIPE_MIN (src/internal.h), and leaves it to be copied below.
 *
 * The same file makes three contenders, each linked with a library built
 * with another threshold, so that one table compares them side by side:
 *   vstack+bound   in vsbench: the library as shipped
 *   bound-marked   in vsbench-bound-marked: threshold 0, always marked
 *   bound-copied   in vsbench-bound-copied: threshold SIZE_MAX, never marked
 * VSB_BOUND_NAME and VSB_BOUND_WHAT name it; bench/Makefile.inc builds
 * the other two libraries.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "contender.h"
#include "measure.h"
#include "vstack.h"

#ifndef VSB_BOUND_NAME
#define VSB_BOUND_NAME "vstack+bound"
#define VSB_BOUND_WHAT "libvstack bound to the embedder's stack pointer (vstack_bind_avma), as shipped"
#endif

static vstack st;
static vstack_sp avma_;   /* the embedder's stack pointer, as PARI's avma */
static vstack_sp bot, top; /* what is committed: [bot, top) */

static void on_message(vstack *s, int err, const char *msg, void *ctx)
{
    (void)s;
    (void)ctx;
    fprintf(stderr, "vsbench: %s: %s (%s)\n", VSB_BOUND_NAME, msg, vstack_strerror(err));
}

static void committed(void)
{
    struct vstack_stats s;
    vstack_get_stats(&st, &s);
    bot = top - s.committed;
}

static int bound_init(size_t rsize, size_t vsize)
{
    int err;

    vstack_set_default_handlers(on_message, on_message, NULL);
    err = vstack_init(&st, rsize, vsize, 0);
    if (err != VSTACK_OK) {
        fprintf(stderr, "vsbench: %s: vstack_init(%zu, %zu): %s\n", VSB_BOUND_NAME, rsize, vsize,
                vstack_strerror(err));
        return -1;
    }
    top = avma_ = vstack_top(&st);
    if ((err = vstack_bind_avma(&st, &avma_)) != VSTACK_OK ||
        (err = vstack_grow(&st, rsize)) != VSTACK_OK) {
        fprintf(stderr, "vsbench: %s: %s\n", VSB_BOUND_NAME, vstack_last_error(&st));
        return -1;
    }
    committed();
    return 0;
}

static void bound_sizes(struct vsb_sizes *out)
{
    struct vstack_stats s;
    vstack_get_stats(&st, &s);
    out->reserved = s.reserved;
    out->committed = s.committed;
    out->used = top - avma_;
}

static uintptr_t bound_avma(void) { return avma_; }

/* The embedder's own allocation: inline, the library only to grow (by
 * doubling, as PARI does). */
static void *bound_alloc(size_t nbytes)
{
    if (avma_ - bot < nbytes) {
        size_t need = top - avma_ + nbytes, size = top - bot;
        if (need < nbytes)
            return NULL;
        while (size < need && size <= SIZE_MAX / 2)
            size *= 2;
        if (vstack_grow(&st, size) != VSTACK_OK && vstack_grow(&st, need) != VSTACK_OK)
            return NULL;
        committed();
    }
    avma_ -= nbytes;
    return (void *)avma_;
}

static void bound_set_avma(uintptr_t av) { avma_ = av; }

static void bound_reset(void)
{
    int err = vstack_reset(&st);
    if (err != VSTACK_OK)
        vsb_die("%s: vstack_reset: %s", VSB_BOUND_NAME, vstack_last_error(&st));
    committed();
}

const struct contender vsb_bound = {
    .name = VSB_BOUND_NAME,
    .what = VSB_BOUND_WHAT,
    .families = 0, /* by name: bench/run's threshold table */
    .has_stack = 1,
    .init = bound_init,
    .sizes = bound_sizes,
    .avma = bound_avma,
    .alloc = bound_alloc,
    .set_avma = bound_set_avma,
    .reset = bound_reset,
};
