/* stack.c -- the stack policy: reservation, growth, overflow, reset.
 *
 * Layout of one stack, addresses growing to the right:
 *
 *   map_base  vbot            bot          avma            top
 *      |  ...  |  reserved     |  committed  |   in use      |  ...
 *              |  PROT_NONE    |  free       |               |
 *
 * Only [bot, top) is readable and writable.  Growth commits below bot;
 * decommit gives [bot, new bot) back.  This file never calls the system: it
 * uses the verbs of os.h only. */
#include "config.h"
#include "internal.h"
#include "os.h"
#include "track.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define VS_FLAGS_KNOWN \
    (VSTACK_NOPROBE | VSTACK_DECOMMIT_UNMAP | VSTACK_DECOMMIT_REMAP | VSTACK_HUGEPAGES | \
     VSTACK_NOHUGEPAGES | VSTACK_NOFORKWIPE)
/* Larger sizes are clamped, so that doubling and alignment cannot overflow. */
#define VS_SIZE_CLAMP (SIZE_MAX / 4)

/* A reservation and its committed part, before it is adopted by a stack. */
struct vs_geom {
    void *map_base;
    size_t map_len;
    vstack_sp vbot, bot, top;
    size_t rsize, vsize;
};

static size_t vs_unit(const vstack *st)
{
    const struct vs_os_config *cfg = vs_os_config();
    return (st->flags & VS_F_HUGE) ? cfg->huge_page_size : cfg->page_size;
}

/* A size as the stack will use it: page (or huge page) rounded, at least
 * VSTACK_MIN_SIZE. */
static size_t vs_round(const vstack *st, size_t n)
{
    size_t unit = vs_unit(st);
    if (n > VS_SIZE_CLAMP)
        n = VS_SIZE_CLAMP;
    if (n < VSTACK_MIN_SIZE)
        n = VSTACK_MIN_SIZE;
    return vs_round_up(n, unit);
}

/* ---- flags and environment ----------------------------------------------- */

/* One yes/no choice: the flag `yes` or `no` if one is given, else the
 * environment variable `name` (`on` or `off`; anything else is ignored with a
 * warning), else `dflt`. */
static int vs_choose(vstack *st, unsigned flags, unsigned yes, unsigned no, const char *name,
                     const char *on, const char *off, int dflt)
{
    const char *env;
    if (flags & yes)
        return 1;
    if (flags & no)
        return 0;
    if ((env = getenv(name)) == NULL || !*env)
        return dflt;
    if (strcmp(env, on) == 0)
        return 1;
    if (strcmp(env, off) == 0)
        return 0;
    vs_warn(st, VSTACK_EINVAL, "%s=%s ignored: use %s or %s", name, env, on, off);
    return dflt;
}

/* Resolve the decommit path and huge pages: a flag beats the environment,
 * which beats the platform default. */
static int vs_resolve_flags(vstack *st, unsigned flags)
{
    const struct vs_os_config *cfg = vs_os_config();

    if ((flags & ~VS_FLAGS_KNOWN) ||
        (flags & (VSTACK_DECOMMIT_UNMAP | VSTACK_DECOMMIT_REMAP)) == (VSTACK_DECOMMIT_UNMAP | VSTACK_DECOMMIT_REMAP) ||
        (flags & (VSTACK_HUGEPAGES | VSTACK_NOHUGEPAGES)) == (VSTACK_HUGEPAGES | VSTACK_NOHUGEPAGES))
        return vs_fail(st, VSTACK_EINVAL, "vstack_init: unknown or contradictory flags 0x%x", flags);

    int unmap = vs_choose(st, flags, VSTACK_DECOMMIT_UNMAP, VSTACK_DECOMMIT_REMAP, "VSTACK_DECOMMIT",
                          "unmap", "remap", cfg->default_unmap);
    int huge = vs_choose(st, flags, VSTACK_HUGEPAGES, VSTACK_NOHUGEPAGES, "VSTACK_HUGEPAGES", "1", "0", 0);
    if (huge && !cfg->huge_page_size) {
        if (flags & VSTACK_HUGEPAGES)
            vs_warn(st, VSTACK_OK, "transparent huge pages are not available: using normal pages");
        huge = 0;
    }
    st->flags = flags | (unmap ? VS_F_UNMAP : 0) | (huge ? VS_F_HUGE : 0);
    return VSTACK_OK;
}

/* ---- reservation --------------------------------------------------------- */

/* Reserve a stack of parisize rsize and parisizemax vsize (both rounded) into
 * *g.  If the system refuses, halve and retry down to VSTACK_MIN_SIZE,
 * warning each time.  Nothing of st but its flags and handlers is used. */
static int vs_map(vstack *st, size_t rsize, size_t vsize, struct vs_geom *g)
{
    const struct vs_os_config *cfg = vs_os_config();
    size_t unit = vs_unit(st);
    size_t want = vsize ? vsize : rsize;
    size_t extra = (st->flags & VS_F_HUGE) ? unit : 0; /* room to align top */
    char b1[48], b2[48];
    int err;

    if (vs_running_on_valgrind() && want > VSTACK_VALGRIND_MAX) {
        want = VSTACK_VALGRIND_MAX;
        vs_warn(st, VSTACK_OK, "running under valgrind: reservation capped to %s",
                vs_fmt_size(want, b1));
    }
    for (;;) {
        void *base = NULL;
        size_t commit = rsize < want ? rsize : want;
        err = 0;
        if (cfg->has_mmap && !(st->flags & VSTACK_NOPROBE))
            err = vs_os_probe(want);
        if (!err)
            err = vs_os_reserve(want + extra, &base);
        const char *call = vs_os_failed_call();
        if (!err) {
            vstack_sp end = (vstack_sp)base + want + extra;
            g->map_base = base;
            g->map_len = want + extra;
            g->top = end & ~(vstack_sp)(unit - 1);
            g->vbot = g->top - want;
            g->bot = g->top - commit;
            err = vs_os_commit((void *)g->bot, commit);
            if (!err)
                break;
            call = vs_os_failed_call();
            int rerr = vs_os_release(base, want + extra);
            if (rerr) {
                /* Leave the mapping alone, reserved and inaccessible. */
                vs_warn(st, vs_errno_code(rerr), "cannot release %s after a failed commit: %s: %s",
                        vs_fmt_size(want + extra, b1), vs_os_failed_call(), strerror(rerr));
            }
        }
        if (want / 2 < VSTACK_MIN_SIZE || want / 2 < unit)
            return vs_fail(st, vs_errno_code(err), "cannot reserve a stack of %s: %s: %s",
                           vs_fmt_size(want, b1), call, strerror(err));
        want = (want / 2) & ~(unit - 1);
        vs_warn(st, vs_errno_code(err), "%s: %s; %s lowered to %s", call, strerror(err),
                vsize ? "parisizemax" : "parisize", vs_fmt_size(want, b2));
    }
    /* The system granted less than parisize: parisize follows. */
    g->rsize = rsize < want ? rsize : want;
    g->vsize = vsize ? want : 0;
    if (st->flags & VS_F_HUGE) {
        int aerr = vs_os_advise_huge((void *)g->bot, g->top - g->bot);
        if (aerr)
            vs_warn(st, vs_errno_code(aerr), "%s: %s; continuing with normal pages",
                    vs_os_failed_call(), strerror(aerr));
    }
    return VSTACK_OK;
}

/* Make g the stack's memory; the stack is empty afterwards.  given is
 * parisize as the caller gave it, kept for reading back as gp does. */
static void vs_adopt(vstack *st, const struct vs_geom *g, size_t given)
{
    st->rsize_given = given >= VSTACK_MIN_SIZE && given <= g->rsize ? given : g->rsize;
    st->map_base = g->map_base;
    st->map_len = g->map_len;
    st->vbot = g->vbot;
    st->bot = g->bot;
    st->top = g->top;
    st->rsize = g->rsize;
    st->vsize = g->vsize;
    st->unit = vs_unit(st);
    st->avma = st->top;
    st->tracking = vs_running_on_valgrind();
    st->lim = st->tracking ? st->top : st->bot;
    st->mark = st->tracking ? UINTPTR_MAX : st->top;
    vs_track_noaccess((void *)st->bot, st->top - st->bot);
}

/* The most ever used, including the current contents. */
static size_t vs_high_water(const vstack *st)
{
    vstack_sp low = st->avma < st->mark ? st->avma : st->mark;
    size_t now = st->top - low;
    return now > st->high_water ? now : st->high_water;
}

int vstack_init(vstack *st, size_t rsize, size_t vsize, unsigned flags)
{
    struct vs_geom g;
    char b1[48], b2[48];
    size_t given = rsize;
    int err;

    memset(st, 0, sizeof *st);
    if ((err = vs_resolve_flags(st, flags)) != VSTACK_OK)
        return err;
    rsize = vs_round(st, rsize);
    vsize = vsize ? vs_round(st, vsize) : 0;
    if (vsize && vsize < rsize)
        return vs_fail(st, VSTACK_EINVAL, "parisizemax %s < parisize %s",
                       vs_fmt_size(vsize, b1), vs_fmt_size(rsize, b2));
    if (vsize && !vs_os_config()->has_mmap) {
        vs_warn(st, VSTACK_OK, "no mmap on this system: parisizemax ignored, fixed stack of %s",
                vs_fmt_size(rsize, b1));
        vsize = 0;
    }
    if ((err = vs_map(st, rsize, vsize, &g)) != VSTACK_OK)
        return err;
    vs_adopt(st, &g, given);
    vs_live_add(st);
    return VSTACK_OK;
}

/* Give a whole mapping back; failures are reported, never fatal. */
static void vs_release(vstack *st, void *base, size_t len)
{
    char b1[48];
    int err = vs_os_release(base, len);
    if (err)
        vs_warn(st, vs_errno_code(err), "cannot release %s at %p: %s: %s", vs_fmt_size(len, b1), base,
                vs_os_failed_call(), strerror(err));
}

void vstack_destroy(vstack *st)
{
    if (!st->map_base)
        return;
    vs_live_remove(st);
    vs_release(st, st->map_base, st->map_len);
    memset(st, 0, sizeof *st);
}

/* Replace the stack's memory by a new reservation: the contents are
 * discarded.  On failure the old stack is kept as it was. */
static int vs_rebuild(vstack *st, size_t given, size_t rsize, size_t vsize)
{
    struct vs_geom g;
    void *old_base = st->map_base;
    size_t old_len = st->map_len, hw = vs_high_water(st);
    int err;

    if ((err = vs_map(st, rsize, vsize, &g)) != VSTACK_OK)
        return err;
    vs_release(st, old_base, old_len);
    vs_adopt(st, &g, given);
    st->high_water = hw;
    return VSTACK_OK;
}

int vstack_set_size(vstack *st, size_t rsize)
{
    char b1[48], b2[48];
    size_t given = rsize;
    rsize = vs_round(st, rsize);
    if (st->vsize && rsize > st->vsize)
        return vs_fail(st, VSTACK_EINVAL, "parisize %s > parisizemax %s", vs_fmt_size(rsize, b1),
                       vs_fmt_size(st->vsize, b2));
    return vs_rebuild(st, given, rsize, st->vsize);
}

int vstack_set_sizemax(vstack *st, size_t vsize)
{
    char b1[48], b2[48];
    vsize = vsize ? vs_round(st, vsize) : 0;
    if (vsize && vsize < st->rsize)
        return vs_fail(st, VSTACK_EINVAL, "parisizemax %s < parisize %s", vs_fmt_size(vsize, b1),
                       vs_fmt_size(st->rsize, b2));
    if (vsize && !vs_os_config()->has_mmap) {
        vs_warn(st, VSTACK_OK, "no mmap on this system: parisizemax ignored");
        vsize = 0;
    }
    return vs_rebuild(st, st->rsize_given, st->rsize, vsize);
}

/* ---- growth -------------------------------------------------------------- */

/* The largest committed size the stack may reach. */
static size_t vs_limit(const vstack *st) { return st->vsize ? st->vsize : st->top - st->bot; }

/* Commit [top - newsize, bot).  newsize is unit-rounded and within the
 * limit.  On failure the stack keeps its size and parisizemax drops to it,
 * as the system will not give more. */
static int vs_commit_to(vstack *st, size_t newsize)
{
    size_t cur = st->top - st->bot;
    vstack_sp nbot = st->top - newsize;
    char b1[48], b2[48];
    int err;

    if (newsize <= cur)
        return VSTACK_OK;
    if ((err = vs_os_commit((void *)nbot, st->bot - nbot)) != 0) {
        int code = vs_errno_code(err);
        vs_fail(st, code, "cannot grow the stack from %s to %s: %s: %s", vs_fmt_size(cur, b1),
                vs_fmt_size(newsize, b2), vs_os_failed_call(), strerror(err));
        if (st->vsize) {
            st->vsize = cur;
            vs_warn(st, code, "%s; parisizemax lowered to %s", st->errmsg, vs_fmt_size(cur, b1));
        }
        return code;
    }
    if (st->flags & VS_F_HUGE) {
        err = vs_os_advise_huge((void *)nbot, st->bot - nbot);
        if (err)
            vs_warn(st, vs_errno_code(err), "%s: %s; continuing with normal pages", vs_os_failed_call(),
                    strerror(err));
    }
    vs_track_noaccess((void *)nbot, st->bot - nbot);
    st->bot = nbot;
    if (!st->tracking)
        st->lim = nbot;
    st->grows++;
    if (st->verbose > 0)
        vs_warn(st, VSTACK_OK, "increasing stack size to %zu", newsize);
    return VSTACK_OK;
}

/* The committed size to grow to for a stack that needs `need` bytes
 * committed: doubling, capped at the limit. */
static size_t vs_grow_target(const vstack *st, size_t need)
{
    size_t size = st->top - st->bot, limit = vs_limit(st);
    while (size < need && size <= limit / 2)
        size *= 2;
    if (size < need)
        size = need;
    size = vs_round_up(size, st->unit);
    return size > limit ? limit : size;
}

static void *vs_overflow(vstack *st, size_t nbytes)
{
    char b1[48], b2[48], b3[48];
    size_t cur = st->top - st->bot;
    if (st->vsize)
        vs_error(st, VSTACK_ESTACK,
                 "the stack overflows: %zu bytes requested with %s in use; stack size %s, "
                 "parisizemax %s: raise it with default(parisizemax, ...)",
                 nbytes, vs_fmt_size(st->top - st->avma, b1), vs_fmt_size(cur, b2),
                 vs_fmt_size(st->vsize, b3));
    else
        vs_error(st, VSTACK_ESTACK,
                 "the stack overflows: %zu bytes requested with %s in use; fixed stack size %s "
                 "(parisizemax is 0): set parisizemax with default(parisizemax, \"4G\")",
                 nbytes, vs_fmt_size(st->top - st->avma, b1), vs_fmt_size(cur, b2));
    return NULL;
}

void *vstack_alloc_slow(vstack *st, size_t nbytes)
{
    vstack_sp av = st->avma, floor = st->top - vs_limit(st), nav;

    if (nbytes > av - floor || (nav = (av - nbytes) & ~(vstack_sp)15) < floor)
        return vs_overflow(st, nbytes);
    if (nav < st->bot) {
        int err = vs_commit_to(st, vs_grow_target(st, st->top - nav));
        if (err) {
            char msg[sizeof st->errmsg];
            memcpy(msg, st->errmsg, sizeof msg);
            vs_error(st, err, "%s", msg);
            return NULL;
        }
    }
    if (st->tracking) {
        vs_track_undefined((void *)nav, av - nav);
        st->lim = nav;
        if (st->top - nav > st->high_water)
            st->high_water = st->top - nav;
    }
    st->avma = nav;
    return (void *)nav;
}

void vstack_set_avma_slow(vstack *st, vstack_sp av)
{
    if (!st->tracking) {
        st->mark = st->avma; /* a new low: remember it for high_water */
        st->avma = av;
        return;
    }
    /* Under memcheck: what is popped becomes no-access, and lim follows
     * avma so that every allocation comes back here. */
    vstack_sp nlim = av & ~(vstack_sp)15;
    if (nlim > st->lim)
        vs_track_noaccess((void *)st->lim, nlim - st->lim);
    else if (nlim < st->lim)
        vs_track_undefined((void *)nlim, st->lim - nlim);
    st->lim = nlim;
    st->avma = av;
}

int vstack_grow(vstack *st, size_t newsize)
{
    size_t cur = st->top - st->bot, target;
    char b1[48], b2[48];

    if (newsize == 0) {
        if (!st->vsize || cur >= st->vsize)
            return vs_fail(st, VSTACK_ESTACK, "cannot grow: the stack is at parisizemax %s",
                           vs_fmt_size(vs_limit(st), b1));
        target = vs_grow_target(st, 2 * cur);
    } else {
        target = vs_round_up(newsize > VS_SIZE_CLAMP ? VS_SIZE_CLAMP : newsize, st->unit);
        if (target <= cur)
            return VSTACK_OK;
        if (target > vs_limit(st))
            return vs_fail(st, VSTACK_ESTACK, "cannot grow to %s: parisizemax is %s",
                           vs_fmt_size(target, b1), vs_fmt_size(st->vsize, b2));
    }
    return vs_commit_to(st, target);
}

/* ---- decommit ------------------------------------------------------------ */

/* Give [bot, nbot) back to the system. */
static int vs_decommit_to(vstack *st, vstack_sp nbot)
{
    char b1[48], b2[48];
    size_t len = nbot - st->bot;
    int hole, err = vs_os_decommit((void *)st->bot, len, (st->flags & VS_F_UNMAP) != 0, &hole);

    if (err && !hole)
        return vs_fail(st, vs_errno_code(err), "cannot give back %s of the stack: %s: %s",
                       vs_fmt_size(len, b1), vs_os_failed_call(), strerror(err));
    if (err) {
        /* The range was unmapped and could not be mapped again: it is no
         * longer ours, so the stack may not grow into it.  Release the
         * reservation below it too, and shrink parisizemax to what is left. */
        const char *call = vs_os_failed_call();
        vstack_sp map_end = (vstack_sp)st->map_base + st->map_len;
        if (st->bot > (vstack_sp)st->map_base) {
            if (vs_os_release(st->map_base, st->bot - (vstack_sp)st->map_base) == 0) {
                st->map_base = (void *)nbot;
                st->map_len = map_end - nbot;
            }
        } else {
            st->map_base = (void *)nbot;
            st->map_len = map_end - nbot;
        }
        st->vbot = st->bot = nbot;
        if (!st->tracking)
            st->lim = nbot;
        if (st->vsize)
            st->vsize = st->top - nbot;
        if (st->rsize > st->top - nbot)
            st->rsize = st->rsize_given = st->top - nbot;
        return vs_fail(st, vs_errno_code(err),
                       "%s: %s: %s were given back but not reserved again; parisizemax lowered to %s",
                       call, strerror(err), vs_fmt_size(len, b1), vs_fmt_size(st->top - nbot, b2));
    }
    st->bot = nbot;
    if (!st->tracking)
        st->lim = nbot;
    st->shrinks++;
    if (st->verbose > 0)
        vs_warn(st, VSTACK_OK, "decreasing stack size to %zu", (size_t)(st->top - nbot));
    return VSTACK_OK;
}

int vstack_reset(vstack *st)
{
    size_t used = vs_round_up(st->top - st->avma, st->unit);
    size_t keep = used > st->rsize ? used : st->rsize;
    if (keep >= st->top - st->bot)
        return VSTACK_OK;
    return vs_decommit_to(st, st->top - keep);
}

int vstack_trim(vstack *st)
{
    size_t page = vs_os_config()->page_size;
    vstack_sp end = st->avma & ~(vstack_sp)(page - 1);
    char b1[48];
    if (end <= st->bot)
        return VSTACK_OK;
    /* The malloc layer writes zeros where memcheck was told nothing may go. */
    if (st->tracking && !vs_os_config()->has_mmap)
        vs_track_undefined((void *)st->bot, end - st->bot);
    int err = vs_os_discard((void *)st->bot, end - st->bot);
    if (err)
        return vs_fail(st, vs_errno_code(err), "cannot discard %s of free stack: %s: %s",
                       vs_fmt_size(end - st->bot, b1), vs_os_failed_call(), strerror(err));
    if (st->tracking)
        vs_track_noaccess((void *)st->bot, st->lim - st->bot);
    return VSTACK_OK;
}

void vstack_get_stats(const vstack *st, struct vstack_stats *out)
{
    out->used = st->top - st->avma;
    out->committed = st->top - st->bot;
    out->reserved = st->top - st->vbot;
    out->rsize = st->rsize;
    out->high_water = vs_high_water(st);
    out->grows = st->grows;
    out->shrinks = st->shrinks;
}

vstack_sp vstack_top(const vstack *st) { return st->top; }

void vstack_pop_all(vstack *st) { vstack_set_avma(st, st->top); }
