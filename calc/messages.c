/* SPDX-License-Identifier: MIT */
/* messages.c -- ntcalc's messages on stderr, in gp's "  ***" style, one line
 * each, and the handlers that turn library errors into them. */
#include "calc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double calc_mbytes(size_t nbytes)
{
    return (double)nbytes / 1048576.0;
}

static void vreport(const struct calc *c, const char *kind, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* Messages end in exactly one period, whatever the source gave, and
     * stay on one line: control characters (from a quoted input line) are
     * blanked. */
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '.' || msg[n - 1] == '\n'))
        msg[--n] = 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)msg[i] < ' ')
            msg[i] = ' ';
    calc_hold();
    fflush(stdout);
    if (c && c->op)
        fprintf(stderr, "  *** %s: %s%s.\n", c->op, kind, msg);
    else
        fprintf(stderr, "  ***   %s%s.\n", kind, msg);
    fflush(stderr);
    calc_release();
}

void calc_fail(struct calc *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, "", fmt, ap);
    va_end(ap);
    siglongjmp(*c->jb, CALC_FAILED);
}

void calc_report(struct calc *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, "", fmt, ap);
    va_end(ap);
}

void calc_warn(struct calc *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, "Warning: ", fmt, ap);
    va_end(ap);
}

/* Stacks beyond this are no hint: no address space holds them. */
#define CALC_HINT_MAX ((double)((uint64_t)1 << (SIZE_MAX > 0xffffffffu ? 48 : 31)))

/* A result refused before any work, too large for the stack (its message
 * starts with VNT_NEEDS): the bytes it needs, and a parisizemax that may
 * hold its computation. */
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
static void too_big(struct calc *c, vstack *st, double need)
{
    size_t vsize = 0;
    struct vstack_stats s;
    vstack_get_stats(st, &s);
    vstack_default_get(st, "parisizemax", &vsize);
    char limit[96];
    if (vsize)
        snprintf(limit, sizeof limit, "parisizemax: %zu (%.3f Mbytes)", vsize, calc_mbytes(vsize));
    else
        snprintf(limit, sizeof limit, "parisizemax: 0, a fixed stack of %zu (%.3f Mbytes)",
                 s.rsize, calc_mbytes(s.rsize));
    /* The hint leaves as much again for the work: twice the result. */
    double hint = 2 * (need + (double)s.used);
    if (hint > CALC_HINT_MAX)
        calc_fail(c, "the stack overflows! the result alone needs %.3g bytes, %s "
                  "[hint] no address space is that large", need, limit);
    calc_fail(c, "the stack overflows! the result alone needs %.0f bytes (%.3f Mbytes), %s "
              "[hint] %s: default(parisizemax, \"%.0fG\")",
              need, need / 1048576.0, limit, vsize ? "raise it" : "let it grow", hint / 1e9 + 1);
}

void calc_on_error(vstack *st, int err, const char *msg, void *ctx)
{
    struct calc *c = ctx;
    if (c == NULL || c->jb == NULL) {
        /* Outside a line (start-up): there is no line to leave. */
        fprintf(stderr, "ntcalc: %s\n", msg);
        return;
    }
    if (err == VSTACK_ESTACK && strncmp(msg, VNT_NEEDS, strlen(VNT_NEEDS)) == 0)
        too_big(c, st, strtod(msg + strlen(VNT_NEEDS), NULL));
    if (err == VSTACK_ESTACK) {
        size_t vsize = 0;
        struct vstack_stats s;
        vstack_get_stats(st, &s);
        vstack_default_get(st, "parisizemax", &vsize);
        if (vsize == 0)
            calc_fail(c, "the stack overflows! current stack size: %zu (%.3f Mbytes), "
                      "parisizemax: 0 [hint] let it grow: default(parisizemax, \"4G\")",
                      s.committed, calc_mbytes(s.committed));
        calc_fail(c, "the stack overflows! current stack size: %zu (%.3f Mbytes), "
                  "parisizemax: %zu (%.3f Mbytes) [hint] raise it: default(parisizemax, \"%zuG\")",
                  s.committed, calc_mbytes(s.committed), vsize, calc_mbytes(vsize),
                  (2 * vsize + 999999999) / 1000000000);
    }
    calc_fail(c, "%s", msg);
}

void calc_on_warning(vstack *st, int err, const char *msg, void *ctx)
{
    (void)st;
    (void)err;
    calc_warn(ctx, "%s", msg);
}
