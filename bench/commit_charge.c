/* SPDX-License-Identifier: MIT */
/* commit_charge.c -- Committed_AS added by the parent's stack and by each live child.
 *
 * Committed_AS is system-wide, so every reading is a difference taken
 * within a few milliseconds, and each state is sampled three times (the
 * median is printed).  Beside it, the charge of one process alone: the
 * mappings its smaps flags "ac" (charged to Committed_AS), which no other
 * process disturbs, for the parent (what init added) and for a live child
 * (all it is charged).  States as in fork_cost.c: idle, busy (the --used
 * bytes still on the stack while the children live), used, reset.
 * The children only wait: commit charge is taken at fork, not on touch.
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

#define SAMPLES 3

static long committed_kb(void)
{
    long kb = vsb_meminfo_kb("Committed_AS");
    if (kb < 0)
        vsb_die("no Committed_AS in /proc/meminfo: this measurement needs Linux");
    return kb;
}

/* Committed_AS added per child while n children of this process live, and
 * what the first child's own mappings are charged (kB). */
static double per_child_kb(const struct contender *c, long n, double *child_charged_kb)
{
    int ready[2], hold[2];
    pid_t *pids = malloc((size_t)n * sizeof *pids);
    long base, live, i;
    char b;

    if (!pids || pipe(ready) || pipe(hold))
        vsb_die("pipe: %s", strerror(errno));
    base = committed_kb();
    for (i = 0; i < n; i++) {
        pids[i] = vsb_fork(c);
        if (pids[i] < 0)
            vsb_die("%s: fork of child %ld: %s", c->name, i + 1, strerror(errno));
        if (pids[i] == 0) {
            close(hold[1]);
            if (write(ready[1], "x", 1) != 1)
                _exit(4);
            while (read(hold[0], &b, 1) < 0 && errno == EINTR)
                ;
            _exit(0);
        }
    }
    for (i = 0; i < n; i++)
        while (read(ready[0], &b, 1) != 1)
            if (errno != EINTR)
                vsb_die("read: %s", strerror(errno));
    live = committed_kb();
    *child_charged_kb = (double)vsb_charged_kb(pids[0]);
    close(hold[1]);
    for (i = 0; i < n; i++)
        while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
            ;
    close(hold[0]);
    close(ready[0]);
    close(ready[1]);
    free(pids);
    return (double)(live - base) / (double)n;
}

/* What init added: to Committed_AS, and to this process's own charge (kB). */
struct init_charge {
    long committed_kb, charged_kb;
};

static void sample(const struct contender *c, const struct vsb_opts *o, const char *state,
                   const struct init_charge *init)
{
    double v[SAMPLES], charged[SAMPLES];
    struct vsb_sizes sz;
    int i;

    for (i = 0; i < SAMPLES; i++)
        v[i] = per_child_kb(c, o->children, &charged[i]);
    c->sizes(&sz);
    printf("commit,%s,%zu,%zu,%s,%ld,%zu,%zu,%ld,%.0f,%ld,%ld,%.0f\n", c->name, o->vsize,
           sz.reserved, state, init->committed_kb, sz.committed / 1024, sz.used / 1024,
           o->children, vsb_median(v, SAMPLES), init->charged_kb, vsb_charged_kb(0),
           vsb_median(charged, SAMPLES));
}

int vsb_commit_charge(const struct contender *c, const struct vsb_opts *o)
{
    struct init_charge init;
    long before, charged_before;
    uintptr_t av;

    charged_before = vsb_charged_kb(0);
    before = committed_kb();
    vsb_start(c, o);
    init.committed_kb = committed_kb() - before;
    init.charged_kb = vsb_charged_kb(0) - charged_before;
    sample(c, o, "idle", &init);
    av = vsb_compute(c, o);
    sample(c, o, "busy", &init);
    c->set_avma(av);
    sample(c, o, "used", &init);
    c->reset();
    sample(c, o, "reset", &init);
    return 0;
}
