/* SPDX-License-Identifier: MIT */
/* contender_bare.c -- a process without a big stack: the physical floor.
 *
 * It still owns a small static buffer, untouched until a forked child writes
 * its megabyte, so that the "child writes 1 MB" variant pays the same page
 * faults as every other contender and nothing else.  The pool's measurements
 * keep their live megabyte there (--keep), as the workspaces keep theirs.
 *
 * bare2 is the same again under another name: two columns of one thing,
 * measured side by side, show how far this machine lets two runs of the
 * same process differ (an A/A control), beside every other ratio.
 */
#include "config.h"

#include <stdint.h>

#include "contender.h"

#define BARE_SIZE (((size_t)1 << 20) + 4096)

static _Alignas(4096) char buf[BARE_SIZE];
static uintptr_t cur = (uintptr_t)0;

static int bare_init(size_t rsize, size_t vsize)
{
    (void)rsize;
    (void)vsize;
    cur = (uintptr_t)(buf + BARE_SIZE);
    return 0;
}

static void bare_sizes(struct vsb_sizes *out)
{
    out->reserved = out->committed = out->used = 0;
}

static uintptr_t bare_avma(void) { return cur; }

static void *bare_alloc(size_t nbytes)
{
    nbytes = (nbytes + 15) & ~(size_t)15;
    if (nbytes > cur - (uintptr_t)buf)
        return NULL;
    cur -= nbytes;
    return (void *)cur;
}

static void bare_set_avma(uintptr_t av) { cur = av; }
static void bare_reset(void) {}

/* All that bare and bare2 share: everything but their names. */
#define BARE_OPS                                                                          \
    .has_stack = 0, .init = bare_init, .sizes = bare_sizes, .avma = bare_avma,             \
    .alloc = bare_alloc, .set_avma = bare_set_avma, .reset = bare_reset

const struct contender vsb_bare = {
    .name = "bare",
    .what = "no big stack: the physical floor",
    .families = VSB_STACKS | VSB_POOLS,
    BARE_OPS,
};

const struct contender vsb_bare2 = {
    .name = "bare2",
    .what = "bare again, in processes of its own: how far two runs of one thing differ here",
    .families = 0,
    BARE_OPS,
};
