/* SPDX-License-Identifier: MIT */
/* heap.h -- integers that outlive a line: a heap in a vstack_pool, with a
 * sliding-compaction collector, in the manner of GAP's GASMAN.
 *
 * The heap holds one object per root (a variable, for ntcalc).  An object
 * is HEAP_OVERHEAD words followed by an integer in vstack_nt's layout:
 *
 *     obj[0]          the object's size in words, these two included
 *     obj[1]          the root that owns it, or HEAP_DEAD
 *     obj[2 ...]      header word and limbs: obj + 2 is a vnt_int
 *
 * Objects lie one after the other from the pool's base, in the order they
 * were stored; top is the end of the last one.  A new value goes at top
 * (its root's old object becomes garbage).  When top has no room, the
 * collector marks the objects the roots point to, then slides the live ones
 * down in address order with memmove, and sets each root to the new place
 * through the owner word.  If that is not enough the pool grows, and after
 * a collection that leaves it mostly empty it shrinks (see heap.c for the
 * numbers).
 *
 * The heap knows nothing of signals: its caller holds SIGINT off around
 * heap_set and heap_collect, which must not be left halfway. */
#ifndef CALC_HEAP_H
#define CALC_HEAP_H

#include "vstack_nt.h"

#include <stddef.h>

#define HEAP_OVERHEAD 2
#define HEAP_DEAD (~(mp_limb_t)0)

/* What the heap has to say: kind HEAP_NOTE_VERBOSE for growth, shrinking
 * and collections; HEAP_NOTE_WARNING for a pool that could not be shrunk or
 * crossed its soft limit; HEAP_NOTE_INIT for a reservation smaller than
 * asked (or capped under valgrind). */
enum heap_note { HEAP_NOTE_VERBOSE, HEAP_NOTE_WARNING, HEAP_NOTE_INIT };
typedef void (*heap_note_fn)(void *ctx, enum heap_note kind, const char *msg);

struct heap {
    vstack_pool pool;
    int ready;                  /* the pool exists */
    size_t minsize, maxsize;    /* the pool's bounds, as asked */
    mp_limb_t **roots;          /* root i's object, or NULL when it has none */
    size_t nroots, rootcap;
    size_t top;                 /* words from the base that hold objects, live or dead */
    size_t live_objects, live_words, dead_objects, dead_words;
    unsigned long collections, grows, shrinks;
    heap_note_fn note;
    void *note_ctx;
    char why[320];              /* the sentence of the last failure */
};

struct heap_stats {
    size_t objects, words;      /* live objects and the words they take */
    size_t dead_objects, dead_words;
    size_t top;                 /* words in use from the base, garbage included */
    size_t size, reserved;      /* the pool's committed and reserved bytes (0 before a store) */
    unsigned long collections, grows, shrinks;
};

/* A heap whose pool will commit at least minsize bytes and at most maxsize
 * (minsize <= maxsize).  Nothing is reserved until the first heap_set. */
void heap_init(struct heap *h, size_t minsize, size_t maxsize);
/* Give everything back; h may be initialised again. */
void heap_destroy(struct heap *h);
void heap_set_note(struct heap *h, heap_note_fn fn, void *ctx);

/* A new root, with no value, in *id.  VSTACK_ENOMEM when malloc refuses. */
int heap_add_root(struct heap *h, size_t *id);
/* Copy x (which must not lie in the heap) into the heap as root id's value;
 * its old value becomes garbage.  VSTACK_OK; VSTACK_ESTACK when the live
 * values and x would not fit under maxsize; VSTACK_ENOMEM or VSTACK_ESYS
 * when the system refuses the pool memory; VSTACK_EINVAL for an unknown
 * root or an x inside the heap.  On failure nothing changes: the root keeps
 * its value, and heap_why() says why. */
int heap_set(struct heap *h, size_t id, vnt_int x);
/* Root id's value, or NULL.  It lives in the heap: valid until the next
 * heap_set or heap_collect, which may move it. */
static inline vnt_int heap_get(const struct heap *h, size_t id)
{
    return id < h->nroots && h->roots[id] ? h->roots[id] + HEAP_OVERHEAD : NULL;
}
/* Collect now, then shrink the pool if it is mostly free. */
void heap_collect(struct heap *h);
/* Bytes an object for x takes. */
size_t heap_object_bytes(vnt_int x);
const char *heap_why(const struct heap *h);
void heap_get_stats(const struct heap *h, struct heap_stats *s);

#endif
