/* commit_charge.c -- Committed_AS added by the parent's stack and by each live child.
 *
 * Committed_AS is system-wide, so every reading is a difference taken
 * within a few milliseconds, and each state is sampled three times (the
 * median is printed).  States, as in fork_cost.c, plus one:
 *   busy   the --used bytes are still on the stack while the children live
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

/* Committed_AS added per child while n children of this process live. */
static double per_child_kb(const struct contender *c, long n)
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

static void sample(const struct contender *c, const struct vsb_opts *o, const char *state,
                   long parent_kb)
{
    double v[SAMPLES];
    struct vsb_sizes sz;
    int i;

    for (i = 0; i < SAMPLES; i++)
        v[i] = per_child_kb(c, o->children);
    c->sizes(&sz);
    printf("commit,%s,%zu,%zu,%s,%ld,%zu,%zu,%ld,%.0f\n", c->name, o->vsize, sz.reserved, state,
           parent_kb, sz.committed / 1024, sz.used / 1024, o->children,
           vsb_median(v, SAMPLES));
}

int vsb_commit_charge(const struct contender *c, const struct vsb_opts *o)
{
    long before, parent_kb;
    uintptr_t av;

    before = committed_kb();
    vsb_start(c, o);
    parent_kb = committed_kb() - before;
    sample(c, o, "idle", parent_kb);
    av = c->avma();
    if (c->has_stack && vsb_fill(c, o->used, o->chunk))
        vsb_die("%s: %zu bytes do not fit in vsize %zu", c->name, o->used, o->vsize);
    sample(c, o, "busy", parent_kb);
    c->set_avma(av);
    sample(c, o, "used", parent_kb);
    c->reset();
    sample(c, o, "reset", parent_kb);
    return 0;
}
