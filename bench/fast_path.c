/* fast_path.c -- ns per alloc+release pair on a stack that needs no growth. */
#include "config.h"

#include <stdio.h>

#include "measure.h"
#include "vsbench.h"

int vsb_fast_path(const struct contender *c, const struct vsb_opts *o)
{
    double ns;

    if (!c->fast_path)
        vsb_die("%s has no allocation fast path", c->name);
    vsb_start(c, o);
    c->fast_path(o->iters / 10 + 1, (size_t)o->nwords); /* warm up, and take any slow path once */
    ns = c->fast_path(o->iters, (size_t)o->nwords);
    printf("fastpath,%s,%ld,%ld,%.3f\n", c->name, o->nwords, o->iters, ns);
    return 0;
}
