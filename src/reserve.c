/* reserve.c -- the life of a reservation, the same for stacks and pools:
 * the reservation with its first commit, the huge-page advice on what is
 * committed, entering the table of live ones, a range lost on the unmap
 * path, and the release.
 *
 * The system is asked for the whole size as inaccessible address space.
 * Before that, a trial read/write mapping of the same size checks that the
 * system would let us commit that much: in Linux's heuristic overcommit
 * mode a mapping larger than RAM plus swap is refused, and RLIMIT_AS
 * refuses anything beyond it.  A refusal halves the request (unless the
 * caller asked for all or nothing, VSTACK_NOHALVE). */
#include "config.h"
#include "internal.h"
#include "track.h"

#include <stdio.h>

/* One try at want bytes: the probe, the reservation, its first commit.  0,
 * or the errno of the call that refused, with *e saying which; nothing is
 * left mapped then (a release that fails is a warning). */
static int vs_try(const struct vstack_opts_ *opts, size_t want, size_t commit, int downward,
                  struct vs_region *r, struct vs_os_err *e, struct vs_out *o)
{
    size_t unit = opts->unit;
    size_t extra = opts->huge ? unit : 0; /* room to align to the huge page */
    void *base = NULL;
    char b1[48];
    int err = opts->probe ? vs_os_probe(want, e) : 0;

    if (!err)
        err = vs_os_reserve(want + extra, &base, e);
    if (err)
        return err;
    uintptr_t b = (uintptr_t)base, end = b + want + extra;
    r->map_base = base;
    r->map_len = want + extra;
    r->hi = downward ? end & ~(uintptr_t)(unit - 1) : (b + unit - 1) & ~(uintptr_t)(unit - 1);
    r->lo = downward ? r->hi - want : r->hi;
    if (!downward)
        r->hi = r->lo + want;
    r->committed = commit;
    err = commit ? vs_os_commit((void *)(downward ? r->hi - commit : r->lo), commit, e) : 0;
    if (err) {
        struct vs_os_err re;
        if (vs_os_release(base, want + extra, &re) != 0) /* left reserved and inaccessible */
            vs_warn_os(o, &re, "cannot release %s after a failed commit", vs_fmt_size(want + extra, b1));
    }
    return err;
}

int vs_reserve(const struct vstack_opts_ *opts, size_t asked, size_t want, size_t commit, int downward,
               const char *what, struct vs_region *r, struct vs_out *o)
{
    size_t unit = opts->unit;
    struct vs_os_err e = {.call = "none"}, refusal = {.err = 0};
    char b1[48], b2[48];

    if (vs_running_on_valgrind() && want > VSTACK_VALGRIND_MAX) {
        want = VSTACK_VALGRIND_MAX;
        vs_warnf(o, VSTACK_OK, "running under valgrind: %s of %s capped to %s", what, vs_fmt_size(asked, b1),
                 vs_fmt_size(want, b2));
        if (commit > want)
            commit = want;
    }
    /* Halve until the system allows it, as PARI does: a refused request
     * gets the largest of its halvings that fits, so never less than half
     * of what the system allows, and never less than a smaller request
     * that fits whole and of which it is a doubling. */
    while (vs_try(opts, want, commit, downward, r, &e, o) != 0) {
        size_t next = vs_round_up(want / 2, unit);
        if (!refusal.err)
            refusal = e;
        if (!opts->halve || next < VSTACK_MIN_SIZE || next < unit || next >= want || next < commit) {
            /* What was asked, and the last size tried when it was less. */
            char tried[80] = "";
            if (want != asked)
                snprintf(tried, sizeof tried, " or its halvings down to %s", vs_fmt_size(want, b2));
            if (commit && next < commit && opts->halve)
                return vs_fail_os(o, &e, "cannot reserve %s of %s%s with %s committed at once", what,
                                  vs_fmt_size(asked, b1), tried, vs_fmt_size(commit, b2));
            return vs_fail_os(o, &e, "cannot reserve %s of %s%s", what, vs_fmt_size(asked, b1), tried);
        }
        want = next;
    }
    if (refusal.err)
        vs_warn_os(o, &refusal, "%s of %s lowered to %s, the largest of its halvings that the system allows",
                   what, vs_fmt_size(asked, b1), vs_fmt_size(want, b2));
    vs_advise_huge(opts, (void *)(downward ? r->hi - r->committed : r->lo), r->committed, o);
    return VSTACK_OK;
}

void vs_advise_huge(const struct vstack_opts_ *opts, void *addr, size_t len, struct vs_out *o)
{
    struct vs_os_err e;
    if (opts->huge && len && vs_os_advise_huge(addr, len, &e) != 0)
        vs_warnf(o, vs_errno_code(e.err), "%s: %s; continuing with normal pages", e.call, vs_os_why(&e));
}

void vs_live_join(struct vstack_fork_ *f, struct vstack_opts_ *opts, const char *what, struct vs_out *o)
{
    if (opts->forkwipe && vs_live_add(f) != 0) {
        opts->forkwipe = 0;
        vs_warnf(o, VSTACK_ENOMEM, "no memory for the table of live stacks: fork-wipe is off for this %s", what);
    }
}

void vs_live_misused(struct vs_out *o, const char *call, const char *what)
{
    vs_warnf(o, VSTACK_EINVAL,
             "%s: this struct held a %s that was never destroyed: its entry is replaced and its reservation is "
             "lost (destroy before initialising again)",
             call, what);
}

void vs_lose_range(void **map_base, size_t *map_len, uintptr_t lo, uintptr_t hi, int downward,
                   struct vs_out *o)
{
    uintptr_t base = (uintptr_t)*map_base, end = base + *map_len;
    uintptr_t from = downward ? base : hi, to = downward ? lo : end;
    struct vs_os_err e;
    char b1[48];
    if (to > from && vs_os_release((void *)from, to - from, &e) != 0)
        vs_warn_os(o, &e, "cannot release the reservation %s the lost range (%s at %p stays mapped)",
                   downward ? "below" : "above", vs_fmt_size(to - from, b1), (void *)from);
    if (downward) {
        *map_base = (void *)hi;
        *map_len = end - hi;
    } else {
        *map_len = lo - base;
    }
}

void vs_release(void *base, size_t len, struct vs_out *o)
{
    struct vs_os_err e;
    char b1[48];
    if (vs_os_release(base, len, &e) != 0)
        vs_warn_os(o, &e, "cannot release %s at %p", vs_fmt_size(len, b1), base);
}

int vs_teardown(struct vstack_fork_ *f, void *map_base, size_t map_len, struct vs_os_sigmask *saved,
                struct vs_out *o)
{
    int blocked = vs_block(saved, o) == VSTACK_OK;
    if (!blocked) {
        vs_warnf(o, o->code, "%s", o->msg);
        o->code = VSTACK_OK;
    }
    vs_live_remove(f);
    vs_release(map_base, map_len, o);
    return blocked;
}
