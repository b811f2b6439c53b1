/* SPDX-License-Identifier: MIT */
/* os_err.c -- the verbs' failure reports: how a verb fills a struct
 * vs_os_err on its way out, and the reason in words for a message. */
#include "config.h"
#include "os.h"

#include <string.h>

int vs_os_fail(struct vs_os_err *e, int err, const char *call, const char *why)
{
    e->err = err;
    e->call = call;
    e->why = why;
#ifdef _WIN32
    e->text[0] = '\0';
#endif
    return err;
}

const char *vs_os_why(const struct vs_os_err *e)
{
    if (e->why)
        return e->why;
#ifdef _WIN32
    if (e->text[0])
        return e->text;
#endif
    return strerror(e->err);
}
