/* SPDX-License-Identifier: MIT */
/* contender_vstack.c -- libvstack, as shipped and with its fork-related options.
 *
 *   vstack             vstack_init(..., 0): the library's defaults
 *   vstack+noforkwipe  VSTACK_NOFORKWIPE: fork copies the free part, as a
 *                      plain mapping would (the behaviour before fork-wipe)
 *   vstack+hugepages   VSTACK_HUGEPAGES: commit in transparent huge pages
 *   vstack+nopopulate  VSTACK_NOPOPULATE: first touch page by page (the
 *                      behaviour before batched populate), for the growth
 *                      table's side-by-side
 *   vstack+trim        defaults, and vstack_trim on every stack just before
 *                      each fork (the driver calls the trim hook)
 *   vstack+noprobe     VSTACK_NOPROBE: no trial mapping, so the reservation may
 *                      exceed what the machine could ever commit (bench/run
 *                      uses it for the idle fork with a vast vsize)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "contender.h"
#include "measure.h"
#include "vstack.h"

static vstack st;
/* The stacks of add_stacks, idle beside st. */
static vstack *extra;
static long nextra;
/* How st was set up: the tight loop's local stack is set up alike, and so
 * are the extra stacks (with their own sizes). */
static unsigned vs_flags;
static size_t vs_rsize, vs_vsize;

static void on_message(vstack *s, int err, const char *msg, void *ctx)
{
    (void)s;
    (void)ctx;
    fprintf(stderr, "vsbench: vstack: %s (%s)\n", msg, vstack_strerror(err));
}

static int init_one(vstack *s, size_t rsize, size_t vsize)
{
    int err = vstack_init(s, rsize, vsize, vs_flags);
    if (err != VSTACK_OK) {
        fprintf(stderr, "vsbench: vstack_init(%zu, %zu, %#x): %s\n", rsize, vsize, vs_flags,
                vstack_last_error(s)[0] ? vstack_last_error(s) : vstack_strerror(err));
        return -1;
    }
    return 0;
}

static int start(size_t rsize, size_t vsize, unsigned flags)
{
    vstack_set_default_handlers(on_message, on_message, NULL);
    vs_flags = flags;
    vs_rsize = rsize;
    vs_vsize = vsize;
    return init_one(&st, rsize, vsize);
}

static int init_default(size_t rsize, size_t vsize) { return start(rsize, vsize, 0); }
static int init_noforkwipe(size_t rsize, size_t vsize)
{
    return start(rsize, vsize, VSTACK_NOFORKWIPE);
}
static int init_huge(size_t rsize, size_t vsize) { return start(rsize, vsize, VSTACK_HUGEPAGES); }
static int init_nopopulate(size_t rsize, size_t vsize) { return start(rsize, vsize, VSTACK_NOPOPULATE); }
static int init_noprobe(size_t rsize, size_t vsize) { return start(rsize, vsize, VSTACK_NOPROBE); }

static int vs_add_stacks(long n, size_t rsize, size_t vsize)
{
    vstack *more = realloc(extra, (size_t)(nextra + n) * sizeof *extra);

    if (!more) {
        fprintf(stderr, "vsbench: vstack: no memory for %ld more stacks\n", n);
        return -1;
    }
    extra = more;
    for (; n > 0; n--, nextra++)
        if (init_one(&extra[nextra], rsize, vsize))
            return -1;
    return 0;
}

static void vs_sizes(struct vsb_sizes *out)
{
    struct vstack_stats s;
    vstack_get_stats(&st, &s);
    out->reserved = s.reserved;
    out->committed = s.committed;
    out->used = s.used;
}

static uintptr_t vs_avma(void) { return vstack_avma(&st); }
static void *vs_alloc(size_t nbytes) { return vstack_alloc(&st, nbytes); }
static void vs_set_avma(uintptr_t av) { vstack_set_avma(&st, av); }

static void vs_reset(void)
{
    int err = vstack_reset(&st);
    if (err != VSTACK_OK)
        vsb_die("vstack_reset: %s", vstack_strerror(err));
}

static void trim_one(vstack *s)
{
    int err = vstack_trim(s);
    if (err != VSTACK_OK)
        vsb_die("vstack_trim: %s", vstack_strerror(err));
}

static void vs_trim(void)
{
    long i;

    trim_one(&st);
    for (i = 0; i < nextra; i++)
        trim_one(&extra[i]);
}

static double vs_fast_path(long iters, size_t nwords)
{
    uint64_t t0 = vsb_now_ns();
    long i;

    for (i = 0; i < iters; i++) {
        VSB_OPAQUE();
        vstack_sp av = vstack_avma(&st);
        long *p = vstack_new_chunk(&st, nwords);
        p[0] = i;
        VSB_USE(p);
        vstack_set_avma(&st, av);
    }
    return (double)(vsb_now_ns() - t0) / (double)iters;
}

/* The stack is a local variable here, as in a function that owns one: the
 * compiler may keep its fields in registers between two library calls. */
static double vs_tight_loop(long iters)
{
    vstack local;
    uint64_t t0;
    double ns;
    long i, sink = 0;

    if (init_one(&local, vs_rsize, vs_vsize))
        vsb_die("vstack: no stack for the tight loop");
    t0 = vsb_now_ns();
    for (i = 0; i < iters; i++) {
        vstack_sp av = vstack_avma(&local);
        long *x = vstack_new_chunk(&local, 4 + (size_t)(i & 7));
        x[0] = i;
        sink += x[0];
        VSB_KEEP(x);
        vstack_set_avma(&local, av);
    }
    ns = vsb_loop_end(t0, iters, sink);
    vstack_destroy(&local);
    return ns;
}

#define VSTACK_CONTENDER(cname, description, initfn, trimming)                          \
    {                                                                                   \
        .name = cname, .what = description, .families = VSB_STACKS, .has_stack = 1,    \
        .trims = trimming, .init = initfn, .sizes = vs_sizes, .avma = vs_avma,         \
        .alloc = vs_alloc, .set_avma = vs_set_avma, .reset = vs_reset, .trim = vs_trim, \
        .add_stacks = vs_add_stacks, .fast_path = vs_fast_path,                        \
        .tight_loop = vs_tight_loop,                                                    \
    }

const struct contender vsb_vstack =
    VSTACK_CONTENDER("vstack", "libvstack, default flags (fork-wipe on)", init_default, 0);
const struct contender vsb_vstack_noforkwipe =
    VSTACK_CONTENDER("vstack+noforkwipe", "libvstack, VSTACK_NOFORKWIPE (fork copies the free part)",
                     init_noforkwipe, 0);
const struct contender vsb_vstack_huge =
    VSTACK_CONTENDER("vstack+hugepages", "libvstack, VSTACK_HUGEPAGES", init_huge, 0);
const struct contender vsb_vstack_nopopulate =
    VSTACK_CONTENDER("vstack+nopopulate", "libvstack, VSTACK_NOPOPULATE (first touch page by page)",
                     init_nopopulate, 0);
const struct contender vsb_vstack_trim =
    VSTACK_CONTENDER("vstack+trim", "libvstack, default flags, vstack_trim just before each fork",
                     init_default, 1);
const struct contender vsb_vstack_noprobe =
    VSTACK_CONTENDER("vstack+noprobe", "libvstack, VSTACK_NOPROBE", init_noprobe, 0);
