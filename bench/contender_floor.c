/* SPDX-License-Identifier: MIT */
/* contender_floor.c -- the floor of fork for a stack without the library:
 * after a reset that keeps parisize resident, and for the reservation alone
 * (bench/run's 64 TiB table, idle).  No library, no fork hooks.
 *
 * A PROT_NONE|MAP_NORESERVE reservation of vsize whose top is committed as
 * it is used (8 MiB steps).  Its reset gives back everything beyond rsize
 * and then marks what stays, once and for good, MADV_WIPEONFORK: no call is
 * made at fork time, and fork copies none of the resident pages.  A child
 * therefore reads zeros on the whole stack, live data included, so this is
 * a measuring stick for the fork tables after a reset, not a stack.  Idle,
 * it is the reservation and the committed parisize and nothing else.
 * bench/run uses it only in the 64 TiB table; run it by name:
 *     bench/vsbench fork --contender=floor --vsize=4G --used=1G --states=used,reset
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "contender.h"

#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS MAP_ANON
#endif
#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0
#endif

#define FLOOR_STEP ((size_t)8 << 20)

static uintptr_t vbot, bot, top, avma;
static size_t keep;

static int floor_fail(const char *call, size_t n)
{
    fprintf(stderr, "vsbench: floor: %s (%zu bytes): %s\n", call, n, strerror(errno));
    return -1;
}

static int floor_commit_to(uintptr_t nbot)
{
    if (nbot >= bot)
        return 0;
    if (mprotect((void *)nbot, bot - nbot, PROT_READ | PROT_WRITE) != 0)
        return floor_fail("mprotect", bot - nbot);
    bot = nbot;
    return 0;
}

static int floor_init(size_t rsize, size_t vsize)
{
    void *p = mmap(NULL, vsize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return floor_fail("mmap (reservation)", vsize);
    vbot = (uintptr_t)p;
    top = bot = avma = vbot + (vsize & ~(size_t)4095);
    keep = (rsize + 4095) & ~(size_t)4095;
    return floor_commit_to(top - keep);
}

static void floor_sizes(struct vsb_sizes *out)
{
    out->reserved = top - vbot;
    out->committed = top - bot;
    out->used = top - avma;
}

static uintptr_t floor_avma(void) { return avma; }

static void *floor_alloc(size_t nbytes)
{
    if (nbytes > avma - vbot)
        return NULL;
    uintptr_t nav = (avma - nbytes) & ~(uintptr_t)15;
    if (nav < vbot)
        return NULL;
    if (nav < bot) {
        uintptr_t want = nav & ~(uintptr_t)4095; /* and a step more, inside the reservation */
        want = want - vbot > FLOOR_STEP ? want - FLOOR_STEP : vbot;
        if (floor_commit_to(want) != 0)
            return NULL;
    }
    avma = nav;
    return (void *)avma;
}

static void floor_set_avma(uintptr_t av) { avma = av; }

static void floor_reset(void)
{
    uintptr_t nbot = top - keep;
    if (avma < nbot)
        nbot = avma & ~(uintptr_t)4095;
    if (nbot > bot) {
        void *p = mmap((void *)bot, nbot - bot, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
        if (p == MAP_FAILED) {
            floor_fail("mmap (decommit)", nbot - bot);
            return;
        }
        bot = nbot;
    }
#ifdef MADV_WIPEONFORK
    if (madvise((void *)bot, top - bot, MADV_WIPEONFORK) != 0)
        floor_fail("madvise (MADV_WIPEONFORK)", top - bot);
#endif
}

static const char *floor_unavailable(void)
{
#ifdef MADV_WIPEONFORK
    return NULL;
#else
    return "needs MADV_WIPEONFORK (Linux 4.14 or later)";
#endif
}

const struct contender vsb_floor = {
    .name = "floor",
    .what = "no library: the reservation alone; at reset parisize stays resident, marked wipe-on-fork"
            " once (a measuring stick)",
    .families = 0, /* by name only */
    .has_stack = 1,
    .init = floor_init,
    .sizes = floor_sizes,
    .avma = floor_avma,
    .alloc = floor_alloc,
    .set_avma = floor_set_avma,
    .reset = floor_reset,
    .unavailable = floor_unavailable,
};
