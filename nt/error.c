/* SPDX-License-Identifier: MIT */
/* error.c -- the error path of vstack_nt: one handler per thread. */
#include "nt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static _Thread_local vstack_handler nt_err_fn;
static _Thread_local void *nt_err_ctx;

void vnt_set_error_handler(vstack_handler fn, void *ctx)
{
    nt_err_fn = fn;
    nt_err_ctx = ctx;
}

void vnt_error(vstack *st, int err, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (nt_err_fn)
        nt_err_fn(st, err, msg, nt_err_ctx);
    /* A handler that returns leaves no result to give back: computations
     * cannot continue past an error, so stop as PARI does without a
     * recovery point. */
    fprintf(stderr, "vstack_nt: %s\n", msg);
    abort();
}

const char *vnt_strerror(int err)
{
    switch (err) {
    case VNT_EDIVZERO: return "division by zero";
    case VNT_EDOMAIN: return "argument out of domain";
    case VNT_EOVERFLOW: return "argument too large for a machine word";
    case VNT_ESYNTAX: return "not a decimal integer";
    default: return vstack_strerror(err);
    }
}
