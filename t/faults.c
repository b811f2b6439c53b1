/* SPDX-License-Identifier: MIT */
/* faults.c -- see faults.h. */
#include "config.h"
#include "faults.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "os.h"
#include "tap.h"

int tf_code(int err) { return err == ENOMEM || err == EAGAIN ? VSTACK_ENOMEM : VSTACK_ESYS; }

const char *tf_code_name(int code)
{
    switch (code) {
    case VSTACK_OK: return "VSTACK_OK";
    case VSTACK_ENOMEM: return "VSTACK_ENOMEM";
    case VSTACK_ESTACK: return "VSTACK_ESTACK";
    case VSTACK_EINVAL: return "VSTACK_EINVAL";
    case VSTACK_ESYS: return "VSTACK_ESYS";
    default: return "an unknown code";
    }
}

int tf_mentions(const char *msg, const char *calls, int err, const char *why)
{
    char buf[256];
    int found = 0;
    char *save = NULL;
    snprintf(buf, sizeof buf, "%s", calls);
    for (char *w = strtok_r(buf, "|", &save); w; w = strtok_r(NULL, "|", &save))
        if (strstr(msg, w))
            found = 1;
    return found && strstr(msg, why ? why : strerror(err)) != NULL;
}

int tf_names(const char *msg, const char *calls, int err, const char *why, const char *what)
{
    if (ok(tf_mentions(msg, calls, err, why), "%s: the sentence names %s and \"%s\"", what, calls,
           why ? why : strerror(err)))
        return 1;
    diag("  sentence: \"%s\"", msg);
    return 0;
}

void tf_fail(enum vs_os_call call, unsigned long nth, int err)
{
    vs_os_fail_reset();
    vs_os_fail_nth(call, nth, err);
}

int tf_init(vstack *st, struct tu_logs *logs, size_t rsize, size_t vsize, unsigned flags)
{
    int rc;
    tu_capture_defaults(logs);
    rc = vstack_init(st, rsize, vsize, flags);
    vstack_set_default_handlers(NULL, NULL, NULL);
    return rc;
}

void tf_live(struct tf_stack *s, size_t live_n, uint64_t seed)
{
    s->live_n = live_n;
    s->seed = seed;
    s->live = tu_alloc_filled(&s->st, live_n, seed);
}

void tf_grow_pop(struct tf_stack *s, size_t n, const char *what)
{
    vstack_sp av = vstack_avma(&s->st);
    unsigned char *p = vstack_alloc(&s->st, n);
    if (!p)
        bail_out("%s: cannot grow by %zu bytes", what, n);
    memset(p, 1, n);
    vstack_set_avma(&s->st, av);
}

void tf_open(struct tf_stack *s, size_t rsize, size_t vsize, unsigned flags, size_t live_n,
             uint64_t seed)
{
    vs_os_fail_reset();
    if (tf_init(&s->st, &s->logs, rsize, vsize, flags) != VSTACK_OK)
        bail_out("vstack_init(%zu, %zu, %#x) failed: %s", rsize, vsize, flags,
                 vstack_last_error(&s->st));
    tu_capture_stack(&s->st, &s->logs);
    tf_live(s, live_n, seed);
    vs_os_fail_reset();
}

int tf_intact(const struct tf_stack *s, const char *what)
{
    long bad = tu_check(s->live, s->live_n, s->seed);
    if (ok(bad < 0, "%s: the live data is intact", what))
        return 1;
    diag("  first bad byte at offset %ld of %zu", bad, s->live_n);
    return 0;
}

int tf_consistent(const vstack *st, const char *what)
{
    struct vstack_stats s = tu_stats(st);
    vstack_sp bot = tu_bot(st), top = vstack_top(st);
    int good = s.used <= s.committed && s.committed <= s.reserved && bot <= st->lim &&
               st->lim <= st->avma && st->avma <= top;
    if (ok(good, "%s: consistent (used %zu <= committed %zu <= reserved %zu, bot <= lim <= avma <= top)",
           what, s.used, s.committed, s.reserved))
        return 1;
    diag("  bot %#" PRIxPTR " lim %#" PRIxPTR " avma %#" PRIxPTR " top %#" PRIxPTR, bot, st->lim, st->avma,
         top);
    return 0;
}

void tf_usable(struct tf_stack *s, size_t grow_by, const char *what)
{
    vstack *st = &s->st;
    vstack_sp av = vstack_avma(st);
    size_t room = av - tu_bot(st);
    unsigned char *p;
    int errs;

    tf_consistent(st, what);
    p = room ? vstack_alloc(st, room) : NULL;
    if (ok(room == 0 || p != NULL, "%s: the %zu free committed bytes allocate", what, room) && p)
        memset(p, 0xa5, room);
    vstack_set_avma(st, av);
    errs = s->logs.err.count;
    p = grow_by ? vstack_alloc(st, grow_by) : NULL;
    if (p)
        memset(p, 0x5a, grow_by);
    if (!ok(grow_by == 0 || p != NULL || s->logs.err.count == errs + 1,
            "%s: %zu more bytes allocate, or the error handler says why", what, grow_by))
        tu_logs_diag(&s->logs);
    vstack_set_avma(st, av);
    if (!ok(vstack_reset(st) == VSTACK_OK, "%s: a reset succeeds", what))
        diag("  %s", vstack_last_error(st));
    ok(vstack_avma(st) == av, "%s: avma where it was", what);
    tf_intact(s, what);
}

void tf_close(struct tf_stack *s, long maps0, const char *what)
{
    char buf[160];
    vs_os_fail_reset();
    vstack_destroy(&s->st);
    snprintf(buf, sizeof buf, "%s: nothing left mapped", what);
    tf_unmapped(maps0, -1, buf);
}

void tf_pool_close(vstack_pool *p, long maps0, long slack_vg, const char *what)
{
    vs_os_fail_reset();
    vstack_pool_destroy(p);
    tf_unmapped(maps0, slack_vg, what);
}

void tf_unmapped(long maps0, long slack_vg, const char *what)
{
    vs_os_fail_reset();
    tu_maps_check(maps0, 0, slack_vg, what);
}

void tf_mask(sigset_t *out)
{
    sigemptyset(out);
    pthread_sigmask(SIG_BLOCK, NULL, out);
}

int tf_mask_same(const sigset_t *before, const char *what)
{
    sigset_t now;
    int same = 1;
    tf_mask(&now);
    for (int sig = 1; sig < NSIG; sig++)
        if (sigismember(before, sig) != sigismember(&now, sig))
            same = 0;
    return ok(same, "%s: the signal mask is as it was", what);
}

void tf_swept(const struct tu_maps_snap *snap, long long want, const char *what)
{
    long long got = tu_maps_sweep(snap, 1);
    if (got < 0)
        skip(1, "%s: what stays mapped cannot be told here: %s", what,
             tu_maps_sweep_safe() ? tu_proc_why() : "the checker maps memory of its own");
    else
        is_int(got, want, "%s: the seam kept %lld bytes mapped, no more", what, want);
}
