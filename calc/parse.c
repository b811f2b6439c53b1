/* SPDX-License-Identifier: MIT */
/* parse.c -- a recursive-descent parser for ntcalc's subset of GP, which
 * evaluates as it goes.  Each line is read twice: once to check its syntax
 * (c->eval == 0), so that a syntax error is reported before any work is
 * done, as gp does, and once to evaluate it.
 *
 * Precedence, from loosest to tightest (GP's):
 *   name = ...    its right side is a whole expression, and it may stand
 *                 wherever an operand may: 1+x=2 is 1+(x=2)
 *   && ||         one level, left to right, short-circuit (& is &&)
 *   == != <> === < <= > >=   one level, left to right: 3>2>1 is (3>2)>1
 *   + -
 *   * / \ %
 *   + -           prefix
 *   ^             right-associative; its right side may carry a sign
 *   ! !           prefix not and postfix factorial: !2^2 is (!2)^2
 * As gp reads it, "!=" is one token unless an '=' follows it: 5!=3 is
 * 5 != 3, but 5!==3 is 5! == 3.
 *
 * Each parenthesis, function call, prefix sign, prefix !, ^ and assignment
 * is a level of recursion, so a line may nest at most CALC_MAXDEPTH of
 * them, and fewer when the C stack is small (CALC_STACK_SPARE): deeper, it
 * is a syntax error, found by the check before anything runs, instead of a
 * C stack overflow. */
#include "calc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

static struct calc_value expr(struct calc *c);

/* Every function of the grammar stays out of line: inlined into each
 * other, their locals would take room in every level of the recursion,
 * used or not, and a level would cost over 1.5 KB of C stack. */
#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

static char peek(const struct calc *c, size_t ahead)
{
    const char *t = c->text + c->pos;
    for (size_t i = 0; i < ahead; i++)
        if (t[i] == 0)
            return 0;
    return t[ahead];
}

/* The length of GP's token at c->pos: its operators of two and three
 * characters, those outside the subset included, else one character (0 at
 * the end). */
static size_t token_len(const struct calc *c)
{
    static const char *const two[] = {"==", "<=", ">=", "<>", "&&", "||", "<<", ">>", "++",
                                      "--", "+=", "-=", "*=", "/=", "\\=", "%=", "^=", "->",
                                      "\\/"};
    const char *t = c->text + c->pos;
    if (*t == 0)
        return 0;
    if (strncmp(t, "===", 3) == 0)
        return 3;
    if (t[0] == '!' && t[1] == '=')
        return t[2] == '=' ? 1 : 2;
    for (size_t i = 0; i < sizeof two / sizeof two[0]; i++)
        if (strncmp(t, two[i], 2) == 0)
            return 2;
    return 1;
}

/* The token at c->pos is op. */
NOINLINE static int at(const struct calc *c, const char *op)
{
    size_t n = strlen(op);
    return token_len(c) == n && strncmp(c->text + c->pos, op, n) == 0;
}

/* Consume op if it is the token at c->pos. */
NOINLINE static int accept(struct calc *c, const char *op)
{
    if (!at(c, op))
        return 0;
    c->pos += strlen(op);
    return 1;
}

#if defined(__GNUC__)
__attribute__((noreturn))
#endif
static void syntax_error(struct calc *c)
{
    c->op = NULL;
    const char *t = c->text + c->pos;
    if (*t == 0)
        calc_fail(c, "syntax error, unexpected end of line: %s", c->text);
    calc_fail(c, "syntax error, unexpected '%.*s' at column %zu: %s", (int)token_len(c), t,
              c->pos + 1, c->text);
}

/* One level deeper, for the construct that starts at c->pos; unnest() when
 * it is parsed (an error resets the depth with the line). */
static void nest(struct calc *c)
{
    volatile char here = 0;
    if (++c->depth > CALC_MAXDEPTH) {
        c->op = NULL;
        calc_fail(c, "syntax error, nesting too deep (more than %d levels) at column %zu: %s",
                  CALC_MAXDEPTH, c->pos + 1, c->text);
    }
    if ((uintptr_t)&here < c->stack_floor) {
        c->op = NULL;
        calc_fail(c, "syntax error, nesting too deep for the C stack (%u levels, see ulimit -s) at column %zu: %s",
                  c->depth, c->pos + 1, c->text);
    }
}

static void unnest(struct calc *c)
{
    c->depth--;
}

static void expect(struct calc *c, const char *op)
{
    if (!accept(c, op))
        syntax_error(c);
}

vnt_int calc_need_int(struct calc *c, struct calc_value v)
{
    if (v.type == CALC_INT)
        return v.i;
    if (v.type == CALC_VOID)
        return vnt_from_ui(c->st, 0); /* gp's void is 0 in arithmetic */
    calc_fail(c, "%s", v.type == CALC_STR ? "a string is not an integer"
                                          : "a vector is not an integer");
}

static void need_word(struct calc *c, int fits)
{
    if (!fits)
        calc_fail(c, "overflow: the argument does not fit a machine word");
}

long calc_need_long(struct calc *c, struct calc_value v)
{
    vnt_int x = calc_need_int(c, v);
    need_word(c, vnt_fits_si(x));
    return vnt_get_si(x);
}

unsigned long calc_need_ulong(struct calc *c, struct calc_value v)
{
    vnt_int x = calc_need_int(c, v);
    need_word(c, vnt_fits_ui(x));
    return vnt_get_ui(x);
}

/* GP's truth values: an integer is true when it is not zero; a test gives
 * 1 or 0. */
NOINLINE static int truth(struct calc *c, struct calc_value v)
{
    return vnt_sign(calc_need_int(c, v)) != 0;
}

NOINLINE static struct calc_value boolean(struct calc *c, int b)
{
    return calc_int(vnt_from_ui(c->st, (unsigned long)(b != 0)));
}

NOINLINE static struct calc_value binary(struct calc *c, char op, struct calc_value a,
                                struct calc_value b)
{
    if (!c->eval)
        return a;
    static const char *const names[] = {"_+_", "_-_", "_*_", "_/_", "_\\_", "_%_", "_^_"};
    static const char ops[] = "+-*/\\%^";
    c->op = names[strchr(ops, op) - ops];
    vnt_int x = calc_need_int(c, a), y = calc_need_int(c, b);
    vstack *st = c->st;
    switch (op) {
    case '+': return calc_int(vnt_add(st, x, y));
    case '-': return calc_int(vnt_sub(st, x, y));
    case '*': return calc_int(vnt_mul(st, x, y));
    case '\\': return calc_int(vnt_div(st, x, y));
    case '%': return calc_int(vnt_mod(st, x, y));
    case '^': return calc_int(vnt_pow(st, x, y));
    default: break;
    }
    /* '/': GP would give a fraction; the subset has integers only. */
    vnt_int r;
    vnt_int q = vnt_divrem(st, x, y, &r);
    if (vnt_len(r) != 0)
        calc_fail(c, "the quotient is not an integer (fractions are not supported)");
    return calc_int(q);
}

NOINLINE static struct calc_value literal(struct calc *c)
{
    size_t start = c->pos;
    while (peek(c, 0) >= '0' && peek(c, 0) <= '9')
        c->pos++;
    if (peek(c, 0) == '.') {
        c->op = NULL;
        calc_fail(c, "real numbers are not supported: %s", c->text);
    }
    if (!c->eval)
        return calc_int(NULL);
    c->op = NULL;
    return calc_int(vnt_from_str(c->st, c->text + start, c->pos - start));
}

/* The text from start to c->pos as a string value. */
static struct calc_value text_value(struct calc *c, size_t start)
{
    if (c->pos - start > UINT_MAX) {
        c->op = NULL;
        calc_fail(c, "a string of %zu bytes is too long", c->pos - start);
    }
    struct calc_value v = {.type = CALC_STR, .len = (unsigned)(c->pos - start)};
    v.s = c->text + start;
    return v;
}

NOINLINE static struct calc_value string(struct calc *c)
{
    c->pos++; /* the opening quote */
    size_t start = c->pos;
    while (peek(c, 0) != '"') {
        if (peek(c, 0) == '\\')
            c->pos++;
        c->pos++;
    }
    struct calc_value v = text_value(c, start);
    c->pos++;
    return v;
}

/* GP's names: a letter, then letters, digits and underscores. */
static int is_ident(char ch, int first)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (!first && ((ch >= '0' && ch <= '9') || ch == '_'));
}

#define CALC_MAXARGS 8

/* name(args), with c->pos at the '('.  An unknown name is an error when the
 * call is run, before its arguments are: as in gp, 0&&foo(1) is 0, and
 * foo(x=1) does not set x. */
NOINLINE static struct calc_value call(struct calc *c, const char *name, size_t nlen)
{
    if (c->eval && !calc_is_builtin(name, nlen)) {
        c->op = NULL;
        calc_fail(c, "not a function in function call: %.*s", (int)nlen, name);
    }
    nest(c);
    c->pos++;
    struct calc_value args[CALC_MAXARGS];
    int nargs = 0;
    int is_default = nlen == 7 && memcmp(name, "default", 7) == 0;
    if (peek(c, 0) != ')') {
        for (;;) {
            struct calc_value v;
            if (is_default && nargs == 0 && is_ident(peek(c, 0), 1)) {
                /* default's first argument is the name of a default. */
                size_t s = c->pos;
                while (is_ident(peek(c, 0), 0))
                    c->pos++;
                v = text_value(c, s);
            } else {
                v = expr(c);
            }
            if (nargs == CALC_MAXARGS) {
                c->op = NULL;
                calc_fail(c, "too many arguments: %.*s", (int)nlen, name);
            }
            args[nargs++] = v;
            if (!accept(c, ","))
                break;
        }
    }
    expect(c, ")");
    unnest(c);
    return calc_call(c, name, nlen, args, nargs);
}

/* name = expr, with c->pos at the '='; the value is expr's. */
NOINLINE static struct calc_value assignment(struct calc *c, const char *name, size_t nlen,
                                            size_t col)
{
    if (calc_is_builtin(name, nlen)) {
        c->op = NULL;
        calc_fail(c, "syntax error, cannot assign to the function %.*s at column %zu: %s",
                  (int)nlen, name, col + 1, c->text);
    }
    nest(c);
    c->pos++;
    struct calc_value v = expr(c);
    unnest(c);
    if (!c->eval)
        return v;
    if (v.type == CALC_VOID)
        v = calc_int(calc_need_int(c, v)); /* as in gp, x = (no value) sets x to 0 */
    if (v.type != CALC_INT) {
        c->op = NULL;
        calc_fail(c, "%.*s = ...: variables hold integers only (this is a %s)", (int)nlen, name,
                  v.type == CALC_STR ? "string" : "vector");
    }
    calc_var_set(c, name, nlen, v.i);
    return v;
}

/* A name: a call, an assignment or a variable's value. */
NOINLINE static struct calc_value name(struct calc *c)
{
    size_t start = c->pos;
    while (is_ident(peek(c, 0), 0))
        c->pos++;
    const char *s = c->text + start;
    size_t n = c->pos - start;
    if (peek(c, 0) == '(')
        return call(c, s, n);
    if (at(c, "="))
        return assignment(c, s, n, start);
    if (calc_is_builtin(s, n)) {
        c->op = NULL;
        calc_fail(c, "syntax error, the function %.*s without its arguments at column %zu: %s",
                  (int)n, s, start + 1, c->text);
    }
    if (!c->eval)
        return calc_int(NULL);
    return calc_int(calc_var_get(c, s, n));
}

NOINLINE static struct calc_value primary(struct calc *c)
{
    char ch = peek(c, 0);
    if (ch == '(') {
        nest(c);
        c->pos++;
        struct calc_value v = expr(c);
        expect(c, ")");
        unnest(c);
        return v;
    }
    if (ch >= '0' && ch <= '9')
        return literal(c);
    if (ch == '"')
        return string(c);
    if (is_ident(ch, 1))
        return name(c);
    syntax_error(c);
}

NOINLINE static struct calc_value negate(struct calc *c, struct calc_value v)
{
    if (!c->eval)
        return v;
    c->op = "-_";
    return calc_int(vnt_neg(c->st, calc_need_int(c, v)));
}

static struct calc_value unary(struct calc *c);
static struct calc_value power(struct calc *c);
static struct calc_value factor(struct calc *c);

/* A prefix sign, if any, and what it applies to: next(c), nested. */
NOINLINE static int signed_operand(struct calc *c, struct calc_value (*next)(struct calc *),
                          struct calc_value *v)
{
    int minus = at(c, "-");
    if (!minus && !at(c, "+"))
        return 0;
    nest(c);
    c->pos++;
    *v = next(c);
    if (minus)
        *v = negate(c, *v);
    unnest(c);
    return 1;
}

/* Prefix !: what follows binds no tighter than it, but a sign takes its
 * whole operand with it (so !-2^2 is !(-(2^2)), and !-1+1 is (!-1)+1). */
NOINLINE static struct calc_value factor(struct calc *c)
{
    if (!at(c, "!"))
        return primary(c);
    nest(c);
    c->pos++;
    struct calc_value v;
    if (!signed_operand(c, unary, &v))
        v = factor(c);
    unnest(c);
    if (!c->eval)
        return v;
    c->op = "!_";
    return boolean(c, !truth(c, v));
}

NOINLINE static struct calc_value factorial(struct calc *c, struct calc_value v)
{
    if (!c->eval)
        return v;
    c->op = "_!";
    if (vnt_sign(calc_need_int(c, v)) < 0)
        calc_fail(c, "domain error in factorial: argument < 0");
    return calc_int(vnt_factorial(c->st, calc_need_ulong(c, v)));
}

NOINLINE static struct calc_value postfix(struct calc *c)
{
    struct calc_value v = factor(c);
    while (accept(c, "!"))
        v = factorial(c, v);
    return v;
}

NOINLINE static struct calc_value power(struct calc *c)
{
    struct calc_value v = postfix(c);
    if (at(c, "^")) {
        nest(c);
        c->pos++;
        struct calc_value e = unary(c); /* signs take the power: 2^-3^2 is 2^(-(3^2)) */
        v = binary(c, '^', v, e);
        unnest(c);
    }
    return v;
}

NOINLINE static struct calc_value unary(struct calc *c)
{
    struct calc_value v;
    if (signed_operand(c, unary, &v))
        return v;
    return power(c);
}

NOINLINE static struct calc_value term(struct calc *c)
{
    static const char *const ops[] = {"*", "/", "\\", "%"};
    struct calc_value v = unary(c);
    for (;;) {
        size_t i = 0;
        while (i < 4 && !at(c, ops[i]))
            i++;
        if (i == 4)
            return v;
        c->pos++;
        v = binary(c, ops[i][0], v, unary(c));
    }
}

NOINLINE static struct calc_value sum(struct calc *c)
{
    struct calc_value v = term(c);
    for (;;) {
        char ch = peek(c, 0);
        if (!at(c, "+") && !at(c, "-"))
            return v;
        c->pos++;
        v = binary(c, ch, v, term(c));
    }
}

/* The comparisons: one level, left to right, each giving 1 or 0. */
NOINLINE static struct calc_value comparison(struct calc *c)
{
    static const struct {
        const char *tok, *name;
        int lt, eq, gt; /* the result for each sign of a - b */
    } cmps[] = {
        {"===", "_===_", 0, 1, 0}, {"==", "_==_", 0, 1, 0}, {"!=", "_!=_", 1, 0, 1},
        {"<>", "_!=_", 1, 0, 1},   {"<=", "_<=_", 1, 1, 0}, {">=", "_>=_", 0, 1, 1},
        {"<", "_<_", 1, 0, 0},     {">", "_>_", 0, 0, 1},
    };
    const size_t ncmps = sizeof cmps / sizeof cmps[0];
    struct calc_value v = sum(c);
    for (;;) {
        size_t i = 0;
        while (i < ncmps && !at(c, cmps[i].tok))
            i++;
        if (i == ncmps)
            return v;
        c->pos += strlen(cmps[i].tok);
        struct calc_value w = sum(c);
        if (!c->eval)
            continue;
        c->op = cmps[i].name;
        int s = vnt_cmp(calc_need_int(c, v), calc_need_int(c, w));
        v = boolean(c, s < 0 ? cmps[i].lt : s == 0 ? cmps[i].eq : cmps[i].gt);
    }
}

/* && and || (and &, GP's old spelling of &&): one level, left to right;
 * the right side of a && after a false left side, or of a || after a true
 * one, is only checked, not evaluated (an assignment there does not
 * happen). */
NOINLINE static struct calc_value expr(struct calc *c)
{
    struct calc_value v = comparison(c);
    for (;;) {
        int is_and = at(c, "&&") || at(c, "&");
        if (!is_and && !at(c, "||"))
            return v;
        c->pos += token_len(c);
        if (!c->eval) {
            comparison(c);
            continue;
        }
        c->op = is_and ? "_&&_" : "_||_";
        int t = truth(c, v);
        if (t != is_and) {
            /* Decided: && is 0, || is 1. */
            c->eval = 0;
            comparison(c);
            c->eval = 1;
            v = boolean(c, t);
        } else {
            struct calc_value w = comparison(c);
            c->op = is_and ? "_&&_" : "_||_";
            v = boolean(c, truth(c, w));
        }
    }
}

/* One value per line, as gp prints it. */
static void print_value(struct calc *c, struct calc_value v)
{
    /* The conversion may take long and can be interrupted; the printing
     * itself is not left halfway. */
    const char *digits = v.type == CALC_INT ? vnt_to_str(c->st, v.i) : NULL;
    char **items = NULL;
    if (v.type == CALC_VEC) {
        items = vstack_alloc(c->st, (v.len ? v.len : 1) * sizeof *items);
        for (size_t k = 0; k < v.len; k++)
            items[k] = vnt_to_str(c->st, v.elts[k]);
    }
    calc_hold();
    errno = 0;
    if (digits != NULL) {
        printf("%s\n", digits);
    } else if (v.type == CALC_STR) {
        printf("\"%.*s\"\n", (int)v.len, v.s);
    } else if (v.type == CALC_VEC) {
        putchar('[');
        for (size_t k = 0; k < v.len; k++)
            printf("%s%s", k ? ", " : "", items[k]);
        printf("]\n");
    }
    /* A result that cannot be written (EPIPE, ENOSPC) fails the line; the
     * caller decides whether to go on. */
    if ((fflush(stdout) != 0 || ferror(stdout)) && c->out_errno == 0)
        c->out_errno = errno ? errno : EIO;
    calc_release();
}

void calc_line(struct calc *c)
{
    vstack_sp av = vstack_avma(c->st);
    struct calc_value last = {.type = CALC_VOID};
    int have_last = 0;
    c->pos = 0;
    c->depth = 0;
    c->op = NULL;
    while (peek(c, 0) != 0) {
        if (peek(c, 0) == ';') {
            c->pos++;
            have_last = 0;
            continue;
        }
        /* A statement's value is dropped at the next ';'. */
        if (c->eval)
            vstack_set_avma(c->st, av);
        last = expr(c);
        have_last = 1;
        if (peek(c, 0) != ';' && peek(c, 0) != 0)
            syntax_error(c);
    }
    if (!c->eval || !have_last)
        return;
    c->op = NULL;
    print_value(c, last);
}
