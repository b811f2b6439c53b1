/* SPDX-License-Identifier: MIT */
/* gmpmem.c -- GMP's memory functions for ntcalc.  GMP takes temporary
 * blocks from the heap for its largest operations, and by default aborts
 * the process when malloc refuses one.  Here a refusal is an error of the
 * current line instead, and every block GMP holds is on a list, so that the
 * blocks of a computation abandoned by a longjmp (an error, SIGINT) can be
 * freed at the line's recovery point. */
#include "calc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Each block is preceded by its list links, padded to malloc's alignment. */
union block {
    struct {
        union block *prev, *next;
    } link;
    max_align_t align;
};

static union block held = {{&held, &held}}; /* the list's head */
static struct calc *owner;                  /* whose line a refusal fails */

static void link_block(union block *b)
{
    b->link.prev = &held;
    b->link.next = held.link.next;
    held.link.next->link.prev = b;
    held.link.next = b;
}

static void unlink_block(union block *b)
{
    b->link.prev->link.next = b->link.next;
    b->link.next->link.prev = b->link.prev;
}

/* GMP's functions must not return without memory. */
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
static void refused(size_t n)
{
    if (owner != NULL && owner->jb != NULL)
        calc_fail(owner, "not enough memory: GMP could not allocate %zu bytes", n);
    /* No line to fail: ntcalc never computes outside one. */
    fflush(stdout);
    fprintf(stderr, "ntcalc: not enough memory: GMP could not allocate %zu bytes\n", n);
    exit(1);
}

/* SIGINT is held off while malloc and the list change: a block is either
 * on the list or not GMP's. */
static void *gmp_alloc(size_t n)
{
    calc_hold();
    union block *b = n <= SIZE_MAX - sizeof *b ? malloc(sizeof *b + n) : NULL;
    if (b != NULL)
        link_block(b);
    calc_release();
    if (b == NULL)
        refused(n);
    return b + 1;
}

static void *gmp_realloc(void *p, size_t old, size_t n)
{
    (void)old;
    union block *b = (union block *)p - 1;
    calc_hold();
    unlink_block(b);
    union block *nb = n <= SIZE_MAX - sizeof *b ? realloc(b, sizeof *b + n) : NULL;
    link_block(nb ? nb : b); /* on failure the old block is still GMP's */
    calc_release();
    if (nb == NULL)
        refused(n);
    return nb + 1;
}

static void gmp_free(void *p, size_t n)
{
    (void)n;
    if (p == NULL)
        return;
    union block *b = (union block *)p - 1;
    calc_hold();
    unlink_block(b);
    free(b);
    calc_release();
}

void calc_gmp_memory(struct calc *c)
{
    owner = c;
    mp_set_memory_functions(gmp_alloc, gmp_realloc, gmp_free);
}

size_t calc_gmp_release(void)
{
    size_t n = 0;
    calc_hold();
    while (held.link.next != &held) {
        union block *b = held.link.next;
        unlink_block(b);
        free(b);
        n++;
    }
    calc_release();
    return n;
}

size_t calc_gmp_held(void)
{
    size_t n = 0;
    for (union block *b = held.link.next; b != &held; b = b->link.next)
        n++;
    return n;
}
