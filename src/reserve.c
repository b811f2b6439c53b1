/* SPDX-License-Identifier: MIT */
/* reserve.c -- a reservation in two steps: find the size, then map it once.
 *
 * The system is asked for the whole size as inaccessible address space.
 * First the size: a trial read/write mapping of it (the probe) checks that
 * the system would let us commit that much, since in Linux's heuristic
 * overcommit mode a mapping larger than RAM plus swap is refused, and
 * RLIMIT_AS refuses anything beyond it.  Without the probe (VSTACK_NOPROBE,
 * or a system without reservations) the trial is the reservation itself,
 * kept when it succeeds.  A refusal halves the size
 * (unless the caller asked for all or nothing, VSTACK_NOHALVE), as PARI
 * does: the first size that passes is the largest of the halvings the
 * system allows.  Then one mapping of that size, unless the trial made it. */
#include "config.h"
#include "internal.h"
#include "track.h"

#include <stdio.h>

/* Would the system give us size bytes (plus extra, to align)?  The probe
 * asks first, when it is on; then the reservation itself, which is kept
 * (*base).  0, or the errno of the refusal with *e saying which call
 * refused; nothing is left mapped then. */
static int vs_trial(const struct vs_opts *opts, size_t size, size_t extra, void **base, struct vs_os_err *e)
{
    int err = opts->probe ? vs_os_probe(size + extra, e) : 0;
    *base = NULL;
    return err ? err : vs_os_reserve(size + extra, base, e);
}

/* The size to reserve, at most want, and its reservation.  0 with *size
 * and *base set, or the code of the failure, recorded in o. */
static int vs_find_size(const struct vs_opts *opts, size_t asked, size_t want, size_t least, const char *what,
                        size_t *size, void **base, struct vs_out *o)
{
    size_t extra = opts->huge ? opts->unit : 0; /* room to align to the huge page */
    struct vs_os_err e, refusal = {.err = 0};

    for (size_t next;; want = next) {
        if (vs_trial(opts, want, extra, base, &e) == 0)
            break;
        if (!refusal.err)
            refusal = e;
        next = vs_round_up(want / 2, opts->unit);
        if (!opts->halve || next < VSTACK_MIN_SIZE || next < opts->unit || next >= want || next < least) {
            int committed = least && next < least && opts->halve;
            if (want == asked)
                return committed ? vs_fail_os(o, &e, "cannot reserve %s of %'zu with %'zu committed at once", what,
                                              asked, least)
                                 : vs_fail_os(o, &e, "cannot reserve %s of %'zu", what, asked);
            return committed ? vs_fail_os(o, &e,
                                          "cannot reserve %s of %'zu or its halvings down to %'zu with %'zu "
                                          "committed at once",
                                          what, asked, want, least)
                             : vs_fail_os(o, &e, "cannot reserve %s of %'zu or its halvings down to %'zu", what,
                                          asked, want);
        }
    }
    if (refusal.err)
        vs_warn_os(o, &refusal, "%s of %'zu lowered to %'zu, the largest of its halvings that the system allows",
                   what, asked, want);
    *size = want;
    return VSTACK_OK;
}

int vs_reserve(const struct vs_opts *opts, size_t asked, size_t want, size_t least, const char *what,
               struct vs_mapping *m, struct vs_out *o)
{
    size_t unit = opts->unit, extra = opts->huge ? unit : 0, size = 0;
    void *base = NULL;

    if (vs_running_on_valgrind() && want > VSTACK_VALGRIND_MAX) {
        want = VSTACK_VALGRIND_MAX;
        vs_warnf(o, VSTACK_OK, "running under valgrind: %s of %'zu capped to %'zu", what, asked,
                 want);
        if (least > want)
            least = want; /* the caller commits no more than the cap (a pool's minsize) */
    }
    if (vs_find_size(opts, asked, want, least, what, &size, &base, o) != VSTACK_OK)
        return o->code;
    uintptr_t b = (uintptr_t)base;
    m->base = base;
    m->len = size + extra;
    m->lo = (b + unit - 1) & ~(uintptr_t)(unit - 1);
    m->hi = m->lo + size;
    return VSTACK_OK;
}
