/* SPDX-License-Identifier: MIT */
/* decommit-failures-leave-no-hole: vstack_reset gives memory back by
 * mapping PROT_NONE over it (remap path) or by munmap and mmap at the same
 * address (unmap path).  Each step is made to fail, or to land elsewhere
 * (vs_os_misplace_next), and the cleanup munmap of such a stray mapping to
 * fail too.  The code and the sentence name the call and the errno text or
 * the reason; avma and the live data stay; the reservation never keeps a
 * silent hole: either nothing changed, or what was lost is given up and
 * parisizemax drops to what is left; and the stack goes on working. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <vstack.h>

#include "faults.h"
#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)
#define ELSEWHERE "the system placed the mapping at another address"

static long maps0;

struct fault {
    unsigned flags;         /* the decommit path */
    enum vs_os_call call;   /* the call that fails */
    int err;                /* its errno; 0: the mapping lands elsewhere instead */
    enum vs_os_call stray;  /* with err == 0: also fail the munmap of the stray (else VS_OS_NCALLS) */
    int stray_err;
    const char *calls;      /* what the sentence must name */
    const char *why;        /* the reason, when it is not strerror(err) */
    int hole;               /* the range is lost: parisizemax drops */
    size_t vsize;           /* parisizemax */
    const char *what;
};

/* The reservation is mapped from end to end, and what it gave up (if
 * anything) is not mapped by us. */
static void no_hole(vstack *st, vstack_sp old_vbot, const char *what)
{
    struct tu_smaps sm = {0}, gone = {0};
    const char *why = tu_have_proc() ? NULL : tu_proc_why();
    if (!why) {
        tu_smaps_range(tu_vbot(st), vstack_top(st), &sm);
        if (tu_vbot(st) > old_vbot)
            tu_smaps_range(old_vbot, tu_vbot(st), &gone);
    }
    if (!ok_or_skip(why, sm.covered == vstack_top(st) - tu_vbot(st), "%s: the reservation has no hole", what))
        diag("  %llu of %zu bytes mapped", sm.covered, (size_t)(vstack_top(st) - tu_vbot(st)));
    if (tu_vbot(st) > old_vbot)
        is_int_or_skip(why, gone.nmaps, 0, "%s: the range given up is not mapped", what);
    else
        ok(tu_vbot(st) == old_vbot, "%s: the reservation was kept whole", what);
}

static void run(const struct fault *f)
{
    const char *what = f->what;
    struct tf_stack s;
    struct tu_maps_snap snap;
    vstack_sp av, old_vbot, nbot;
    size_t committed, used, grow = f->vsize - 2 * MB;
    int rc, want = f->err ? tf_code(f->err) : VSTACK_ESYS;

    tf_open(&s, 1 * MB, f->vsize, f->flags, 2 * MB, 41);
    av = vstack_avma(&s.st);
    old_vbot = tu_vbot(&s.st);
    /* Grow (to the whole parisizemax when grow fills it), then pop. */
    tf_grow_pop(&s, grow, what);
    committed = tu_stats(&s.st).committed;
    used = tu_stats(&s.st).used;
    nbot = vstack_top(&s.st) - tu_round_up(used > 1 * MB ? used : 1 * MB, tu_page_size());
    tu_maps_snapshot(&snap);
    if (f->err)
        vs_os_fail_nth(f->call, 1, f->err);
    else
        vs_os_misplace_next(f->call);
    if (f->stray != VS_OS_NCALLS)
        vs_os_fail_nth(f->stray, 1, f->stray_err);
    rc = vstack_reset(&s.st);

    is_int(vs_os_count(f->call), 1, "%s: the call was made", what);
    is_int(rc, want, "%s: vstack_reset returns %s", what, tf_code_name(want));
    is_int(vstack_last_error_code(&s.st), want, "%s: vstack_last_error_code agrees", what);
    is_int(s.logs.err.count, 0, "%s: the error handler is not called", what);
    tf_names(vstack_last_error(&s.st), f->calls, f->stray_err ? f->stray_err : f->err, f->why, what);
    ok(vstack_avma(&s.st) == av && tu_stats(&s.st).used == used, "%s: avma unchanged", what);
    tf_intact(&s, what);
    tf_consistent(&s.st, what);
    if (f->hole) {
        ok(tu_bot(&s.st) == nbot && tu_vbot(&s.st) == nbot,
           "%s: the lost range and all below it are given up", what);
        is_int(tu_default(&s.st, "parisizemax"), vstack_top(&s.st) - nbot,
               "%s: parisizemax lowered to what is left", what);
        if (!ok(tu_contains_nocase(vstack_last_error(&s.st), "parisizemax lowered"),
                "%s: the sentence says so", what))
            diag("  %s", vstack_last_error(&s.st));
    } else {
        ok(tu_stats(&s.st).committed == committed && tu_vbot(&s.st) == old_vbot &&
               tu_default(&s.st, "parisizemax") == f->vsize,
           "%s: nothing changed (committed %zu)", what, tu_stats(&s.st).committed);
    }
    no_hole(&s.st, old_vbot, what);
    /* A stray that could not be unmapped stays: the seam kept it. */
    if (f->stray != VS_OS_NCALLS)
        tf_swept(&snap, (long long)(nbot - (vstack_top(&s.st) - committed)), what);
    tf_usable(&s, 8 * MB, what);
    ok(tu_stats(&s.st).committed <= (committed > 2 * MB ? committed : 2 * MB),
       "%s: the next reset shrinks (%zu)", what, tu_stats(&s.st).committed);
    tf_close(&s, maps0, what);
}

int main(void)
{
    static const struct fault faults[] = {
        {VSTACK_DECOMMIT_REMAP, VS_OS_REMAP, ENOMEM, VS_OS_NCALLS, 0, "mmap (PROT_NONE over a committed range)",
         NULL, 0, 64 * MB, "remap path: mmap refused (ENOMEM)"},
        {VSTACK_DECOMMIT_REMAP, VS_OS_REMAP, EINVAL, VS_OS_NCALLS, 0, "mmap (PROT_NONE over a committed range)",
         NULL, 0, 64 * MB, "remap path: mmap fails (EINVAL)"},
        {VSTACK_DECOMMIT_REMAP, VS_OS_REMAP, 0, VS_OS_NCALLS, 0, "mmap (PROT_NONE over a committed range)",
         ELSEWHERE, 0, 64 * MB, "remap path: the mapping lands elsewhere"},
        {VSTACK_DECOMMIT_REMAP, VS_OS_REMAP, 0, VS_OS_STRAY_UNMAP, EINVAL, "munmap (of a mapping placed elsewhere)",
         NULL, 0, 64 * MB, "remap path: elsewhere, and its munmap fails"},
        {VSTACK_DECOMMIT_UNMAP, VS_OS_UNMAP, EINVAL, VS_OS_NCALLS, 0, "munmap (decommit)",
         NULL, 0, 64 * MB, "unmap path: munmap fails (EINVAL)"},
        {VSTACK_DECOMMIT_UNMAP, VS_OS_UNMAP, ENOMEM, VS_OS_NCALLS, 0, "munmap (decommit)",
         NULL, 0, 64 * MB, "unmap path: munmap refused (ENOMEM)"},
        {VSTACK_DECOMMIT_UNMAP, VS_OS_MAPAGAIN, ENOMEM, VS_OS_NCALLS, 0, "mmap (map again after munmap)",
         NULL, 1, 64 * MB, "unmap path: map-again refused (ENOMEM)"},
        {VSTACK_DECOMMIT_UNMAP, VS_OS_MAPAGAIN, EEXIST, VS_OS_NCALLS, 0, "mmap (map again after munmap)",
         NULL, 1, 64 * MB, "unmap path: map-again fails (EEXIST)"},
        {VSTACK_DECOMMIT_UNMAP, VS_OS_MAPAGAIN, ENOMEM, VS_OS_NCALLS, 0, "mmap (map again after munmap)",
         NULL, 1, 16 * MB, "unmap path: map-again refused at the whole parisizemax"},
        {VSTACK_DECOMMIT_UNMAP, VS_OS_MAPAGAIN, 0, VS_OS_NCALLS, 0, "mmap (map again after munmap)",
         ELSEWHERE, 1, 64 * MB, "unmap path: map-again lands elsewhere"},
        {VSTACK_DECOMMIT_UNMAP, VS_OS_MAPAGAIN, 0, VS_OS_STRAY_UNMAP, EINVAL,
         "munmap (of a mapping placed elsewhere)", NULL, 1, 64 * MB,
         "unmap path: elsewhere, and its munmap fails"},
    };
    tu_require_mmap();
    maps0 = tu_maps_baseline();
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
        run(&faults[i]);
    vs_os_fail_reset();
    return done_testing();
}
