/* error.c -- error codes, messages and the handlers that receive them.
 *
 * The library is quiet: warnings go to a warn handler or nowhere; an
 * allocation failure goes to the error handler, and only when there is no
 * handler at all is one line written to stderr. */
#include "config.h"
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

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
    st->err_fn = fn;
    st->err_ctx = ctx;
}

void vstack_set_warn_handler(vstack *st, vstack_handler fn, void *ctx)
{
    st->warn_fn = fn;
    st->warn_ctx = ctx;
}

void vstack_set_verbose(vstack *st, int level) { st->verbose = level; }

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

const char *vstack_last_error(const vstack *st) { return st->errmsg; }

int vstack_last_error_code(const vstack *st) { return st->errmsg[0] ? st->errcode : VSTACK_OK; }

int vs_errno_code(int err)
{
    return err == ENOMEM || err == EAGAIN ? VSTACK_ENOMEM : VSTACK_ESYS;
}

int vs_fail(vstack *st, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->errmsg, sizeof st->errmsg, fmt, ap);
    va_end(ap);
    st->errcode = err;
    return err;
}

void vs_warn(vstack *st, int err, const char *fmt, ...)
{
    vstack_handler fn = st->warn_fn ? st->warn_fn : vs_default_warn;
    void *ctx = st->warn_fn ? st->warn_ctx : vs_default_ctx;
    va_list ap;
    if (!fn)
        return;
    char msg[sizeof st->errmsg];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fn(st, err, msg, ctx);
}

void vs_error(vstack *st, int err, const char *fmt, ...)
{
    vstack_handler fn = st->err_fn ? st->err_fn : vs_default_err;
    void *ctx = st->err_fn ? st->err_ctx : vs_default_ctx;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->errmsg, sizeof st->errmsg, fmt, ap);
    va_end(ap);
    st->errcode = err;
    if (fn)
        fn(st, err, st->errmsg, ctx); /* may longjmp: the stack is consistent */
    else
        fprintf(stderr, "vstack: %s\n", st->errmsg);
}
