/* SPDX-License-Identifier: MIT */
/* builtins.c -- the functions ntcalc knows, with GP's names and meanings. */
#include "calc.h"

#include <stdio.h>
#include <string.h>

typedef struct calc_value (*calc_fn)(struct calc *c, struct calc_value *a, int n);

static struct calc_value fn_fibonacci(struct calc *c, struct calc_value *a, int n)
{
    (void)n;
    return calc_int(vnt_fibonacci(c->st, calc_need_long(c, a[0])));
}

static struct calc_value fn_binomial(struct calc *c, struct calc_value *a, int n)
{
    (void)n;
    vnt_int x = calc_need_int(c, a[0]);
    return calc_int(vnt_binomial(c->st, x, calc_need_long(c, a[1])));
}

static struct calc_value fn_gcd(struct calc *c, struct calc_value *a, int n)
{
    vnt_int x = calc_need_int(c, a[0]);
    if (n == 1)
        return calc_int(vnt_abs(c->st, x));
    return calc_int(vnt_gcd(c->st, x, calc_need_int(c, a[1])));
}

static struct calc_value fn_isprime(struct calc *c, struct calc_value *a, int n)
{
    (void)n;
    vnt_int x = calc_need_int(c, a[0]);
    return calc_int(vnt_from_ui(c->st, (unsigned long)vnt_isprime(c->st, x)));
}

static struct calc_value fn_nextprime(struct calc *c, struct calc_value *a, int n)
{
    (void)n;
    return calc_int(vnt_nextprime(c->st, calc_need_int(c, a[0])));
}

static struct calc_value fn_sqrtint(struct calc *c, struct calc_value *a, int n)
{
    (void)n;
    return calc_int(vnt_sqrtint(c->st, calc_need_int(c, a[0])));
}

static struct calc_value fn_getstack(struct calc *c, struct calc_value *a, int n)
{
    (void)a;
    (void)n;
    struct vstack_stats s;
    vstack_get_stats(c->st, &s);
    return calc_int(vnt_from_ui(c->st, s.used));
}

/* getheap(): [objects, words] of the variables' values, as gp's shape. */
static struct calc_value fn_getheap(struct calc *c, struct calc_value *a, int n)
{
    (void)a;
    (void)n;
    size_t objects, words;
    calc_heap_usage(c, &objects, &words);
    vnt_int *elts = vstack_alloc(c->st, 2 * sizeof *elts);
    elts[0] = vnt_from_ui(c->st, objects);
    elts[1] = vnt_from_ui(c->st, words);
    struct calc_value v = {.type = CALC_VEC, .len = 2, .elts = elts};
    return v;
}

int calc_size_range(const char *name, size_t v, char *why, size_t whysize)
{
    size_t lo = strcmp(name, "parisize") == 0 ? CALC_PARISIZE_MIN : 0;
    if (v >= lo && v <= CALC_SIZE_MAX)
        return 0;
    snprintf(why, whysize, "%zu is not in [%zu, %zu]", v, lo, (size_t)CALC_SIZE_MAX);
    return -1;
}

/* default(name) prints a size; default(name, value) sets it.  As in gp, a
 * value in bytes that equals the current one changes nothing, and the
 * call is worth nothing (0 in arithmetic); a new value makes a new stack:
 * its size is reported, and the line ends, since the stack's contents are
 * gone.  Values outside gp's ranges are refused. */
static struct calc_value fn_default(struct calc *c, struct calc_value *a, int n)
{
    char name[32], value[64], why[160];
    if (a[0].type != CALC_STR || a[0].len >= sizeof name)
        calc_fail(c, "unknown default");
    memcpy(name, a[0].s, a[0].len);
    name[a[0].len] = 0;
    int max = strcmp(name, "parisizemax") == 0;
    if (!max && strcmp(name, "parisize") != 0)
        calc_fail(c, "unknown default: %s", name);
    size_t cur = 0, v = 0;
    int known = 1; /* v is the value in bytes */
    vstack_default_get(c->st, name, &cur);
    if (n == 1)
        return calc_int(vnt_from_ui(c->st, cur));
    if (a[1].type == CALC_STR) {
        if (a[1].len >= sizeof value)
            calc_fail(c, "incorrect value for %s: too long", name);
        memcpy(value, a[1].s, a[1].len);
        value[a[1].len] = 0;
        /* A string that is no size is left to the library's sentence. */
        known = vstack_parse_size(value, &v) == VSTACK_OK;
        if (known && calc_size_range(name, v, why, sizeof why) != 0)
            calc_fail(c, "incorrect value for %s: %s (%s)", name, value, why);
    } else {
        vnt_int x = calc_need_int(c, a[1]);
        if (vnt_sign(x) < 0 || !vnt_fits_ui(x) || vnt_get_ui(x) > CALC_SIZE_MAX) {
            const char *digits = vnt_to_str(c->st, x);
            calc_fail(c, "incorrect value for %s: %s is not in [%zu, %zu]", name, digits,
                      max ? (size_t)0 : CALC_PARISIZE_MIN, (size_t)CALC_SIZE_MAX);
        }
        v = vnt_get_ui(x);
        if (calc_size_range(name, v, why, sizeof why) != 0)
            calc_fail(c, "incorrect value for %s: %s", name, why);
        snprintf(value, sizeof value, "%zu", v);
    }
    if (known && v == cur) {
        struct calc_value none = {.type = CALC_VOID};
        return none;
    }
    calc_hold(); /* a new stack is not left halfway */
    int rc = vstack_default(c->st, name, value);
    calc_release();
    if (rc != VSTACK_OK) {
        /* The library's sentence says why ("parisizemax ... < parisize ..."). */
        const char *w = vstack_last_error(c->st);
        calc_fail(c, "incorrect value for %s: %s", name, *w ? w : vstack_strerror(rc));
    }
    size_t rsize = 0, vsize = 0;
    vstack_default_get(c->st, "parisize", &rsize);
    vstack_default_get(c->st, "parisizemax", &vsize);
    c->op = NULL;
    if (max) {
        /* parisizemax 0 means a fixed stack: gp reports its size. */
        size_t shown = vsize ? vsize : rsize;
        calc_warn(c, "new maximum stack size = %zu (%.3f Mbytes)", shown, calc_mbytes(shown));
    } else {
        calc_warn(c, "new stack size = %zu (%.3f Mbytes)", rsize, calc_mbytes(rsize));
    }
    siglongjmp(*c->jb, CALC_ENDED);
}

static const struct builtin {
    const char *name;
    int min, max;
    calc_fn fn;
} builtins[] = {
    {"binomial", 2, 2, fn_binomial},   {"default", 1, 2, fn_default},
    {"fibonacci", 1, 1, fn_fibonacci}, {"gcd", 1, 2, fn_gcd},
    {"getheap", 0, 0, fn_getheap},     {"getstack", 0, 0, fn_getstack},
    {"isprime", 1, 1, fn_isprime},     {"nextprime", 1, 1, fn_nextprime},
    {"sqrtint", 1, 1, fn_sqrtint},
};

static const struct builtin *lookup(const char *name, size_t nlen)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strlen(builtins[i].name) == nlen && memcmp(builtins[i].name, name, nlen) == 0)
            return &builtins[i];
    return NULL;
}

int calc_is_builtin(const char *name, size_t nlen)
{
    return lookup(name, nlen) != NULL;
}

struct calc_value calc_call(struct calc *c, const char *name, size_t nlen,
                            struct calc_value *args, int nargs)
{
    const struct builtin *b = lookup(name, nlen);
    c->op = NULL;
    if (b == NULL && !c->eval)
        return calc_int(NULL); /* as in gp, an error only if it is run */
    if (b == NULL)
        calc_fail(c, "not a function in function call: %.*s", (int)nlen, name);
    if (nargs > b->max)
        calc_fail(c, "too many arguments: %s", b->name);
    if (nargs < b->min)
        calc_fail(c, "missing arguments: %s", b->name);
    if (!c->eval) {
        return calc_int(NULL);
    }
    c->op = b->name;
    return b->fn(c, args, nargs);
}
