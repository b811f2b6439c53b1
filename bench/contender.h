/* SPDX-License-Identifier: MIT */
/* contender.h -- one stack or workspace implementation under test.
 *
 * A contender of the stack family owns one downward-growing stack per
 * process, like PARI's main stack: alloc moves the stack pointer down,
 * set_avma restores a saved one.  Some can set up more idle stacks beside
 * it (add_stacks).
 *
 * A contender of the pool family owns one garbage-collected workspace, like
 * GAP's: alloc brings fresh bytes into use, set_avma is a collection after
 * which only what was in use at the saved mark is live, and reset gives
 * back what the collection freed, where the workspace can.
 *
 * The benchmark driver runs exactly one contender in each process, so that
 * the address spaces of two contenders never meet.
 */
#ifndef VSBENCH_CONTENDER_H
#define VSBENCH_CONTENDER_H

#include <stddef.h>
#include <stdint.h>

/* What a contender's stack holds right now, in bytes. */
struct vsb_sizes {
    size_t reserved;   /* the largest size the stack may reach, as granted */
    size_t committed;  /* the part that carries commit charge */
    size_t used;       /* top - avma */
};

/* The families of measurements of bench/run, as bits of contender.families. */
#define VSB_STACKS 1u /* stacks: fork, stacks, commit, growth, fastpath, reuse */
#define VSB_POOLS  2u /* pools: fork and commit charge of a workspace */
/* families 0: in neither; bench/run leaves it out, vsbench runs it by name. */

struct contender {
    const char *name;
    const char *what;  /* one line for the report */
    unsigned families; /* VSB_STACKS, VSB_POOLS or both */
    int has_stack;     /* 0 only for bare, which has no big stack at all */
    int trims;         /* vsb_fork calls trim before every fork */
    /* Set up a stack committing rsize after a reset and growing up to vsize.
     * Returns 0, or -1 after a message on stderr. */
    int (*init)(size_t rsize, size_t vsize);
    void (*sizes)(struct vsb_sizes *out);
    uintptr_t (*avma)(void);
    /* nbytes, a multiple of 16, of fresh stack; NULL when it does not fit. */
    void *(*alloc)(size_t nbytes);
    void (*set_avma)(uintptr_t av);
    /* Give back what lies above rsize, as a GP command boundary does; a
     * no-op for contenders that have no such operation. */
    void (*reset)(void);
    /* Discard the contents of the free part of every stack the contender
     * has set up (NULL: not supported). */
    void (*trim)(void);
    /* Set up n more idle stacks beside the first, each as init would
     * (NULL: one stack per process).  Returns 0, or -1 after a message. */
    int (*add_stacks)(long n, size_t rsize, size_t vsize);
    /* Mean ns per alloc+release pair of nwords longs, over iters pairs,
     * each iteration starting with VSB_OPAQUE (NULL: no fast path). */
    double (*fast_path)(long iters, size_t nwords);
    /* Mean ns per iteration of the tight loop
     *     av = avma; x = new_chunk(4 + (i & 7)); x[0] = i; sink += x[0]; set_avma(av);
     * with no barrier, on a stack sized as init's that is a local variable
     * of the function where the contender allows it (NULL: no such loop). */
    double (*tight_loop)(long iters);
    /* NULL when the contender can run here, else why not (NULL: always can). */
    const char *(*unavailable)(void);
};

/* The contenders linked into this program, NULL-terminated. */
extern const struct contender *const vsb_contenders[];
/* Lines for `list` about contenders this program lacks, NULL-terminated. */
extern const char *const vsb_missing_notes[];

#endif
