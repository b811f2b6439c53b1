/* SPDX-License-Identifier: MIT */
/* report.c -- error codes, sentences, and the handlers that receive them.
 *
 * The library is quiet: warnings go to a warn handler or nowhere; an
 * allocation failure goes to the error handler, and only when there is no
 * handler at all is one line written to stderr.  Helpers record what they
 * have to say in a struct vs_out; only the public entry points deliver it,
 * so that every sentence takes exactly one way out. */
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

const char *vstack_last_error(const vstack *st) { return vs_cstack_state(st)->r.errmsg; }

int vstack_last_error_code(const vstack *st) { return vs_cstack_state(st)->r.errcode; }

int vs_errno_code(int err) { return err == ENOMEM || err == EAGAIN ? VSTACK_ENOMEM : VSTACK_ESYS; }

/* ---- recording ----------------------------------------------------------- */

int vs_failf(struct vs_out *o, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->msg, sizeof o->msg, fmt, ap);
    va_end(ap);
    return o->code = code;
}

/* Append ": call: reason" to msg, which holds n characters, as far as it fits. */
static void vs_add_os(char msg[static VS_MSG_LEN], int n, const struct vs_os_err *e)
{
    if (n >= 0 && n < VS_MSG_LEN)
        snprintf(msg + n, VS_MSG_LEN - (size_t)n, ": %s: %s", e->call, vs_os_why(e));
}

int vs_fail_os(struct vs_out *o, const struct vs_os_err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->msg, sizeof o->msg, fmt, ap);
    va_end(ap);
    vs_add_os(o->msg, n, e);
    return o->code = vs_errno_code(e->err);
}

/* The slot of the next warning, with its code set. */
static char *vs_warn_slot(struct vs_out *o, int code)
{
    int i = o->nwarn < VS_NWARN ? o->nwarn++ : VS_NWARN - 1; /* the last slot keeps the latest */
    o->warn_code[i] = code;
    return o->warn[i];
}

void vs_warnf(struct vs_out *o, int code, const char *fmt, ...)
{
    va_list ap;
    char *w = vs_warn_slot(o, code);
    va_start(ap, fmt);
    vsnprintf(w, VS_MSG_LEN, fmt, ap);
    va_end(ap);
}

void vs_warn_os(struct vs_out *o, const struct vs_os_err *e, const char *fmt, ...)
{
    va_list ap;
    char *w = vs_warn_slot(o, vs_errno_code(e->err));
    va_start(ap, fmt);
    int n = vsnprintf(w, VS_MSG_LEN, fmt, ap);
    va_end(ap);
    vs_add_os(w, n, e);
}

/* ---- delivering ---------------------------------------------------------- */

void vs_out_last(const struct vs_out *o, char *msg, size_t len, int *code)
{
    if (o->code != VSTACK_OK) {
        snprintf(msg, len, "%s", o->msg);
        *code = o->code;
    } else if (o->nwarn) {
        snprintf(msg, len, "%s", o->warn[o->nwarn - 1]);
        *code = o->warn_code[o->nwarn - 1];
    } else {
        msg[0] = 0;
        *code = VSTACK_OK;
    }
}

void vs_default_handlers(vstack_handler *err, vstack_handler *warn, void **ctx)
{
    *err = vs_default_err;
    *warn = vs_default_warn;
    *ctx = vs_default_ctx;
}

void vs_infof(const vstack *st, struct vs_out *o, const char *fmt, ...)
{
    va_list ap;
    if (!vs_cstack_state(st)->verbose)
        return;
    int i = o->ninfo < VS_NINFO ? o->ninfo++ : VS_NINFO - 1; /* the last slot keeps the latest */
    va_start(ap, fmt);
    vsnprintf(o->info[i], sizeof o->info[i], fmt, ap);
    va_end(ap);
}
