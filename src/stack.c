/* stack.c -- a stack's life: init, destroy, and GP's default(parisize |
 * parisizemax), which replace the stack's memory by a new reservation. */
#include "config.h"
#include "internal.h"
#include "track.h"

#include <string.h>

/* Check parisize rsize and parisizemax vsize (rounded; vsize 0: fixed),
 * reserve them and make the reservation the stack's memory.  given is
 * parisize as the caller gave it, read back as gp does; asked is the size
 * to reserve as the caller gave it, for the messages.  join: a new stack,
 * to enter in fork-wipe's table; otherwise a rebuild, which discards the
 * contents and keeps the counters and high_water.  On failure the stack is
 * unchanged. */
static int vs_map(vstack *st, size_t given, size_t asked, size_t rsize, size_t vsize, int join,
                  struct vs_out *o)
{
    struct vstack_private_ *p = &st->priv_;
    struct vs_region r;
    char b1[48];

    if (vsize && vs_check_sizes(rsize, vsize, "parisize", "parisizemax", o) != VSTACK_OK)
        return o->code;
    if (vsize && !vs_os_config()->reserves) {
        vs_warnf(o, VSTACK_OK, "no mmap on this system: parisizemax ignored, fixed stack of %s",
                 vs_fmt_size(rsize, b1));
        vsize = 0;
    }
    /* From the new reservation to the release of the old one, a handler
     * that longjmps out would leak a mapping or leave st on freed memory. */
    struct vs_os_sigmask saved;
    if (vs_block(&saved, o) != VSTACK_OK)
        return o->code;
    /* Nothing is committed until the first allocation: an idle stack is a
     * bare reservation, which fork copies at no cost. */
    if (vs_reserve(&p->opts, asked, vsize ? vsize : rsize, 0, 1, vsize ? "parisizemax" : "parisize", &r, o) ==
        VSTACK_OK) {
        size_t granted = r.hi - r.lo;
        if (p->map_base)
            vs_release(p->map_base, p->map_len, o);
        vs_stack_adopt(st, &r);
        p->rsize = rsize < granted ? rsize : granted;
        p->rsize_given = given >= VSTACK_MIN_SIZE && given <= p->rsize ? given : p->rsize;
        p->vsize = vsize ? granted : 0;
        /* Still blocked: a handler that longjmps out of a half-entered
         * table slot would leave the table pointing at this stack. */
        if (join)
            vs_live_join(&p->fork, &p->opts, "stack", o);
    }
    vs_unblock(&saved, o);
    return o->code;
}

int vstack_init(vstack *st, size_t rsize, size_t vsize, unsigned flags)
{
    struct vstack_private_ *p = &st->priv_;
    struct vs_out o = {0};
    size_t r, v;
    int again;

    /* The struct may be garbage, which is read here on purpose (and
     * overwritten next), looking only into the table. */
    vs_track_defined(st, sizeof *st);
    again = vs_live_registered(&p->fork);

    memset(st, 0, sizeof *st);
    if (vs_resolve_options(flags, &p->opts, &o) != VSTACK_OK)
        return vs_deliver(st, &o);
    r = vs_round_size(&p->opts, rsize);
    v = vsize ? vs_round_size(&p->opts, vsize) : 0;
    if (vs_map(st, rsize, vsize ? vsize : rsize, r, v, 1, &o) != VSTACK_OK)
        memset(st, 0, sizeof *st); /* nothing but the sentence of the failure */
    else if (again)
        vs_live_misused(&o, "vstack_init", "stack");
    return vs_deliver(st, &o);
}

void vstack_destroy(vstack *st)
{
    struct vstack_private_ *p = &st->priv_;
    struct vs_out o = {0};
    struct vs_os_sigmask saved;
    if (!p->map_base)
        return;
    int blocked = vs_teardown(&p->fork, p->map_base, p->map_len, &saved, &o);
    /* Empty the struct before signals come back, so that a handler that
     * longjmps out never finds it on released memory; only the warn
     * handler stays, to hear what went wrong. */
    vstack_handler warn_fn = p->warn_fn;
    void *warn_ctx = p->warn_ctx;
    memset(st, 0, sizeof *st);
    p->warn_fn = warn_fn;
    p->warn_ctx = warn_ctx;
    if (blocked)
        vs_unblock(&saved, &o);
    vs_deliver(st, &o);
    memset(st, 0, sizeof *st);
}

void vstack_claim(vstack *st) { vs_live_claim(&st->priv_.fork); }

int vs_stack_gone(const vstack *st, const char *call, struct vs_out *o)
{
    if (st->priv_.map_base)
        return 0;
    vs_failf(o, VSTACK_EINVAL, "%s: no stack here (never initialised, or destroyed)", call);
    return 1;
}

/* ---- GP's default() ---------------------------------------------------------- */

int vstack_set_size(vstack *st, size_t rsize)
{
    struct vstack_private_ *p = &st->priv_;
    struct vs_out o = {0};
    if (!vs_stack_gone(st, "vstack_set_size", &o))
        vs_map(st, rsize, p->vsize ? p->vsize : rsize, vs_round_size(&p->opts, rsize), p->vsize, 0, &o);
    return vs_deliver(st, &o);
}

int vstack_set_sizemax(vstack *st, size_t vsize)
{
    struct vstack_private_ *p = &st->priv_;
    struct vs_out o = {0};
    if (!vs_stack_gone(st, "vstack_set_sizemax", &o))
        vs_map(st, p->rsize_given, vsize ? vsize : p->rsize_given, p->rsize,
               vsize ? vs_round_size(&p->opts, vsize) : 0, 0, &o);
    return vs_deliver(st, &o);
}

/* 0 for parisize, 1 for parisizemax, -1 for anything else. */
static int vs_default_name(const char *name)
{
    if (name && strcmp(name, "parisize") == 0)
        return 0;
    if (name && strcmp(name, "parisizemax") == 0)
        return 1;
    return -1;
}

int vstack_default(vstack *st, const char *name, const char *value)
{
    struct vs_out o = {0};
    int which = vs_default_name(name);
    size_t n;

    if (which < 0)
        vs_failf(&o, VSTACK_EINVAL, "default: unknown default '%s' (parisize or parisizemax)",
                 name ? name : "(null)");
    else if (!value)
        ;
    else if (vstack_parse_size(value, &n) != VSTACK_OK)
        vs_failf(&o, VSTACK_EINVAL,
                 "default(%s): bad size \"%s\" (digits, then k, M, G, T or KiB, MiB, GiB, TiB)", name,
                 value);
    else
        return which ? vstack_set_sizemax(st, n) : vstack_set_size(st, n);
    return vs_deliver(st, &o);
}

int vstack_default_get(const vstack *st, const char *name, size_t *out)
{
    int which = vs_default_name(name);
    if (which < 0 || !out || !st->priv_.map_base)
        return VSTACK_EINVAL;
    *out = which ? st->priv_.vsize : st->priv_.rsize_given;
    return VSTACK_OK;
}
