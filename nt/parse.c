/* parse.c -- a recursive-descent parser for ntcalc's subset of GP, which
 * evaluates as it goes.  Each line is read twice: once to check its syntax
 * (c->eval == 0), so that a syntax error is reported before any work is
 * done, as gp does, and once to evaluate it.
 *
 * Precedence, from loosest to tightest (GP's): + -, then * / \ %, then
 * prefix + -, then ^ (right-associative, its right side may carry a sign),
 * then postfix !.
 *
 * Each parenthesis, function call, prefix sign and ^ is a level of
 * recursion, so a line may nest at most CALC_MAXDEPTH of them: deeper, it is
 * a syntax error, found by the check before anything runs, instead of a C
 * stack overflow. */
#include "calc.h"

#include <stdio.h>
#include <string.h>

static struct calc_value expr(struct calc *c);

static char peek(const struct calc *c, size_t ahead)
{
    const char *t = c->text + c->pos;
    for (size_t i = 0; i < ahead; i++)
        if (t[i] == 0)
            return 0;
    return t[ahead];
}

/* GP operators outside the subset that start with a character we know. */
static size_t unsupported_len(const struct calc *c)
{
    static const char *const two[] = {"++", "--", "!=", "==", "<=", ">=", "&&", "||", "\\/",
                                      "<<", ">>", "+=", "-=", "*=", "/=", "\\=", "%=", "^=",
                                      "->", "'"};
    const char *t = c->text + c->pos;
    for (size_t i = 0; i < sizeof two / sizeof two[0]; i++)
        if (strncmp(t, two[i], strlen(two[i])) == 0)
            return strlen(two[i]);
    return 0;
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
    size_t n = unsupported_len(c);
    calc_fail(c, "syntax error, unexpected '%.*s' at column %zu: %s", (int)(n ? n : 1), t,
              c->pos + 1, c->text);
}

/* One level deeper, for the construct that starts at c->pos; unnest() when
 * it is parsed (an error resets the depth with the line). */
static void nest(struct calc *c)
{
    if (++c->depth > CALC_MAXDEPTH) {
        c->op = NULL;
        calc_fail(c, "syntax error, nesting too deep (more than %d levels) at column %zu: %s",
                  CALC_MAXDEPTH, c->pos + 1, c->text);
    }
}

static void unnest(struct calc *c)
{
    c->depth--;
}

/* Consume the one-character operator ch unless it starts a longer one. */
static int accept_op(struct calc *c, char ch)
{
    if (peek(c, 0) != ch)
        return 0;
    if (unsupported_len(c))
        syntax_error(c);
    c->pos++;
    return 1;
}

static void expect(struct calc *c, char ch)
{
    if (peek(c, 0) != ch)
        syntax_error(c);
    c->pos++;
}

vnt_int calc_need_int(struct calc *c, struct calc_value v)
{
    if (v.type == CALC_INT)
        return v.i;
    calc_fail(c, "%s", v.type == CALC_STR ? "a string is not an integer"
                                          : "this expression has no value");
}

static struct calc_value binary(struct calc *c, char op, struct calc_value a,
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

static struct calc_value literal(struct calc *c)
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

static struct calc_value string(struct calc *c)
{
    c->pos++; /* the opening quote */
    size_t start = c->pos;
    while (peek(c, 0) != '"') {
        if (peek(c, 0) == '\\')
            c->pos++;
        c->pos++;
    }
    struct calc_value v = {CALC_STR, NULL, c->text + start, c->pos - start};
    c->pos++;
    return v;
}

static int is_ident(char ch, int first)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
           (!first && ch >= '0' && ch <= '9');
}

#define CALC_MAXARGS 8

static struct calc_value call(struct calc *c)
{
    size_t start = c->pos;
    while (is_ident(peek(c, 0), 0))
        c->pos++;
    const char *name = c->text + start;
    size_t nlen = c->pos - start;
    if (peek(c, 0) != '(') {
        c->op = NULL;
        calc_fail(c, "variables are not supported: %.*s", (int)nlen, name);
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
                v = (struct calc_value){CALC_STR, NULL, c->text + s, c->pos - s};
            } else {
                v = expr(c);
            }
            if (nargs == CALC_MAXARGS) {
                c->op = NULL;
                calc_fail(c, "too many arguments: %.*s", (int)nlen, name);
            }
            args[nargs++] = v;
            if (peek(c, 0) != ',')
                break;
            c->pos++;
        }
    }
    expect(c, ')');
    unnest(c);
    return calc_call(c, name, nlen, args, nargs);
}

static struct calc_value primary(struct calc *c)
{
    char ch = peek(c, 0);
    if (ch == '(') {
        nest(c);
        c->pos++;
        struct calc_value v = expr(c);
        expect(c, ')');
        unnest(c);
        return v;
    }
    if (ch >= '0' && ch <= '9')
        return literal(c);
    if (ch == '"')
        return string(c);
    if (is_ident(ch, 1))
        return call(c);
    syntax_error(c);
}

static struct calc_value postfix(struct calc *c)
{
    struct calc_value v = primary(c);
    while (accept_op(c, '!')) {
        if (!c->eval)
            continue;
        c->op = "_!";
        vnt_int n = calc_need_int(c, v);
        if (vnt_sign(n) < 0)
            calc_fail(c, "domain error in factorial: argument < 0");
        if (!vnt_fits_ui(n))
            calc_fail(c, "overflow: the argument does not fit a machine word");
        v = calc_int(vnt_factorial(c->st, vnt_get_ui(n)));
    }
    return v;
}

static struct calc_value negate(struct calc *c, struct calc_value v)
{
    if (!c->eval)
        return v;
    c->op = "-_";
    return calc_int(vnt_neg(c->st, calc_need_int(c, v)));
}

static struct calc_value power(struct calc *c);

/* A prefix sign, if any, and what it applies to: next(c), nested. */
static int signed_operand(struct calc *c, struct calc_value (*next)(struct calc *),
                          struct calc_value *v)
{
    char ch = peek(c, 0);
    if (ch != '+' && ch != '-')
        return 0;
    nest(c);
    accept_op(c, ch);
    *v = next(c);
    if (ch == '-')
        *v = negate(c, *v);
    unnest(c);
    return 1;
}

/* The right side of ^: signs, then a power (so 2^-3^2 is 2^(-(3^2))). */
static struct calc_value exponent(struct calc *c)
{
    struct calc_value v;
    if (signed_operand(c, exponent, &v))
        return v;
    return power(c);
}

static struct calc_value power(struct calc *c)
{
    struct calc_value v = postfix(c);
    if (peek(c, 0) == '^') {
        nest(c);
        accept_op(c, '^');
        struct calc_value e = exponent(c);
        v = binary(c, '^', v, e);
        unnest(c);
    }
    return v;
}

static struct calc_value unary(struct calc *c)
{
    struct calc_value v;
    if (signed_operand(c, unary, &v))
        return v;
    return power(c);
}

static struct calc_value term(struct calc *c)
{
    struct calc_value v = unary(c);
    for (;;) {
        char ch = peek(c, 0);
        if (ch != '*' && ch != '/' && ch != '\\' && ch != '%')
            return v;
        accept_op(c, ch);
        v = binary(c, ch, v, unary(c));
    }
}

static struct calc_value expr(struct calc *c)
{
    struct calc_value v = term(c);
    for (;;) {
        char ch = peek(c, 0);
        if (ch != '+' && ch != '-')
            return v;
        accept_op(c, ch);
        v = binary(c, ch, v, term(c));
    }
}

void calc_line(struct calc *c)
{
    vstack_sp av = vstack_avma(c->st);
    struct calc_value last = {CALC_VOID, NULL, NULL, 0};
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
    /* The conversion may take long and can be interrupted; the printing
     * itself is not left halfway. */
    const char *digits = last.type == CALC_INT ? vnt_to_str(c->st, last.i) : NULL;
    calc_hold();
    if (digits != NULL)
        printf("%s\n", digits);
    else if (last.type == CALC_STR)
        printf("\"%.*s\"\n", (int)last.slen, last.s);
    fflush(stdout);
    calc_release();
}
