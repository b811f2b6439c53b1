/* fork_cost.c -- what fork + child _exit + waitpid costs with each stack.
 *
 * One process walks its stack through three states and times forks in each:
 *   idle   just initialised
 *   used   a computation pushed --used bytes, writing them, and released
 *          them with set_avma: the pages stay touched
 *   reset  then the stack was reset (parivstack_reset and its peers)
 * Each state is timed twice: the child exits at once, or it first pushes
 * and writes 1 MiB, as a forked test worker does.  The first fork of each
 * series is reported apart, since it pays for any trim before fork.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "measure.h"
#include "vsbench.h"

void vsb_start(const struct contender *c, const struct vsb_opts *o)
{
    if (c->init(o->rsize, o->vsize))
        vsb_die("%s: could not set up a stack of vsize %zu", c->name, o->vsize);
}

void vsb_child_write1m(const struct contender *c)
{
    char *p = c->alloc(VSB_MiB);
    if (!p)
        _exit(3);
    memset(p, 0x5a, VSB_MiB);
    VSB_USE(p);
}

double vsb_fork_once(const struct contender *c, void (*child_work)(const struct contender *))
{
    uint64_t t0 = vsb_now_ns();
    int status;
    pid_t pid = fork();

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

static void time_forks(const struct contender *c, const struct vsb_opts *o, const char *state,
                       const char *child, void (*work)(const struct contender *))
{
    double *t = malloc((size_t)o->forks * sizeof *t);
    struct vsb_sizes sz;
    double first, lo, hi, med, spent = 0;
    long i, n = 0;

    if (!t)
        vsb_die("out of memory");
    for (i = 0; i < o->forks && (i < 5 || spent < o->budget_ms * 1000); i++) {
        t[i] = vsb_fork_once(c, work) / 1000.0;
        spent += t[i];
        n++;
    }
    first = t[0];
    med = vsb_median(t, (size_t)n); /* sorts */
    lo = t[0];
    hi = t[n - 1];
    c->sizes(&sz);
    printf("fork,%s,%zu,%zu,%zu,%s,%s,%ld,%.1f,%.1f,%.1f,%.1f,%zu\n", c->name, o->vsize,
           sz.reserved, o->used, state, child, n, med, first, lo, hi, sz.committed);
    free(t);
}

static void time_state(const struct contender *c, const struct vsb_opts *o, const char *state)
{
    time_forks(c, o, state, "exit", NULL);
    time_forks(c, o, state, "write1m", vsb_child_write1m);
}

int vsb_fork_cost(const struct contender *c, const struct vsb_opts *o)
{
    int idle = strstr(o->states, "idle") != NULL;
    int used = strstr(o->states, "used") != NULL;
    int reset = strstr(o->states, "reset") != NULL;
    int i;

    vsb_start(c, o);
    for (i = 0; i < 3; i++) /* warm the fork path: libc, page cache, scheduler */
        vsb_fork_once(c, NULL);
    if (idle)
        time_state(c, o, "idle");
    if (used || reset) {
        uintptr_t av = c->avma();
        if (c->has_stack && vsb_fill(c, o->used, o->chunk))
            vsb_die("%s: %zu bytes do not fit in vsize %zu", c->name, o->used, o->vsize);
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
