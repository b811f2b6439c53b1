/* SPDX-License-Identifier: MIT */
/* report.c -- error codes, sentences, and the handlers that receive them.
 *
 * The library is quiet: warnings go to a warn handler or nowhere; an
 * allocation failure goes to the error handler, and only when there is no
 * handler at all is one line written to stderr.  Helpers record what they
 * have to say in a struct vs_out; only the public entry points deliver it,
 * so that every sentence takes exactly one way out.  A sentence is kept as
 * its format and arguments, and written out only where it is read. */
#include "config.h"
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static vstack_handler vs_default_err, vs_default_warn;
static void *vs_default_ctx;

void vstack_set_default_handlers(vstack_handler err, vstack_handler warn, void *ctx)
{
    vs_default_err = err;
    vs_default_warn = warn;
    vs_default_ctx = ctx;
}

void vstack_set_error_handler(vstack *st, vstack_handler fn, void *ctx)
{
    struct vs_stack *p = vs_stack_state(st);
    p->err_fn = fn;
    p->err_ctx = ctx;
}

void vstack_set_warn_handler(vstack *st, vstack_handler fn, void *ctx)
{
    struct vs_stack *p = vs_stack_state(st);
    p->r.warn_fn.stack = fn;
    p->r.warn_ctx = ctx;
}

void vstack_set_verbose(vstack *st, int level) { vs_stack_state(st)->verbose = level > 0; }

const char *vstack_strerror(int err)
{
    switch (err) {
    case VSTACK_OK: return "success";
    case VSTACK_ENOMEM: return "the system refused memory";
    case VSTACK_ESTACK: return "the stack overflows";
    case VSTACK_EINVAL: return "invalid argument";
    case VSTACK_ESYS: return "a system call failed";
    default: return "unknown vstack error";
    }
}

const char *vs_last_error(const struct vs_region *r)
{
    /* Written where it is read: the buffer is the region's own, although
     * the caller holds it as const. */
    return vs_line_format(&r->last, (char *)r->errmsg, sizeof r->errmsg);
}

const char *vstack_last_error(const vstack *st) { return vs_last_error(&vs_cstack_state(st)->r); }

int vstack_last_error_code(const vstack *st) { return vs_cstack_state(st)->r.last.code; }

int vs_errno_code(int err) { return err == ENOMEM || err == EAGAIN ? VSTACK_ENOMEM : VSTACK_ESYS; }

/* ---- recording ----------------------------------------------------------- */

/* Skip a conversion's flags, width and precision; *size: it has the flag
 * ', *prec: its precision, or -1. */
static const char *vs_skip_spec(const char *f, int *size, int *prec)
{
    *size = 0;
    *prec = -1;
    for (; *f && strchr("-+ #0'", *f); f++)
        if (*f == '\'')
            *size = 1;
    f += strspn(f, "0123456789");
    if (*f == '.')
        for (*prec = 0, f++; *f >= '0' && *f <= '9'; f++)
            *prec = *prec < 1000 ? *prec * 10 + (*f - '0') : *prec;
    return f;
}

/* The length modifier at f: 0 none, 'l', 'L' (ll), 'z'; *f moves past it. */
static int vs_skip_length(const char **f)
{
    const char *p = *f;
    int len = 0;
    if (p[0] == 'l' && p[1] == 'l')
        len = 'L', p += 2;
    else if (*p == 'l' || *p == 'z')
        len = *p++;
    *f = p;
    return len;
}

/* Record fmt with the arguments its conversions name, taken from ap. */
static void vs_record(struct vs_line *l, int code, const struct vs_os_err *e, const char *fmt, va_list ap)
{
    int size, prec;
    size_t copied = 0;
    l->fmt = fmt;
    l->code = code;
    l->nargs = 0;
    l->os = e != NULL;
    if (e)
        l->err = *e;
    for (const char *f = fmt; (f = strchr(f, '%')) != NULL;) {
        f = vs_skip_spec(f + 1, &size, &prec);
        int len = vs_skip_length(&f);
        char c = *f ? *f++ : '\0';
        if (c == '%')
            continue;
        if (l->nargs == VS_NARGS || !c)
            break; /* written out up to here (VS_NARGS is the most a sentence has) */
        union vs_arg *a = &l->arg[l->nargs++];
        if (c == 's' && prec >= 0) {
            /* A string with a precision is the caller's, copied now. */
            const char *str = va_arg(ap, const char *);
            if (copied == sizeof l->copy) {
                a->u = sizeof l->copy - 1; /* the copies are full: "" */
                continue;
            }
            size_t n = str ? strnlen(str, (size_t)prec) : 0, room = sizeof l->copy - copied - 1;
            n = n < room ? n : room;
            memcpy(l->copy + copied, str ? str : "", n);
            l->copy[copied + n] = '\0';
            a->u = copied;
            copied += n + 1;
        } else if (c == 's')
            a->s = va_arg(ap, const char *);
        else if (c == 'p')
            a->p = va_arg(ap, void *);
        else if (c == 'd' || c == 'i')
            a->i = len == 'L' ? va_arg(ap, long long) : len == 'l' ? va_arg(ap, long)
                 : len == 'z' ? (long long)va_arg(ap, size_t) : va_arg(ap, int);
        else
            a->u = len == 'L' ? va_arg(ap, unsigned long long) : len == 'l' ? va_arg(ap, unsigned long)
                 : len == 'z' ? va_arg(ap, size_t) : va_arg(ap, unsigned);
    }
}

int vs_failf(struct vs_out *o, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vs_record(&o->fail, code, NULL, fmt, ap);
    va_end(ap);
    return o->code = code;
}

int vs_fail_os(struct vs_out *o, const struct vs_os_err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vs_record(&o->fail, vs_errno_code(e->err), e, fmt, ap);
    va_end(ap);
    return o->code = o->fail.code;
}

/* The slot of the next warning. */
static struct vs_line *vs_warn_slot(struct vs_out *o)
{
    return &o->warn[o->nwarn < VS_NWARN ? o->nwarn++ : VS_NWARN - 1]; /* the last slot keeps the latest */
}

void vs_warnf(struct vs_out *o, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vs_record(vs_warn_slot(o), code, NULL, fmt, ap);
    va_end(ap);
}

void vs_warn_os(struct vs_out *o, const struct vs_os_err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vs_record(vs_warn_slot(o), vs_errno_code(e->err), e, fmt, ap);
    va_end(ap);
}

void vs_warn_failure(struct vs_out *o, const struct vs_out *from)
{
    struct vs_line l = from->fail; /* from may be o: copy before taking the slot */
    *vs_warn_slot(o) = l;
}

void vs_infof(const vstack *st, struct vs_out *o, const char *fmt, ...)
{
    va_list ap;
    if (!vs_cstack_state(st)->verbose)
        return;
    va_start(ap, fmt);
    vs_record(&o->info[o->ninfo < VS_NINFO ? o->ninfo++ : VS_NINFO - 1], VSTACK_OK, NULL, fmt, ap);
    va_end(ap);
}

/* ---- writing out ----------------------------------------------------------- */

#ifdef VS_TEST_SEAM
static unsigned long vs_formatted;
unsigned long vs_formatted_count(void) { return __atomic_load_n(&vs_formatted, __ATOMIC_RELAXED); }
#define vs_count_formatted() ((void)__atomic_fetch_add(&vs_formatted, 1, __ATOMIC_RELAXED))
#else
#define vs_count_formatted() ((void)0)
#endif

struct vs_buf {
    char *s;
    size_t len, n; /* n: written so far, at most len - 1 */
};

/* Account for snprintf's result w at the end of b. */
static void vs_wrote(struct vs_buf *b, int w)
{
    if (w > 0)
        b->n = (size_t)w < b->len - b->n ? b->n + (size_t)w : b->len - 1;
}

/* Write at the end of b as printf would, cut to fit. */
static void VS_PRINTF(2, 3) vs_putf(struct vs_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vs_wrote(b, vsnprintf(b->s + b->n, b->len - b->n, fmt, ap));
    va_end(ap);
}

/* Write the conversion spec [spec, end) with its argument a. */
static void vs_put_arg(struct vs_buf *b, const struct vs_line *l, const char *spec, const char *end,
                       const union vs_arg *a)
{
    char one[32];
    char c = end[-1];
    int size, prec;
    const char *f = vs_skip_spec(spec + 1, &size, &prec);
    size_t head = (size_t)(f - spec);
    if (c == 'u' && size) {
        vs_wrote(b, vs_fmt_size((size_t)a->u, b->s + b->n, b->len - b->n));
        return;
    }
    if (head + 4 > sizeof one) {
        vs_putf(b, "?");
        return;
    }
    /* The spec with its own flags, width and precision, and the length of
     * the stored argument. */
    memcpy(one, spec, head);
    if (c == 's' || c == 'p') {
        one[head] = c, one[head + 1] = '\0';
        if (c == 's' && prec >= 0)
            vs_putf(b, one, l->copy + a->u);
        else if (c == 's')
            vs_putf(b, one, a->s ? a->s : "(null)");
        else
            vs_putf(b, one, a->p);
        return;
    }
    one[head] = 'l', one[head + 1] = 'l', one[head + 2] = c, one[head + 3] = '\0';
    if (c == 'd' || c == 'i')
        vs_putf(b, one, a->i);
    else if (c == 'c')
        vs_putf(b, "%c", (int)a->u);
    else
        vs_putf(b, one, a->u);
}

char *vs_line_format(const struct vs_line *l, char *buf, size_t len)
{
    struct vs_buf b = {buf, len, 0};
    int size, prec, k = 0;
    buf[0] = '\0';
    if (!l->fmt)
        return buf;
    vs_count_formatted();
    for (const char *f = l->fmt; *f;) {
        const char *pct = strchr(f, '%');
        size_t plain = pct ? (size_t)(pct - f) : strlen(f);
        vs_putf(&b, "%.*s", (int)plain, f);
        if (!pct)
            break;
        const char *end = vs_skip_spec(pct + 1, &size, &prec);
        vs_skip_length(&end);
        if (*end == '%') {
            vs_putf(&b, "%%");
        } else {
            if (!*end || k == l->nargs)
                return buf; /* no argument was recorded for it */
            vs_put_arg(&b, l, pct, end + 1, &l->arg[k++]);
        }
        f = end + 1;
    }
    if (l->os)
        vs_putf(&b, ": %s: %s", l->err.call, vs_os_why(&l->err));
    return buf;
}

/* ---- delivering ---------------------------------------------------------- */

void vs_out_last(const struct vs_out *o, struct vs_line *last)
{
    if (o->code != VSTACK_OK)
        *last = o->fail;
    else if (o->nwarn)
        *last = o->warn[o->nwarn - 1];
    else
        last->fmt = NULL, last->code = VSTACK_OK;
}

void vs_default_handlers(vstack_handler *err, vstack_handler *warn, void **ctx)
{
    *err = vs_default_err;
    *warn = vs_default_warn;
    *ctx = vs_default_ctx;
}
