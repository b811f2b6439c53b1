/* SPDX-License-Identifier: MIT */
/* alloc.c -- the running stack: allocation beyond the fast path, growth,
 * overflow, reset and trim.
 *
 * Layout of one stack, addresses growing to the right:
 *
 *   map_base  vbot            bot        low       avma            top
 *      |  ...  |  reserved     |  committed,  | free,   |   in use      |
 *              |  PROT_NONE    |  untouched   | touched |               |
 *
 * Only [bot, top) is readable and writable.  Growth commits below bot;
 * decommit gives [bot, new bot) back.  `low` is the lowest page handed out
 * since the last decommit: the fast path never goes below lim, which is
 * `low` (memcheck aside), so the slow path sees each new depth once.  That
 * is where high_water is kept, and where first touch is batched ahead
 * (populate.c): [filled, low) is populated but not handed out yet, at most
 * one batch.  Together they bound what fork-wipe has to mark.
 * This file never calls the system: it uses the verbs of os.h only. */
#include "config.h"
#include "internal.h"
#include "track.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define VS_ALIGN_DOWN(x, a) ((x) & ~(vstack_sp)((a) - 1))

static size_t vs_page(void) { return vs_os_config()->page_size; }

/* The stack pointer: the embedder's variable on a bound stack, read with a
 * plain load (the fork hooks and signal handlers read it too), else the
 * head's. */
static vstack_sp vs_sp(const vstack *st)
{
    const vstack_sp *b = vs_cstack_state(st)->bound;
    return b ? *(const volatile vstack_sp *)b : st->avma;
}

/* Move the stack pointer: the embedder's variable, or the head's. */
static void vs_set_sp(vstack *st, vstack_sp av)
{
    if (vs_cstack_state(st)->bound)
        *(volatile vstack_sp *)vs_cstack_state(st)->bound = av;
    else
        st->avma = av;
}

/* A bound stack's pointer may be elsewhere for a while (the embedder on
 * another stack): only a pointer inside [bot, top] is this stack's. */
static int vs_sp_inside(const struct vs_stack *p, vstack_sp av) { return av >= p->r.edge && av <= p->r.hi; }

/* Record what a call of the library sees in use: for a stack whose
 * embedder allocates without calling it, that is all it can know. */
static void vs_saw(struct vs_stack *p, vstack_sp av)
{
    size_t used = p->r.hi - VS_ALIGN_DOWN(av, vs_page());
    if (used > p->high_water)
        p->high_water = used;
}

/* The largest committed size the stack may reach. */
static size_t vs_limit(const struct vs_stack *p) { return p->vsize ? p->vsize : p->rsize; }

/* Where the fast path must stop: the low-water mark, and never inside a
 * range still marked for fork-wipe.  Under memcheck lim instead follows
 * avma (vs_track_sync), so that every allocation is seen. */
static void vs_set_lim(vstack *st)
{
    struct vs_stack *p = vs_stack_state(st);
    if (p->bound) {
        st->lim = st->avma; /* the head is not used: every allocation is a call */
        return;
    }
    if (p->tracking) {
        /* Never below a range still marked: an allocation there must take
         * the slow path, which clears the mark first. */
        if (p->r.fork.hi > st->lim)
            st->lim = p->r.fork.hi;
        return;
    }
    st->lim = p->r.fork.hi > p->low ? p->r.fork.hi : p->low;
}

/* Under memcheck: what was popped since the library last looked is
 * no-access, and lim comes up to avma again. */
static void vs_track_sync(vstack *st)
{
    vstack_sp nlim = VS_ALIGN_DOWN(st->avma, 16);
    if (!vs_cstack_state(st)->tracking || vs_cstack_state(st)->bound || nlim <= st->lim)
        return;
    vs_track_noaccess((void *)st->lim, nlim - st->lim);
    st->lim = nlim;
}

/* ---- fork-wipe ------------------------------------------------------------- */

/* The stack whose fork-wipe entry is f: its region is the first member of
 * its state. */
static vstack *vs_stack_of(const struct vs_fork *f)
{
    return vs_stack_head((struct vs_stack *)(void *)vs_region_of(f));
}

/* The free part touched since the last decommit, in whole units.  The
 * library cannot see what the embedder of a bound stack touched: its free
 * part is all of [bot, avma), marked only when it is at least
 * VS_BOUND_WIPE_MIN (internal.h says why); a pointer outside the stack
 * marks nothing. */
static int vs_stack_fork_range(const struct vs_fork *f, uintptr_t *lo, uintptr_t *hi)
{
    const vstack *st = vs_stack_of(f);
    const struct vs_stack *p = vs_cstack_state(st);
    vstack_sp av = vs_sp(st);
    if (p->bound) {
        if (!vs_sp_inside(p, av))
            return 0;
        *lo = p->r.edge;
        *hi = VS_ALIGN_DOWN(av, p->r.opts.unit);
        return *lo < *hi && *hi - *lo >= VS_BOUND_WIPE_MIN;
    }
    *lo = vs_round_up(p->low, p->r.opts.unit);
    *hi = VS_ALIGN_DOWN(av, p->r.opts.unit);
    /* A page populated ahead (populate.c) is a touched one: fork would
     * copy its entry.  It goes into the mark when there is a mark to make
     * anyway, or when it is large enough that marking costs less than
     * copying (VS_AHEAD_WIPE_MIN); a stack that has only allocated keeps
     * forking without a call. */
    if (p->r.filled < *lo && (*lo < *hi || *lo - p->r.filled >= VS_AHEAD_WIPE_MIN))
        *lo = p->r.filled;
    return *lo < *hi;
}

/* The mark could not be cleared: keep allocations above it until the slow
 * path manages to (vs_unstick). */
static void vs_stack_fork_stuck(struct vs_fork *f) { vs_set_lim(vs_stack_of(f)); }

void vs_stack_adopted(vstack *st)
{
    struct vs_stack *p = vs_stack_state(st);
    p->low = p->r.hi;
    p->r.fork.range = vs_stack_fork_range;
    p->r.fork.stuck = vs_stack_fork_stuck;
    p->tracking = vs_running_on_valgrind();
    st->avma = st->lim = p->r.hi;
    if (p->bound)
        *(volatile vstack_sp *)p->bound = p->r.hi; /* the contents are gone */
}

vstack_sp vstack_top(const vstack *st) { return vs_cstack_state(st)->r.hi; }

void vstack_pop_all(vstack *st)
{
    vs_set_sp(st, vs_cstack_state(st)->r.hi);
    vs_track_sync(st);
}

int vs_stack_gone(const vstack *st, const char *call, struct vs_out *o)
{
    if (vs_cstack_state(st)->r.map_base)
        return 0;
    vs_failf(o, VSTACK_EINVAL, "%s: no stack here (never initialised, or destroyed)", call);
    return 1;
}

void vs_deliver_alloc(vstack *st, const struct vs_out *o)
{
    struct vs_stack *p = vs_stack_state(st);
    vstack_handler derr, dwarn, fn = p->err_fn;
    void *dctx, *ctx = p->err_ctx;
    vs_default_handlers(&derr, &dwarn, &dctx);
    if (!fn) {
        fn = derr;
        ctx = dctx;
    }
    char msg[VS_MSG_LEN];
    vs_region_deliver(&p->r, o);
    if (o->code == VSTACK_OK)
        return;
    vs_line_format(&o->fail, msg, sizeof msg);
    if (fn)
        fn(st, o->code, msg, ctx); /* may longjmp: the stack is consistent */
    else
        fprintf(stderr, "vstack: %s\n", msg);
}

/* ---- growth ---------------------------------------------------------------- */

/* The committed size to grow to for a stack that needs `need` bytes
 * committed: parisize at first, then doubling, capped at the limit. */
static size_t vs_grow_target(const struct vs_stack *p, size_t need)
{
    size_t size = p->r.hi - p->r.edge, limit = vs_limit(p);
    if (size < p->rsize)
        size = p->rsize;
    while (size < need && size <= limit / 2)
        size *= 2;
    if (size < need)
        size = need;
    size = vs_round_up(size, p->r.opts.unit);
    return size > limit ? limit : size;
}

/* Commit down to top - newsize (unit-rounded, within the limit), signals
 * blocked so that no handler sees memory committed but not counted.  On
 * failure the stack keeps its size, and parisizemax drops to it, as the
 * system will not give more. */
static int vs_commit_to(vstack *st, size_t newsize, struct vs_out *o)
{
    struct vs_stack *p = vs_stack_state(st);
    size_t cur = p->r.hi - p->r.edge;
    vstack_sp nbot = p->r.hi - newsize, obot = p->r.edge;
    struct vs_os_sigmask saved;
    struct vs_os_err e;

    if (newsize <= cur)
        return VSTACK_OK;
    if (vs_block(&saved, o) != VSTACK_OK)
        return o->code;
    /* The first commit, of parisize, is the stack's own size, not growth. */
    int grew = newsize > p->rsize;
    if (vs_region_commit(&p->r, nbot, grew, &e, o) != 0) {
        vs_unblock(&saved, o);
        if (p->vsize && cur >= p->rsize) {
            p->vsize = cur;
            return vs_fail_os(o, &e, "parisizemax lowered to %'zu: cannot grow the stack to %'zu",
                              cur, newsize);
        }
        return vs_fail_os(o, &e, "cannot grow the stack from %'zu to %'zu", cur,
                          newsize);
    }
    /* An embedder that allocates by itself never tells memcheck: its
     * committed memory is all addressable. */
    if (p->bound)
        vs_track_undefined((void *)nbot, obot - nbot);
    else
        vs_track_noaccess((void *)nbot, obot - nbot);
    vs_unblock(&saved, o);
    if (grew)
        vs_infof(st, o, "increasing stack size to %zu", newsize);
    return VSTACK_OK;
}

/* The request does not fit under the limit.  The sentence says what was
 * asked, what is in use and what the limit is, and suggests a parisizemax
 * that would hold twice what this request needs, or says that none can. */
static int vs_overflow(vstack *st, size_t nbytes, struct vs_out *o)
{
    struct vs_stack *p = vs_stack_state(st);
    size_t used = p->r.hi - vs_sp(st);
    size_t need = nbytes > VS_SIZE_CLAMP - used ? VS_SIZE_CLAMP : used + nbytes;
    size_t giga = (2 * need + 999999999) / 1000000000;

#define VS_FIXED "the stack overflows: %zu bytes requested with %'zu in use; the stack has a fixed size of %'zu " \
                 "(parisizemax is 0): "
#define VS_LIMIT "the stack overflows: %zu bytes requested with %'zu in use; parisizemax is %'zu: "
    if (need > VS_SIZE_CLAMP / 2)
        return vs_failf(o, VSTACK_ESTACK,
                        p->vsize ? VS_LIMIT "no parisizemax can hold that much here"
                                 : VS_FIXED "no parisizemax can hold that much here",
                        nbytes, used, p->vsize ? p->vsize : p->rsize);
    return vs_failf(o, VSTACK_ESTACK,
                    p->vsize ? VS_LIMIT "raise it with default(parisizemax, \"%zuG\")"
                             : VS_FIXED "set it with default(parisizemax, \"%zuG\")",
                    nbytes, used, p->vsize ? p->vsize : p->rsize, giga);
#undef VS_FIXED
#undef VS_LIMIT
}

/* A bound stack's pointer outside the stack, for a call that needs it. */
static int vs_outside(const vstack *st, vstack_sp av, const char *call, struct vs_out *o)
{
    const struct vs_stack *p = vs_cstack_state(st);
    return vs_failf(o, VSTACK_EINVAL, "%s: the bound stack pointer %#" PRIxPTR " is outside the stack [%#" PRIxPTR
                    ", %#" PRIxPTR "]", call, (uintptr_t)av, (uintptr_t)p->r.edge, (uintptr_t)p->r.hi);
}

/* Clear a fork-wipe mark that could not be cleared after a fork, before
 * anything is handed out below its top. */
static int vs_unstick(vstack *st, struct vs_out *o)
{
    struct vs_os_err e;
    if (vs_fork_clear(&vs_stack_state(st)->r.fork, &e) != 0)
        return vs_fail_os(o, &e, "cannot clear the fork-wipe mark of the free part");
    return VSTACK_OK;
}

void *vstack_alloc_slow(vstack *st, size_t nbytes)
{
    struct vs_stack *p = vs_stack_state(st);
    struct vs_out o;
    vs_out_init(&o);
    vstack_sp av, floor, nav = 0;

    vs_track_sync(st);
    av = vs_sp(st);
    floor = p->r.hi - vs_limit(p);
    if (vs_stack_gone(st, "vstack_alloc", &o)) {
        ;
    } else if (p->bound && !vs_sp_inside(p, av)) {
        vs_outside(st, av, "vstack_alloc", &o);
    } else if (nbytes > av - floor || (nav = VS_ALIGN_DOWN(av - nbytes, 16)) < floor) {
        vs_overflow(st, nbytes, &o);
    } else if (nav < p->r.fork.hi && vs_unstick(st, &o) != VSTACK_OK) {
        ;
    } else if (nav < p->r.edge) {
        vs_commit_to(st, vs_grow_target(p, p->r.hi - nav), &o);
    }
    if (o.code != VSTACK_OK) {
        vs_deliver_alloc(st, &o);
        return NULL;
    }
    /* Before anything moves: a handler that longjmps out of the populate
     * finds the stack as it was, with more of it populated. */
    vs_region_populate(&p->r, nav);
    if (nav < p->low)
        p->low = VS_ALIGN_DOWN(nav, vs_page());
    vs_saw(p, nav);
    if (p->tracking && !p->bound) {
        vs_track_undefined((void *)nav, av - nav);
        st->lim = nav;
    }
    /* lim (never above nav) before avma: a signal handler that longjmps
     * out between the two stores must still find lim <= avma, or the fast
     * path's unsigned avma - lim would wrap and hand out any address. */
    vs_set_lim(st);
    atomic_signal_fence(memory_order_seq_cst);
    vs_set_sp(st, nav);
    /* Only now, with the stack in its final state, may a handler run. */
    if (o.nwarn)
        vs_region_deliver(&vs_stack_state(st)->r, &o);
    else
        vs_region_tell(&vs_stack_state(st)->r, &o);
    return (void *)nav;
}

void vstack_set_avma_debug(vstack *st, vstack_sp av)
{
    struct vs_stack *p = vs_stack_state(st);
    vstack_sp cur = vs_sp(st);
    struct vs_out o;
    vs_out_init(&o);
    /* A pointer may only go up, to what is in use: [avma, top]. */
    if (vs_stack_gone(st, "vstack_set_avma", &o)) {
        vs_deliver_alloc(st, &o);
        return;
    }
    if (av < cur || av > p->r.hi || (p->bound && !vs_sp_inside(p, cur))) {
        vs_failf(&o, VSTACK_EINVAL,
                 "vstack_set_avma: %#" PRIxPTR " is not in the part in use [%#" PRIxPTR ", %#" PRIxPTR "]",
                 (uintptr_t)av, (uintptr_t)cur, (uintptr_t)p->r.hi);
        vs_deliver_alloc(st, &o);
        return;
    }
    vs_set_sp(st, av);
    vs_track_sync(st);
}

int vstack_grow(vstack *st, size_t newsize)
{
    struct vs_stack *p = vs_stack_state(st);
    struct vs_out o;
    vs_out_init(&o);
    size_t cur = p->r.hi - p->r.edge, target;

    vs_track_sync(st);
    if (p->bound && vs_sp_inside(p, vs_sp(st)))
        vs_saw(p, vs_sp(st));
    if (vs_stack_gone(st, "vstack_grow", &o)) {
        ;
    } else if (newsize == 0) {
        if (!p->vsize || cur >= p->vsize)
            vs_failf(&o, VSTACK_ESTACK, "cannot grow: the stack is at parisizemax %'zu",
                     vs_limit(p));
        else
            vs_commit_to(st, vs_grow_target(p, 2 * cur), &o);
    } else {
        target = vs_clamp_round(newsize, p->r.opts.unit);
        if (target > vs_limit(p) && target > cur && p->vsize)
            vs_failf(&o, VSTACK_ESTACK, "cannot grow to %'zu: parisizemax is %'zu", newsize,
                     p->vsize);
        else if (target > vs_limit(p) && target > cur)
            vs_failf(&o, VSTACK_ESTACK, "cannot grow to %'zu: the stack has a fixed size of %'zu (parisizemax is 0)",
                     newsize, p->rsize);
        else
            vs_commit_to(st, target, &o);
    }
    return vs_region_deliver(&vs_stack_state(st)->r, &o);
}

/* ---- decommit ------------------------------------------------------------ */

/* Give [bot, nbot) back to the system, signals blocked.  A range that
 * could not be reserved again is lost (vs_region_decommit): parisizemax
 * shrinks to what is left. */
static int vs_decommit_to(vstack *st, vstack_sp nbot, struct vs_out *o)
{
    struct vs_stack *p = vs_stack_state(st);
    struct vs_os_sigmask saved;
    struct vs_os_err e;
    size_t len = nbot - p->r.edge;
    int hole;

    if (vs_block(&saved, o) != VSTACK_OK)
        return o->code;
    if (vs_region_decommit(&p->r, nbot, &hole, &e, o) != 0 && !hole) {
        vs_unblock(&saved, o);
        return vs_fail_os(o, &e, "cannot give back %'zu of the stack", len);
    }
    if (hole) {
        if (p->vsize)
            p->vsize = p->r.hi - nbot;
        if (p->rsize > p->r.hi - nbot)
            p->rsize = p->rsize_given = p->r.hi - nbot;
    }
    if (p->low < nbot)
        p->low = nbot;
    vs_set_lim(st);
    vs_unblock(&saved, o);
    if (hole)
        return vs_fail_os(o, &e, "%'zu were given back but not reserved again; parisizemax lowered to %'zu",
                          len, (size_t)(p->r.hi - nbot));
    vs_infof(st, o, "decreasing stack size to %zu", (size_t)(p->r.hi - nbot));
    return VSTACK_OK;
}

/* Mark the touched free part for fork-wipe now, and keep the mark across
 * forks (vs_fork_keep), lim above it: a fork after a reset then makes no
 * system call, and the next allocation below lim clears the mark.  Signals
 * are blocked from the mark to lim, so that a handler that longjmps never
 * leaves a mark unrecorded.  A failure costs only that: the fork hooks mark
 * the range instead, as for any stack. */
static void vs_keep_free(vstack *st, struct vs_out *o)
{
    struct vs_stack *p = vs_stack_state(st);
    struct vs_os_sigmask saved;
    struct vs_out quiet;
    struct vs_os_err e;

    /* A bound stack keeps no mark: its embedder allocates below lim
     * without a call, into memory the mark would hide from children. */
    vs_out_init(&quiet);
    if (!p->r.fork.slot || p->bound || vs_block(&saved, &quiet) != VSTACK_OK)
        return;
    (void)vs_fork_keep(&p->r.fork, &e);
    vs_set_lim(st);
    vs_unblock(&saved, o);
}

int vstack_reset(vstack *st)
{
    struct vs_stack *p = vs_stack_state(st);
    struct vs_out o;
    vs_out_init(&o);
    vstack_sp av = vs_sp(st);
    size_t used = vs_round_up(p->r.hi - av, p->r.opts.unit);
    size_t keep = used > p->rsize ? used : p->rsize;

    vs_track_sync(st);
    if (vs_stack_gone(st, "vstack_reset", &o))
        return vs_region_deliver(&vs_stack_state(st)->r, &o);
    if (p->bound && !vs_sp_inside(p, av)) {
        vs_outside(st, av, "vstack_reset", &o);
        return vs_region_deliver(&vs_stack_state(st)->r, &o);
    }
    vs_saw(p, av);
    if (keep < p->r.hi - p->r.edge)
        vs_decommit_to(st, p->r.hi - keep, &o);
    if (o.code == VSTACK_OK)
        vs_keep_free(st, &o);
    return vs_region_deliver(&vs_stack_state(st)->r, &o);
}

int vstack_trim(vstack *st)
{
    struct vs_stack *p = vs_stack_state(st);
    struct vs_out o;
    vs_out_init(&o);
    struct vs_os_err e;
    vstack_sp av = vs_sp(st), end = VS_ALIGN_DOWN(av, vs_page());

    vs_track_sync(st);
    if (vs_stack_gone(st, "vstack_trim", &o))
        return vs_region_deliver(&vs_stack_state(st)->r, &o);
    if (p->bound && !vs_sp_inside(p, av)) {
        vs_outside(st, av, "vstack_trim", &o);
        return vs_region_deliver(&vs_stack_state(st)->r, &o);
    }
    if (end > p->r.edge) {
        /* The malloc layer writes zeros where memcheck was told nothing may go. */
        if (p->tracking && !vs_os_config()->reserves)
            vs_track_undefined((void *)p->r.edge, end - p->r.edge);
        if (vs_os_discard((void *)p->r.edge, end - p->r.edge, &e) == 0) {
            if (p->r.filled < end)
                p->r.filled = end; /* populated pages are zero pages again */
        } else {
            vs_fail_os(&o, &e, "cannot discard %'zu of free stack", (size_t)(end - p->r.edge));
            /* A layer that discards by decommitting and committing again
             * (Windows) may have stopped halfway: give the range back, so
             * that the stack never counts decommitted pages as committed.
             * It grows again on demand. */
            if (vs_os_config()->discard_decommits) {
                struct vs_out d;
                vs_out_init(&d);
                if (vs_decommit_to(st, end, &d) != VSTACK_OK)
                    vs_warn_failure(&o, &d);
            }
        }
        if (p->tracking && p->bound)
            vs_track_defined((void *)p->r.edge, end - p->r.edge); /* zeros, as the contract says */
        else if (p->tracking)
            vs_track_noaccess((void *)p->r.edge, st->lim - p->r.edge);
    }
    return vs_region_deliver(&vs_stack_state(st)->r, &o);
}

void vstack_get_stats(const vstack *st, struct vstack_stats *out)
{
    const struct vs_stack *p = vs_cstack_state(st);
    vstack_sp av = vs_sp(st);
    out->used = p->bound && !vs_sp_inside(p, av) ? 0 : p->r.hi - av;
    out->committed = p->r.hi - p->r.edge;
    out->reserved = p->r.hi - p->r.lo;
    out->rsize = p->rsize;
    out->high_water = p->high_water;
    out->grows = p->r.grows;
    out->shrinks = p->r.shrinks;
    out->ahead = p->r.filled < p->low ? p->low - p->r.filled : 0;
}

/* ---- an embedder's own stack pointer ------------------------------------- */

int vstack_bind_avma(vstack *st, vstack_sp *avma)
{
    struct vs_stack *p = vs_stack_state(st);
    struct vs_out o;
    vs_out_init(&o);
    struct vs_os_sigmask saved;
    struct vs_os_err e;

    vs_track_sync(st);
    if (vs_stack_gone(st, "vstack_bind_avma", &o))
        return vs_region_deliver(&vs_stack_state(st)->r, &o);
    /* From the cleared mark to the new pointer, a fork from a signal
     * handler must see one binding or the other, never half of each. */
    if (vs_block(&saved, &o) != VSTACK_OK)
        return vs_region_deliver(&vs_stack_state(st)->r, &o);
    if (vs_fork_clear(&p->r.fork, &e) != 0) {
        /* A kept mark (vstack_reset) would hide the embedder's data, which
         * it writes without a call, from children. */
        vs_fail_os(&o, &e, "vstack_bind_avma: cannot clear the fork-wipe mark of the free part");
    } else if (avma) {
        /* What memcheck was told is no-access below lim is the embedder's
         * to use from now on. */
        if (p->tracking && !p->bound)
            vs_track_undefined((void *)p->r.edge, st->lim - p->r.edge);
        p->bound = avma;
        st->lim = st->avma = p->r.hi;
        vs_live_claim(&p->r.fork);
    } else if (p->bound) {
        vstack_sp av = vs_sp(st);
        p->bound = NULL;
        /* The embedder may have touched all that is committed. */
        p->low = p->r.edge;
        st->lim = p->r.edge;
        st->avma = vs_sp_inside(p, av) ? av : p->r.hi;
        if (p->tracking) {
            st->lim = VS_ALIGN_DOWN(st->avma, 16);
            vs_track_noaccess((void *)p->r.edge, st->lim - p->r.edge);
        }
        vs_set_lim(st);
    }
    vs_unblock(&saved, &o);
    return vs_region_deliver(&vs_stack_state(st)->r, &o);
}
