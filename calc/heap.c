/* SPDX-License-Identifier: MIT */
/* heap.c -- the heap of integers that outlive a line, and its collector.
 *
 * Policy, in bytes of the pool:
 *   - a value goes at top when it fits there;
 *   - else, if the live values (less the root's old value) and the new one
 *     fit in the pool as it is, the old value is dropped, the collector
 *     slides the live objects down, and the new one goes at the new top;
 *   - else the pool grows first, to twice what the live values and the new
 *     one take (less if the limit is nearer), so that a refusal changes
 *     nothing; then the same collection;
 *   - after a store, if the garbage outweighs the live values and takes a
 *     quarter of the pool or more (and the pool is above its minimum), the
 *     collector runs at once, so that memory goes back without waiting for
 *     the pool to fill;
 *   - after any collection, if the live values take less than a quarter of
 *     the pool, it shrinks to twice what they take (at least its minimum).
 * Growth and shrinking both land at half full, and neither happens again
 * before the live data doubles or falls to half of that: the gap between
 * the quarter and the whole keeps the pool from thrashing. */
#include "config.h"
#include "heap.h"
#include "track.h" /* the library's memcheck annotations (src/) */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W sizeof(mp_limb_t)

void heap_init(struct heap *h, size_t minsize, size_t maxsize)
{
    memset(h, 0, sizeof *h);
    h->minsize = minsize;
    h->maxsize = maxsize;
}

void heap_destroy(struct heap *h)
{
    if (h->ready)
        vstack_pool_destroy(&h->pool);
    free(h->roots);
    heap_init(h, h->minsize, h->maxsize);
}

void heap_set_note(struct heap *h, heap_note_fn fn, void *ctx)
{
    h->note = fn;
    h->note_ctx = ctx;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void note(struct heap *h, enum heap_note kind, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    if (h->note == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    h->note(h->note_ctx, kind, msg);
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(struct heap *h, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->why, sizeof h->why, fmt, ap);
    va_end(ap);
    return code;
}

const char *heap_why(const struct heap *h)
{
    return h->why;
}

size_t heap_object_bytes(vnt_int x)
{
    return (vnt_len(x) + 1 + HEAP_OVERHEAD) * W;
}

static mp_limb_t *base_of(const struct heap *h)
{
    return vstack_pool_base(&h->pool);
}

static size_t size_words(const struct heap *h)
{
    return vstack_pool_size(&h->pool) / W;
}

/* Under valgrind the free tail is no-access: a stale pointer into it is
 * reported at once.  The pool marks what it commits undefined. */
static void protect_tail(struct heap *h)
{
    size_t n = size_words(h);
    if (n > h->top)
        vs_track_noaccess(base_of(h) + h->top, (n - h->top) * W);
}

/* The pool's own warnings (its soft limit, huge pages). */
static void on_pool_warning(vstack_pool *p, int err, const char *msg, void *ctx)
{
    (void)p;
    (void)err;
    note(ctx, HEAP_NOTE_WARNING, "heap: %s", msg);
}

static int make_pool(struct heap *h)
{
    int rc = vstack_pool_init(&h->pool, h->minsize, h->maxsize, 0);
    if (rc != VSTACK_OK)
        return fail(h, rc, "cannot reserve the heap: %s", vstack_pool_last_error(&h->pool));
    h->ready = 1;
    if (*vstack_pool_last_error(&h->pool))
        note(h, HEAP_NOTE_INIT, "heap: %s", vstack_pool_last_error(&h->pool));
    vstack_pool_set_warn_handler(&h->pool, on_pool_warning, h);
    vstack_pool_set_used(&h->pool, 0);
    protect_tail(h);
    return VSTACK_OK;
}

int heap_add_root(struct heap *h, size_t *id)
{
    if (h->nroots == h->rootcap) {
        size_t cap = h->rootcap ? 2 * h->rootcap : 16;
        mp_limb_t **r = cap <= SIZE_MAX / sizeof *r ? realloc(h->roots, cap * sizeof *r) : NULL;
        if (r == NULL)
            return fail(h, VSTACK_ENOMEM, "no memory for %zu roots", cap);
        h->roots = r;
        h->rootcap = cap;
    }
    h->roots[h->nroots] = NULL;
    *id = h->nroots++;
    return VSTACK_OK;
}

/* Root id's object becomes garbage. */
static void release(struct heap *h, size_t id)
{
    mp_limb_t *old = h->roots[id];
    old[1] = HEAP_DEAD;
    h->roots[id] = NULL;
    h->live_objects--;
    h->live_words -= old[0];
    h->dead_objects++;
    h->dead_words += old[0];
}

/* Mark from the roots, then slide the live objects down in address order. */
static void collect(struct heap *h)
{
    mp_limb_t *base = base_of(h), *end = base + h->top, *dst = base, *p, *next;
    size_t kept = 0, freed = 0, freed_words = 0;
    for (p = base; p < end; p += p[0])
        p[1] = HEAP_DEAD;
    for (size_t i = 0; i < h->nroots; i++)
        if (h->roots[i] != NULL)
            h->roots[i][1] = i;
    for (p = base; p < end; p = next) {
        size_t n = p[0];
        next = p + n;
        if (p[1] == HEAP_DEAD) {
            freed++;
            freed_words += n;
            continue;
        }
        if (dst != p)
            memmove(dst, p, n * W);
        h->roots[dst[1]] = dst;
        dst += n;
        kept++;
    }
    h->top = (size_t)(dst - base);
    h->live_objects = kept;
    h->live_words = h->top;
    h->dead_objects = h->dead_words = 0;
    h->collections++;
    vstack_pool_set_used(&h->pool, h->top * W);
    protect_tail(h);
    note(h, HEAP_NOTE_VERBOSE,
         "heap collection: %zu objects (%zu words) kept, %zu (%zu words) freed", kept, h->top,
         freed, freed_words);
}

/* Grow the pool so that need words fit; on failure nothing changes. */
static int grow(struct heap *h, size_t need_words)
{
    struct vstack_pool_stats ps;
    vstack_pool_get_stats(&h->pool, &ps);
    size_t cap = ps.hard && ps.hard < ps.reserved ? ps.hard : ps.reserved;
    size_t need = need_words * W;
    if (need_words > cap / W)
        return fail(h, VSTACK_ESTACK, "the values would take %zu bytes, more than the heap's %zu",
                    need, cap);
    size_t target = need <= cap / 2 ? 2 * need : cap;
    int rc = vstack_pool_resize(&h->pool, target);
    if (rc != VSTACK_OK && target > need)
        rc = vstack_pool_resize(&h->pool, need);
    if (rc != VSTACK_OK)
        return fail(h, rc, "%s", vstack_pool_last_error(&h->pool));
    h->grows++;
    protect_tail(h);
    note(h, HEAP_NOTE_VERBOSE, "increasing heap size to %zu", vstack_pool_size(&h->pool));
    return VSTACK_OK;
}

/* After a collection: give memory back when the live data take less than a
 * quarter of the pool. */
static void maybe_shrink(struct heap *h)
{
    struct vstack_pool_stats ps;
    vstack_pool_get_stats(&h->pool, &ps);
    size_t live = h->top * W;
    if (ps.size <= ps.minsize || live >= ps.size / 4)
        return;
    size_t target = 2 * live < ps.minsize ? ps.minsize : 2 * live;
    if (vstack_pool_resize(&h->pool, target) != VSTACK_OK) {
        note(h, HEAP_NOTE_WARNING, "heap: %s", vstack_pool_last_error(&h->pool));
        return;
    }
    if (vstack_pool_size(&h->pool) < ps.size) {
        h->shrinks++;
        note(h, HEAP_NOTE_VERBOSE, "decreasing heap size to %zu", vstack_pool_size(&h->pool));
    }
}

int heap_set(struct heap *h, size_t id, vnt_int x)
{
    h->why[0] = 0;
    if (id >= h->nroots)
        return fail(h, VSTACK_EINVAL, "no root %zu", id);
    int rc = h->ready ? VSTACK_OK : make_pool(h);
    if (rc != VSTACK_OK)
        return rc;
    uintptr_t lo = (uintptr_t)base_of(h), at = (uintptr_t)x;
    if (at >= lo && at < lo + vstack_pool_size(&h->pool))
        return fail(h, VSTACK_EINVAL, "the value to store lies in the heap");
    size_t len = vnt_len(x);
    if (len > SIZE_MAX / W / 4)
        return fail(h, VSTACK_ESTACK, "a value of %zu limbs cannot be stored", len);
    size_t words = len + 1 + HEAP_OVERHEAD;
    size_t oldw = h->roots[id] ? h->roots[id][0] : 0;
    int collected = 0;

    if (words > size_words(h) - h->top) {
        size_t need = h->live_words - oldw + words;
        if (need > size_words(h) && (rc = grow(h, need)) != VSTACK_OK)
            return rc;
        if (oldw)
            release(h, id);
        if (h->dead_objects) {
            collect(h);
            collected = 1;
        }
    }
    mp_limb_t *p = base_of(h) + h->top;
    vs_track_undefined(p, words * W);
    p[0] = words;
    p[1] = id;
    memcpy(p + HEAP_OVERHEAD, x, (len + 1) * W);
    if (h->roots[id] != NULL)
        release(h, id);
    h->roots[id] = p;
    h->top += words;
    h->live_objects++;
    h->live_words += words;
    vstack_pool_set_used(&h->pool, h->top * W);

    struct vstack_pool_stats ps;
    vstack_pool_get_stats(&h->pool, &ps);
    if (ps.size > ps.minsize && h->dead_words > h->live_words && h->dead_words >= ps.size / W / 4) {
        collect(h);
        collected = 1;
    }
    if (collected)
        maybe_shrink(h);
    return VSTACK_OK;
}

void heap_collect(struct heap *h)
{
    if (!h->ready)
        return;
    collect(h);
    maybe_shrink(h);
}

void heap_get_stats(const struct heap *h, struct heap_stats *s)
{
    memset(s, 0, sizeof *s);
    s->objects = h->live_objects;
    s->words = h->live_words;
    s->dead_objects = h->dead_objects;
    s->dead_words = h->dead_words;
    s->top = h->top;
    s->collections = h->collections;
    s->grows = h->grows;
    s->shrinks = h->shrinks;
    if (h->ready) {
        struct vstack_pool_stats ps;
        vstack_pool_get_stats(&h->pool, &ps);
        s->size = ps.size;
        s->reserved = ps.reserved;
    }
}
