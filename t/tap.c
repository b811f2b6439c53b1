/* SPDX-License-Identifier: MIT */
/* tap.c -- see tap.h. */
#include "config.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/valgrind.h>
#endif
#ifdef _WIN32
#include <fcntl.h>
#include <io.h>

/* TAP lines end in "\n": keep the C runtime from writing "\r\n", which the
 * harness would read as part of the plan.  Before main, so that every line
 * is written the same way. */
__attribute__((constructor)) static void tap_binary_output(void)
{
    if (_setmode(_fileno(stdout), _O_BINARY) == -1 || _setmode(_fileno(stderr), _O_BINARY) == -1)
        fputs("# tap: cannot write in binary mode: lines may end in CR LF\n", stderr);
}
#endif

static int tap_planned = -1;
static int tap_count;
static int tap_failed;

void plan(int n)
{
    tap_planned = n;
    printf("1..%d\n", n);
    fflush(stdout);
}

static void tap_line(int cond, const char *fmt, va_list ap)
{
    ++tap_count;
    printf("%sok %d - ", cond ? "" : "not ", tap_count);
    vprintf(fmt, ap);
    putchar('\n');
    fflush(stdout);
    if (!cond)
        ++tap_failed;
}

int ok(int cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_line(cond, fmt, ap);
    va_end(ap);
    return cond;
}

int tap_is_int(long long got, long long want, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_line(got == want, fmt, ap);
    va_end(ap);
    if (got != want)
        diag("  got: %lld, expected: %lld", got, want);
    return got == want;
}

void skip(int n, const char *fmt, ...)
{
    va_list ap;
    for (int i = 0; i < n; i++) {
        printf("ok %d # SKIP ", ++tap_count);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
    }
    fflush(stdout);
}

void skip_check(const char *why, const char *fmt, ...)
{
    va_list ap;
    printf("ok %d - ", ++tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(" # SKIP %s\n", why);
    fflush(stdout);
}

void diag(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("# ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

void skip_all(const char *fmt, ...)
{
    va_list ap;
    printf("1..0 # SKIP ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    exit(0);
}

void bail_out(const char *fmt, ...)
{
    va_list ap;
    printf("Bail out! ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    exit(255);
}

int done_testing(void)
{
    if (tap_planned < 0)
        plan(tap_count);
    else if (tap_planned != tap_count) {
        diag("planned %d tests but ran %d", tap_planned, tap_count);
        return 255;
    }
    return tap_failed ? 1 : 0;
}

int tap_under_valgrind(void)
{
    const char *e = getenv("VSTACK_UNDER_VALGRIND");
    if (e && *e && *e != '0')
        return 1;
#ifdef HAVE_VALGRIND_MEMCHECK_H
    return RUNNING_ON_VALGRIND != 0;
#else
    return 0;
#endif
}
