/* SPDX-License-Identifier: MIT */
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
    struct vs_stack *p = vs_stack_state(st);
    struct vs_mapping m;

    if (vsize && vs_check_sizes(rsize, vsize, "parisize", "parisizemax", o) != VSTACK_OK)
        return o->code;
    if (vsize && !vs_os_config()->reserves) {
        vs_warnf(o, VSTACK_OK, "no mmap on this system: parisizemax ignored, fixed stack of %'zu",
                 rsize);
        vsize = 0;
    }
    /* From the new reservation to the release of the old one, a handler
     * that longjmps out would leak a mapping or leave st on freed memory. */
    struct vs_os_sigmask saved;
    if (vs_block(&saved, o) != VSTACK_OK)
        return o->code;
    /* Nothing is committed until the first allocation: an idle stack is a
     * bare reservation, which fork copies at no cost. */
    if (vs_reserve(&p->r.opts, asked, vsize ? vsize : rsize, 0, vsize ? "parisizemax" : "parisize", &m, o) ==
        VSTACK_OK) {
        size_t granted = m.hi - m.lo;
        vs_region_adopt(&p->r, &m, o);
        vs_stack_adopted(st);
        p->rsize = rsize < granted ? rsize : granted;
        p->rsize_given = given >= VSTACK_MIN_SIZE && given <= p->rsize ? given : p->rsize;
        p->vsize = vsize ? granted : 0;
        /* Still blocked: a handler that longjmps out of a half-entered
         * table slot would leave the table pointing at this stack. */
        if (join)
            vs_region_join(&p->r, "stack", o);
    }
    vs_unblock(&saved, o);
    return o->code;
}

int vstack_init(vstack *st, size_t rsize, size_t vsize, unsigned flags)
{
    struct vs_stack *p = vs_stack_state(st);
    struct vs_out o;
    size_t r, v;
    int again;

    vs_out_init(&o);
    /* The struct may be garbage, which is read here on purpose (and
     * overwritten next), looking only into the table. */
    vs_track_defined(st, sizeof *st);
    again = vs_live_registered(&p->r.fork);

    memset(st, 0, sizeof *st);
    p->r.down = 1;
    p->r.hear = vs_stack_hear;
    if (vs_resolve_options(flags, &p->r.opts, &o) == VSTACK_OK) {
        r = vs_round_size(&p->r.opts, rsize);
        v = vsize ? vs_round_size(&p->r.opts, vsize) : 0;
        if (vs_map(st, rsize, vsize ? vsize : rsize, r, v, 1, &o) != VSTACK_OK) {
            memset(st, 0, sizeof *st); /* nothing but the sentence of the failure */
            p->r.hear = vs_stack_hear;
        } else if (again) {
            vs_live_misused(&o, "vstack_init", "stack");
        }
    }
    return vs_region_deliver(&p->r, &o);
}

void vstack_destroy(vstack *st)
{
    struct vs_stack *p = vs_stack_state(st);
    if (p->r.map_base)
        vs_region_destroy(&p->r, st, sizeof *st);
}

void vstack_claim(vstack *st) { vs_live_claim(&vs_stack_state(st)->r.fork); }

void vs_stack_hear(struct vs_region *r, const union vs_warn_fn *fn, void *ctx, const struct vs_line *l)
{
    vstack_handler derr, dwarn;
    void *dctx;
    char msg[VS_MSG_LEN];
    vs_default_handlers(&derr, &dwarn, &dctx);
    if (!fn->stack) {
        if (!dwarn)
            return; /* nobody hears it: it is never written out */
        ctx = dctx;
    }
    (fn->stack ? fn->stack : dwarn)(vs_stack_head((struct vs_stack *)(void *)r), l->code,
                                    vs_line_format(l, msg, sizeof msg), ctx);
}

/* ---- GP's default() ---------------------------------------------------------- */

int vstack_set_size(vstack *st, size_t rsize)
{
    struct vs_stack *p = vs_stack_state(st);
    struct vs_out o;
    vs_out_init(&o);
    if (!vs_stack_gone(st, "vstack_set_size", &o))
        vs_map(st, rsize, p->vsize ? p->vsize : rsize, vs_round_size(&p->r.opts, rsize), p->vsize, 0, &o);
    return vs_region_deliver(&p->r, &o);
}

int vstack_set_sizemax(vstack *st, size_t vsize)
{
    struct vs_stack *p = vs_stack_state(st);
    struct vs_out o;
    vs_out_init(&o);
    if (!vs_stack_gone(st, "vstack_set_sizemax", &o))
        vs_map(st, p->rsize_given, vsize ? vsize : p->rsize_given, p->rsize,
               vsize ? vs_round_size(&p->r.opts, vsize) : 0, 0, &o);
    return vs_region_deliver(&p->r, &o);
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
    struct vs_out o;
    int which = vs_default_name(name);
    size_t n;

    vs_out_init(&o);
    if (which < 0)
        vs_failf(&o, VSTACK_EINVAL, "default: unknown default '%.24s' (parisize or parisizemax)",
                 name ? name : "(null)");
    else if (!value)
        ;
    else if (vstack_parse_size(value, &n) != VSTACK_OK)
        vs_failf(&o, VSTACK_EINVAL,
                 "default(%.24s): bad size \"%.36s\" (digits, then k, M, G, T or KiB, MiB, GiB, TiB)", name,
                 value);
    else
        return which ? vstack_set_sizemax(st, n) : vstack_set_size(st, n);
    return vs_region_deliver(&vs_stack_state(st)->r, &o);
}

int vstack_default_get(const vstack *st, const char *name, size_t *out)
{
    const struct vs_stack *p = vs_cstack_state(st);
    int which = vs_default_name(name);
    if (which < 0 || !out || !p->r.map_base)
        return VSTACK_EINVAL;
    *out = which ? p->vsize : p->rsize_given;
    return VSTACK_OK;
}
