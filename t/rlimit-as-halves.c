/* SPDX-License-Identifier: MIT */
/* rlimit-as-halves: with RLIMIT_AS set low before vstack_init, a huge
 * parisizemax is halved until it fits, as PARI does, with one warning naming
 * both sizes that stays in vstack_last_error, and the stack works; asking
 * for more never gives less than a smaller request that fits and of which
 * it is a doubling; VSTACK_NOHALVE refuses instead; with almost no address space left,
 * vstack_init fails with VSTACK_ENOMEM instead of crashing; halving below
 * parisize clips parisize.  Each case runs in a child, so the limit does not
 * touch the test driver. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef HAVE_SYS_RESOURCE_H
#include <sys/resource.h>
#endif
#include <vstack.h>

#include "tap.h"
#include "testutil.h"

#if defined(__linux__) && defined(HAVE_SYS_RESOURCE_H) && defined(RLIMIT_AS)

#define MB ((size_t)1 << 20)
#define GB ((size_t)1 << 30)

static struct tu_logs logs;

/* The sizes of each case.  What a 32-bit address space changes: 16 GiB does
 * not fit in a size_t, and the library takes no size above a quarter of the
 * address space (SIZE_MAX / 4, 1 GiB), so that doubling and alignment cannot
 * overflow; a 2 GB limit would then refuse nothing.  So there the stack
 * asks for that cap, under a limit of 240 MB, and is halved the same way. */
static size_t asked;  /* parisizemax asked for */
static size_t taken;  /* what the library tries first: asked, or the cap */
static size_t room;   /* the address space left by the limit */
static size_t huge_rsize, fixed_rsize; /* parisize cases that cannot stay whole */

static void sizes(void)
{
    if (sizeof(size_t) >= 8) {
        asked = taken = 16 * GB;
        room = 2 * GB - 64 * MB;
        huge_rsize = 3 * GB;
        fixed_rsize = 4 * GB;
    } else {
        asked = SIZE_MAX;
        taken = tu_round_up(SIZE_MAX / 4, tu_page_size());
        room = 256 * MB - 16 * MB;
        huge_rsize = fixed_rsize = taken;
    }
}

/* The largest of the halvings of want (rounded up to the page, as the
 * library halves) that is at most limit. */
static size_t halved_to_fit(size_t want, size_t limit)
{
    while (want > limit)
        want = tu_round_up(want / 2, tu_page_size());
    return want;
}

/* Limit the address space to what is mapped now plus extra bytes. */
static int limit_as(size_t extra)
{
    long long now = tu_maps_total();
    struct rlimit rl;
    if (now < 0)
        return -1;
    rl.rlim_cur = rl.rlim_max = (rlim_t)now + extra;
    return setrlimit(RLIMIT_AS, &rl);
}

static void child_halves(int fd, void *arg)
{
    vstack st;
    struct vstack_stats s;
    int rc;
    (void)arg;

    tu_capture_defaults(&logs);
    if (limit_as(room) != 0) {
        tu_child_ok(fd, 0, "setrlimit(RLIMIT_AS): %s", strerror(errno));
        return;
    }
    rc = vstack_init(&st, 1 * MB, asked, 0);
    tu_child_ok(fd, rc == VSTACK_OK, "init(1 MiB, %zu) under a %zu-byte RLIMIT_AS succeeds (%d)", asked,
                room, rc);
    if (rc != VSTACK_OK)
        return;
    s = tu_stats(&st);
    tu_child_ok(fd, s.reserved < taken && s.reserved >= VSTACK_MIN_SIZE,
                "the reservation shrank to %zu", s.reserved);
    tu_child_ok(fd, s.reserved <= room, "it fits under the limit");
    tu_child_ok(fd, s.reserved == halved_to_fit(taken, room),
                "it is the largest halving of %zu that fits: %zu (expected %zu)", taken, s.reserved,
                halved_to_fit(taken, room));
    {
        size_t v = 0;
        vstack_default_get(&st, "parisizemax", &v);
        tu_child_ok(fd, v == s.reserved, "parisizemax reports the reservation (%zu)", v);
    }
    tu_child_ok(fd, logs.warn.count == 1, "one warning (%d)", logs.warn.count);
    tu_child_ok(fd, tu_mentions_size(logs.warn.last, taken) && tu_mentions_size(logs.warn.last, s.reserved),
                "it names the size asked for and the size granted: %s", logs.warn.last);
    tu_child_ok(fd, strcmp(vstack_last_error(&st), logs.warn.last) == 0,
                "vstack_last_error holds the warning after a successful init");
    tu_child_ok(fd, vstack_last_error_code(&st) == VSTACK_ENOMEM, "with VSTACK_ENOMEM (%d)",
                vstack_last_error_code(&st));
    tu_child_ok(fd, logs.err.count == 0, "no error message");
    {
        size_t n = s.reserved / 2;
        unsigned char *p = vstack_alloc(&st, n);
        tu_child_ok(fd, p != NULL, "the smaller stack allocates and grows (%zu bytes)", n);
        if (p) {
            memset(p, 1, n);
            tu_child_ok(fd, p[0] == 1 && p[n - 1] == 1, "and the memory is usable");
        }
    }
    vstack_destroy(&st);
}

/* Asking for more never gives less than a smaller request that fits: a
 * quarter of the room fits whole, and 2, 4, ... 64 times it each get at
 * least that much; with VSTACK_NOHALVE they are refused, and nothing stays
 * mapped. */
static void child_monotonic(int fd, void *arg)
{
    size_t base = tu_round_up(room / 4, tu_page_size()) + tu_page_size(); /* 4 x base > room */
    long maps = tu_maps_count();
    (void)arg;

    tu_capture_defaults(&logs);
    if (limit_as(room) != 0) {
        tu_child_ok(fd, 0, "setrlimit(RLIMIT_AS): %s", strerror(errno));
        return;
    }
    for (size_t k = 1; k <= 64; k *= 2) {
        vstack st;
        size_t want = base * k;
        if (want / k != base || want > taken)
            break;
        int rc = vstack_init(&st, 1 * MB, want, 0);
        size_t got = rc == VSTACK_OK ? tu_stats(&st).reserved : 0;
        tu_child_ok(fd, rc == VSTACK_OK && got >= base && got <= want,
                    "init(1 MiB, %zu x %zu) gets %zu, at least what %zu alone gets", k, base, got, base);
        if (rc == VSTACK_OK)
            vstack_destroy(&st);
        rc = vstack_init(&st, 1 * MB, want, VSTACK_NOHALVE);
        if (k == 1) {
            tu_child_ok(fd, rc == VSTACK_OK, "VSTACK_NOHALVE: %zu fits whole (%d)", want, rc);
        } else if (want > room) {
            tu_child_ok(fd, rc == VSTACK_ENOMEM && tu_mentions_size(vstack_last_error(&st), want),
                        "VSTACK_NOHALVE: %zu is refused with VSTACK_ENOMEM, naming it: %s", want,
                        vstack_last_error(&st));
        }
        if (rc == VSTACK_OK)
            vstack_destroy(&st);
    }
    tu_child_ok(fd, tu_maps_count() == maps, "nothing stays mapped (%ld mappings, %ld before)", tu_maps_count(),
                maps);
}

static void child_enomem(int fd, void *arg)
{
    vstack st;
    int rc;
    (void)arg;

    tu_capture_defaults(&logs);
    /* Less than VSTACK_MIN_SIZE of address space left. */
    if (limit_as(VSTACK_MIN_SIZE / 2) != 0) {
        tu_child_ok(fd, 0, "setrlimit(RLIMIT_AS): %s", strerror(errno));
        return;
    }
    rc = vstack_init(&st, 1 * MB, asked, 0);
    tu_child_ok(fd, rc == VSTACK_ENOMEM, "init(1 MiB, %zu) with no room: VSTACK_ENOMEM (%d)", asked,
                rc);
    rc = vstack_init(&st, 1 * MB, 0, 0);
    tu_child_ok(fd, rc == VSTACK_ENOMEM, "init(1 MiB, 0) with no room: VSTACK_ENOMEM (%d)", rc);
    rc = vstack_init(&st, 1 * MB, 0, VSTACK_NOPROBE);
    tu_child_ok(fd, rc == VSTACK_ENOMEM, "the same without the probe: VSTACK_ENOMEM (%d)", rc);
    tu_child_ok(fd, logs.err.count == 0, "vstack_init does not call the error handler");
}

static void child_clips_rsize(int fd, void *arg)
{
    vstack st;
    int rc;
    size_t rsize = 0, vsize = 0;
    struct vstack_stats s;
    (void)arg;

    tu_capture_defaults(&logs);
    if (limit_as(room) != 0) {
        tu_child_ok(fd, 0, "setrlimit(RLIMIT_AS): %s", strerror(errno));
        return;
    }
    /* A parisize larger than the limit cannot stay. */
    rc = vstack_init(&st, huge_rsize, asked, 0);
    tu_child_ok(fd, rc == VSTACK_OK, "init(%zu, %zu) under a %zu-byte RLIMIT_AS succeeds (%d)", huge_rsize,
                asked, room, rc);
    if (rc != VSTACK_OK)
        return;
    vstack_default_get(&st, "parisize", &rsize);
    vstack_default_get(&st, "parisizemax", &vsize);
    s = tu_stats(&st);
    tu_child_ok(fd, vsize < room && rsize == vsize,
                "parisize clipped to the halved parisizemax (%zu, %zu)", rsize, vsize);
    if (vstack_alloc(&st, 16))
        vstack_pop_all(&st);
    s = tu_stats(&st);
    tu_child_ok(fd, s.committed == rsize && s.rsize == rsize,
                "the first allocation commits the clipped parisize (%zu, %zu)", s.committed, s.rsize);
    {
        unsigned char *p = vstack_alloc(&st, 16 * MB);
        tu_child_ok(fd, p != NULL, "the clipped stack allocates");
        if (p)
            memset(p, 1, 16 * MB);
    }
    /* The fixed size stack is clipped the same way. */
    vstack_destroy(&st);
    rc = vstack_init(&st, fixed_rsize, 0, 0);
    if (rc == VSTACK_OK) {
        vstack_default_get(&st, "parisize", &rsize);
        tu_child_ok(fd, rsize < room && rsize >= VSTACK_MIN_SIZE, "a fixed %zu-byte stack is halved to fit (%zu)",
                    fixed_rsize, rsize);
        vstack_destroy(&st);
    } else {
        tu_child_ok(fd, 0, "a fixed %zu-byte stack under the limit: init failed (%d)", fixed_rsize, rc);
    }
}

int main(void)
{
    tu_require_mmap();
    if (tap_under_valgrind())
        skip_all("RLIMIT_AS also limits valgrind itself");
    tu_require(tu_lacks_rlimit(RLIMIT_AS));
    if (!tu_have_proc())
        skip_all("needs /proc/self/maps: %s", tu_proc_why());
    sizes();
    tu_in_child(child_halves, NULL, "halving");
    tu_in_child(child_monotonic, NULL, "asking for more");
    tu_in_child(child_enomem, NULL, "no room");
    tu_in_child(child_clips_rsize, NULL, "clipping");
    return done_testing();
}

#else

int main(void)
{
    skip_all("RLIMIT_AS checks are Linux-only");
}

#endif
