/* SPDX-License-Identifier: MIT */
/* fork_cost.c -- what fork + child _exit + waitpid costs with each stack.
 *
 * One process walks its stack through these states (those --states names)
 * and times forks in each:
 *   idle   just initialised
 *   busy   a computation pushed --used bytes, writing them, and they are
 *          still in use
 *   used   the computation released them with set_avma: the pages stay
 *          touched (for a workspace: a collection found them dead)
 *   reset  then the stack was reset (parivstack_reset and its peers; a
 *          workspace gives back what the collection freed)
 * --keep bytes pushed before the computation stay in use throughout (bare
 * holds them too, in a static buffer: the same live data without a stack).
 * Each state is timed twice (or as --child says): the child exits at once,
 * or it first pushes and writes 1 MiB, as a forked test worker does.  The
 * first fork of each series is reported apart: the first fork after the
 * computation is the first of the "busy" or "used" series whose child exits
 * at once, and it pays for whatever the stack does on its first fork (a
 * trim, marking pages).  The resident set after each series is reported
 * too.
 * A child that writes 1 MiB also times that write itself: what the child
 * pays for it (zero-filled pages, or copies of pages the parent touched)
 * apart from the fork.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "measure.h"
#include "vsbench.h"

#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS MAP_ANON
#endif

/* Where a child leaves the time its work took (ns), for the parent to read
 * after waitpid: one shared page, mapped once before the first fork. */
static volatile uint64_t *child_ns;

void vsb_start(const struct contender *c, const struct vsb_opts *o)
{
    if (c->init(o->rsize, o->vsize))
        vsb_die("%s: could not set up a stack of vsize %zu", c->name, o->vsize);
}

uintptr_t vsb_compute(const struct contender *c, const struct vsb_opts *o)
{
    uintptr_t av;

    /* bare keeps it too, in its static buffer: the same live data, no stack. */
    if (o->keep && vsb_fill(c, o->keep, o->chunk))
        vsb_die("%s: --keep=%zu does not fit in vsize %zu", c->name, o->keep, o->vsize);
    av = c->avma();
    if (c->has_stack && vsb_fill(c, o->used, o->chunk))
        vsb_die("%s: %zu bytes do not fit in vsize %zu", c->name, o->used, o->vsize);
    return av;
}

void vsb_child_write1m(const struct contender *c)
{
    uint64_t t0 = vsb_now_ns();
    char *p = c->alloc(VSB_MiB);
    if (!p)
        _exit(3);
    memset(p, 0x5a, VSB_MiB);
    VSB_USE(p);
    if (child_ns)
        *child_ns = vsb_now_ns() - t0;
}

pid_t vsb_fork(const struct contender *c)
{
    if (c->trims)
        c->trim();
    return fork();
}

double vsb_fork_once(const struct contender *c, void (*child_work)(const struct contender *))
{
    uint64_t t0 = vsb_now_ns();
    int status;
    pid_t pid = vsb_fork(c);

    if (pid < 0)
        vsb_die("%s: fork: %s", c->name, strerror(errno));
    if (pid == 0) {
        if (child_work)
            child_work(c);
        _exit(0);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            vsb_die("waitpid: %s", strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        vsb_die("%s: the forked child failed (status %#x)", c->name, (unsigned)status);
    return (double)(vsb_now_ns() - t0);
}

void vsb_warm_forks(const struct contender *c)
{
    int i;
    for (i = 0; i < 3; i++)
        vsb_fork_once(c, NULL);
}

void vsb_time_forks(const struct contender *c, const struct vsb_opts *o,
                    void (*child_work)(const struct contender *), struct vsb_series *out)
{
    double *t = malloc(2 * (size_t)o->forks * sizeof *t), *child = t + o->forks;
    double spent = 0;
    long i, n = 0;

    if (!t)
        vsb_die("out of memory");
    for (i = 0; i < o->forks && (i < 5 || spent < o->budget_ms * 1000); i++) {
        if (o->lockstep && i % o->lockstep == 0)
            vsb_turn_pass();
        if (child_ns)
            *child_ns = 0;
        t[i] = vsb_fork_once(c, child_work) / 1000.0;
        child[i] = child_ns ? (double)*child_ns / 1000.0 : 0;
        spent += t[i];
        n++;
    }
    out->n = n;
    out->first = t[0];
    out->median = vsb_median(t, (size_t)n); /* sorts */
    out->min = t[0];
    out->max = t[n - 1];
    out->child = vsb_median(child, (size_t)n);
    free(t);
}

static void time_forks(const struct contender *c, const struct vsb_opts *o, const char *state,
                       const char *child, void (*work)(const struct contender *))
{
    struct vsb_series s;
    struct vsb_sizes sz;

    vsb_time_forks(c, o, work, &s);
    c->sizes(&sz);
    printf("fork,%s,%zu,%zu,%zu,%s,%s,%ld,%.1f,%.1f,%.1f,%.1f,%zu,%.1f,%ld\n", c->name, o->vsize,
           sz.reserved, o->used, state, child, s.n, s.median, s.first, s.min, s.max,
           sz.committed, s.child, vsb_status_kb("VmRSS"));
}

static void time_state(const struct contender *c, const struct vsb_opts *o, const char *state)
{
    if (strstr(o->child, "exit"))
        time_forks(c, o, state, "exit", NULL);
    if (strstr(o->child, "write1m"))
        time_forks(c, o, state, "write1m", vsb_child_write1m);
}

int vsb_fork_cost(const struct contender *c, const struct vsb_opts *o)
{
    int idle = strstr(o->states, "idle") != NULL;
    int busy = strstr(o->states, "busy") != NULL;
    int used = strstr(o->states, "used") != NULL;
    int reset = strstr(o->states, "reset") != NULL;
    void *page = mmap(NULL, sizeof *child_ns, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                      -1, 0);

    if (page == MAP_FAILED)
        vsb_die("mmap of a shared page: %s", strerror(errno));
    child_ns = page;
    vsb_start(c, o);
    vsb_warm_forks(c);
    if (idle)
        time_state(c, o, "idle");
    if (busy || used || reset) {
        uintptr_t av = vsb_compute(c, o);
        if (busy)
            time_state(c, o, "busy");
        c->set_avma(av);
    }
    if (used)
        time_state(c, o, "used");
    if (reset) {
        c->reset();
        time_state(c, o, "reset");
    }
    return 0;
}
