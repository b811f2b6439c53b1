/* SPDX-License-Identifier: MIT */
/* vars.c -- ntcalc's variables: names, found through a hash table, whose
 * values live in the heap (heap.c), the way gp keeps them off its stack.
 * A value is computed on the stack, then copied into the heap (PARI's
 * gclone); a read copies it back onto the stack, so that nothing of the
 * line points into the heap when a later assignment moves its objects. */
#include "calc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void on_heap_note(void *ctx, enum heap_note kind, const char *msg)
{
    struct calc *c = ctx;
    if (kind == HEAP_NOTE_VERBOSE && !c->vars.verbose)
        return;
    if (kind == HEAP_NOTE_INIT && !c->vars.verbose && !c->vars.explicit_max)
        return;
    const char *op = c->op;
    c->op = NULL;
    calc_warn(c, "%s", msg);
    c->op = op;
}

void calc_set_heap(struct calc *c, size_t heapsizemax, int explicit_max, int verbose)
{
    struct calc_vars *vs = &c->vars;
    heap_destroy(&vs->heap);
    heap_init(&vs->heap, heapsizemax < CALC_HEAPSIZE ? heapsizemax : CALC_HEAPSIZE, heapsizemax);
    heap_set_note(&vs->heap, on_heap_note, c);
    vs->explicit_max = explicit_max;
    vs->verbose = verbose;
}

void calc_finish(struct calc *c)
{
    struct calc_vars *vs = &c->vars;
    for (size_t i = 0; i < vs->n; i++)
        free(vs->v[i].name);
    free(vs->v);
    free(vs->bucket);
    heap_destroy(&vs->heap);
    vs->v = NULL;
    vs->bucket = NULL;
    vs->n = vs->cap = vs->nbucket = 0;
}

static size_t hash(const char *s, size_t n)
{
    size_t h = 14695981039346656037u & SIZE_MAX; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * (sizeof(size_t) > 4 ? 1099511628211u : 16777619u);
    return h;
}

/* The variable called name, or SIZE_MAX. */
static size_t find(const struct calc_vars *vs, const char *name, size_t nlen)
{
    if (vs->nbucket == 0)
        return SIZE_MAX;
    size_t i = vs->bucket[hash(name, nlen) & (vs->nbucket - 1)];
    while (i != SIZE_MAX && !(vs->v[i].len == nlen && memcmp(vs->v[i].name, name, nlen) == 0))
        i = vs->v[i].next;
    return i;
}

/* Room for one more variable, the table rehashed at half full.  Returns 0,
 * or -1 when malloc refuses (nothing changed). */
static int reserve_one(struct calc_vars *vs)
{
    if (vs->n == vs->cap) {
        size_t cap = vs->cap ? 2 * vs->cap : 16;
        struct calc_var *v = cap <= SIZE_MAX / sizeof *v ? realloc(vs->v, cap * sizeof *v) : NULL;
        if (v == NULL)
            return -1;
        vs->v = v;
        vs->cap = cap;
    }
    if (2 * (vs->n + 1) > vs->nbucket) {
        size_t nb = vs->nbucket ? 2 * vs->nbucket : 32;
        size_t *b = nb <= SIZE_MAX / sizeof *b ? malloc(nb * sizeof *b) : NULL;
        if (b == NULL)
            return -1;
        for (size_t i = 0; i < nb; i++)
            b[i] = SIZE_MAX;
        for (size_t i = 0; i < vs->n; i++) {
            size_t k = hash(vs->v[i].name, vs->v[i].len) & (nb - 1);
            vs->v[i].next = b[k];
            b[k] = i;
        }
        free(vs->bucket);
        vs->bucket = b;
        vs->nbucket = nb;
    }
    return 0;
}

/* A new variable with no value; SIZE_MAX when there is no memory for it. */
static size_t add(struct calc_vars *vs, const char *name, size_t nlen)
{
    size_t id;
    char *copy = malloc(nlen + 1);
    if (copy == NULL || reserve_one(vs) != 0 || heap_add_root(&vs->heap, &id) != VSTACK_OK) {
        free(copy);
        return SIZE_MAX;
    }
    memcpy(copy, name, nlen);
    copy[nlen] = 0;
    /* Root ids and variable numbers go together. */
    size_t i = vs->n++;
    size_t k = hash(name, nlen) & (vs->nbucket - 1);
    vs->v[i].name = copy;
    vs->v[i].len = nlen;
    vs->v[i].next = vs->bucket[k];
    vs->bucket[k] = i;
    (void)id; /* == i: both count up from 0 together */
    return i;
}

vnt_int calc_var_get(struct calc *c, const char *name, size_t nlen)
{
    size_t i = find(&c->vars, name, nlen);
    vnt_int x = i == SIZE_MAX ? NULL : heap_get(&c->vars.heap, i);
    if (x == NULL) {
        c->op = NULL;
        calc_fail(c, "variable %.*s has no value (ntcalc has no polynomials: assign it first)",
                  (int)nlen, name);
    }
    return vnt_copy(c->st, x);
}

/* Fail the line: x does not fit under heapsizemax, as the stack's overflow
 * is reported. */
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
static void overflow(struct calc *c, const char *name, size_t nlen, vnt_int x,
                              int had_value)
{
    struct heap_stats s;
    heap_get_stats(&c->vars.heap, &s);
    size_t max = s.reserved ? s.reserved : c->vars.heap.maxsize;
    size_t in_use = s.words * sizeof(mp_limb_t);
    calc_fail(c, "the heap overflows! %.*s needs %zu bytes, the variables take %zu, "
              "heapsizemax: %zu (%.3f Mbytes); %.*s %s [hint] raise it: --heapsizemax=%zuM",
              (int)nlen, name, heap_object_bytes(x), in_use, max, calc_mbytes(max), (int)nlen,
              name, had_value ? "keeps its value" : "stays unset",
              (2 * (in_use + heap_object_bytes(x)) + 999999) / 1000000);
}

void calc_var_set(struct calc *c, const char *name, size_t nlen, vnt_int x)
{
    struct calc_vars *vs = &c->vars;
    c->op = NULL;
    calc_hold(); /* the table, the copy and a collection are not left halfway */
    size_t i = find(vs, name, nlen);
    if (i == SIZE_MAX)
        i = add(vs, name, nlen);
    if (i == SIZE_MAX) {
        calc_release();
        calc_fail(c, "not enough memory for the variable %.*s", (int)nlen, name);
    }
    int had_value = heap_get(&vs->heap, i) != NULL;
    int rc = heap_set(&vs->heap, i, x);
    calc_release();
    if (rc == VSTACK_ESTACK)
        overflow(c, name, nlen, x, had_value);
    if (rc != VSTACK_OK)
        calc_fail(c, "cannot store %.*s in the heap: %s; %.*s %s", (int)nlen, name,
                  heap_why(&vs->heap), (int)nlen, name,
                  had_value ? "keeps its value" : "stays unset");
}

void calc_heap_usage(const struct calc *c, size_t *objects, size_t *words)
{
    struct heap_stats s;
    heap_get_stats(&c->vars.heap, &s);
    *objects = s.objects;
    *words = s.words;
}
