/* SPDX-License-Identifier: MIT */
/* demo.c -- a vstack with a small parisize and a large parisizemax grows
 * through a computation, shrinks back on reset, overflows a fixed-size stack
 * and recovers.  Run: examples/demo [parisizemax], e.g. examples/demo 16G */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vstack.h"

static void say(vstack *st, int err, const char *msg, void *ctx)
{
    (void)st, (void)err, (void)ctx;
    printf("  [vstack] %s\n", msg);
}

static jmp_buf recover;
static void on_error(vstack *st, int err, const char *msg, void *ctx)
{
    (void)st, (void)ctx;
    printf("  [error %s] %s\n", vstack_strerror(err), msg);
    longjmp(recover, 1);
}

static void show(const char *what, const vstack *st)
{
    struct vstack_stats s;
    vstack_get_stats(st, &s);
    printf("%-28s used %10zu  committed %10zu  reserved %12zu  grows %lu shrinks %lu\n", what,
           s.used, s.committed, s.reserved, s.grows, s.shrinks);
}

/* Fill a table of n words with a recurrence on the stack, then check it. */
static int compute(vstack *st, size_t nwords)
{
    long *t = vstack_new_chunk(st, nwords);
    if (!t)
        return -1;
    t[0] = 1;
    for (size_t i = 1; i < nwords; i++)
        t[i] = (long)((t[i - 1] * 6364136223846793005UL + 1442695040888963407UL) >> 1);
    long x = 1;
    for (size_t i = 1; i < nwords; i++) {
        x = (long)((x * 6364136223846793005UL + 1442695040888963407UL) >> 1);
        if (t[i] != x)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    vstack st;
    size_t vsize = 0;
    const char *max = argc > 1 ? argv[1] : "16G";

    vstack_set_default_handlers(NULL, say, NULL);
    if (vstack_parse_size(max, &vsize) != VSTACK_OK) {
        fprintf(stderr, "demo: bad size '%s'\n", max);
        return 2;
    }
    if (vstack_init(&st, 1 << 20, vsize, 0) != VSTACK_OK) {
        fprintf(stderr, "demo: %s\n", vstack_last_error(&st));
        return 1;
    }
    vstack_set_error_handler(&st, on_error, NULL);
    vstack_set_verbose(&st, 1);
    printf("parisize 1M, parisizemax %s\n", max);
    show("after init:", &st);

    vstack_sp av = vstack_avma(&st);
    if (setjmp(recover) == 0 && compute(&st, (size_t)256 << 20 >> 3) == 0)
        show("after a 256 MB computation:", &st);
    vstack_set_avma(&st, av);
    vstack_reset(&st);
    show("after reset:", &st);

    printf("default(parisizemax, 0): a fixed-size stack\n");
    vstack_default(&st, "parisizemax", "0");
    if (setjmp(recover) == 0)
        compute(&st, (size_t)64 << 20 >> 3);
    show("after the overflow:", &st);
    vstack_default(&st, "parisizemax", max);
    if (setjmp(recover) == 0 && compute(&st, (size_t)64 << 20 >> 3) == 0)
        show("recovered, 64 MB computed:", &st);
    size_t ps, pm;
    vstack_default_get(&st, "parisize", &ps);
    vstack_default_get(&st, "parisizemax", &pm);
    printf("parisize = %zu, parisizemax = %zu\n", ps, pm);
    vstack_destroy(&st);
    return 0;
}
