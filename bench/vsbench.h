/* SPDX-License-Identifier: MIT */
/* vsbench.h -- the measurements of the benchmark driver.
 *
 * Each measurement runs one contender in this process and prints CSV lines
 * on stdout (the first field names the measurement); bench/run interleaves
 * the processes, takes the medians and prints the tables.
 */
#ifndef VSBENCH_H
#define VSBENCH_H

#include <stddef.h>
#include <sys/types.h>

#include "contender.h"

struct vsb_opts {
    size_t rsize;     /* --rsize: committed after a reset (parisize) */
    size_t vsize;     /* --vsize: the reservation (parisizemax) */
    size_t used;      /* --used: what the "computation" pushes */
    size_t chunk;     /* --chunk: size of each push of the computation */
    long forks;       /* --forks: most timed forks per state and child variant */
    double budget_ms; /* --budget-ms: stop a series early after this long (at least 5 forks) */
    long children;    /* --children: live children in the commit measurement */
    long iters;       /* --iters: iterations of each allocation loop */
    long nwords;      /* --nwords: longs per allocation in the loop with a barrier */
    long stacks;      /* --stacks: live idle stacks in the process (stacks) */
    const char *states; /* --states: comma list of idle,busy,used,reset */
    const char *child;  /* --child: comma list of exit,write1m: what forked children do */
    size_t keep;      /* --keep: pushed before the computation, still in use after it */
    long pin;         /* --pin=CPU: this process and its children stay on that CPU (-1: not pinned) */
    long lockstep;    /* --lockstep=N: take turns with the other processes of a table every N
                         forks (fork, stacks) or N chunks of a computation (growth); 0: not */
};

/* A timed series of forks, in microseconds. */
struct vsb_series {
    long n;          /* forks timed */
    double median;
    double first;    /* the first fork of the series */
    double min, max;
    double child;    /* median time the child's work took, timed in the child (0: none) */
};

int vsb_fork_cost(const struct contender *c, const struct vsb_opts *o);
int vsb_commit_charge(const struct contender *c, const struct vsb_opts *o);
int vsb_growth(const struct contender *c, const struct vsb_opts *o);
int vsb_fast_path(const struct contender *c, const struct vsb_opts *o);
int vsb_reuse(const struct contender *c, const struct vsb_opts *o);
int vsb_fork_stacks(const struct contender *c, const struct vsb_opts *o);

/* Every fork of every measurement goes through here: a trimming contender
 * (c->trims) trims its stacks first.  Returns what fork() returns. */
pid_t vsb_fork(const struct contender *c);
/* Fork, let the child run child_work (if not NULL) and _exit, wait for it.
 * Returns the wall time in ns, trim included; dies if the child fails. */
double vsb_fork_once(const struct contender *c, void (*child_work)(const struct contender *));
/* Time up to o->forks forks of vsb_fork_once (at least 5, then until
 * o->budget_ms is spent), in turns of o->lockstep forks if it is set. */
void vsb_time_forks(const struct contender *c, const struct vsb_opts *o,
                    void (*child_work)(const struct contender *), struct vsb_series *out);
/* A few untimed forks: libc, page cache and scheduler warm up. */
void vsb_warm_forks(const struct contender *c);
/* A forked test worker: push 1 MiB on the stack and write it. */
void vsb_child_write1m(const struct contender *c);
/* Set up c as o asks, or die. */
void vsb_start(const struct contender *c, const struct vsb_opts *o);
/* The computation of fork and commit: push --keep bytes (bare too, in its
 * small buffer), then --used more (not bare), writing every byte, or die.
 * Returns the mark between the two, for set_avma. */
uintptr_t vsb_compute(const struct contender *c, const struct vsb_opts *o);

#endif
