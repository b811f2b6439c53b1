/* SPDX-License-Identifier: MIT */
/* tap.h -- a tiny TAP producer for the vstack tests.
 *
 * plan(n) or done_testing(); ok(cond, fmt, ...) prints "ok N - name" or
 * "not ok N - name"; skip_all(), skip(n, why), skip_check(why, name),
 * diag(), bail_out().  The status done_testing() returns is non-zero when
 * any test failed or the plan was not met, so the programs work under both
 * tap-driver.sh and prove. */
#ifndef VSTACK_TAP_H
#define VSTACK_TAP_H

#include <stdarg.h>

#if defined(__MINGW32__) /* MinGW's ANSI stdio: C99 formats (VS_HOST_CPPFLAGS) */
#define TAP_PRINTF(a, b) __attribute__((format(gnu_printf, a, b)))
#define TAP_NORETURN __attribute__((noreturn))
#elif defined(__GNUC__)
#define TAP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define TAP_NORETURN __attribute__((noreturn))
#else
#define TAP_PRINTF(a, b)
#define TAP_NORETURN
#endif

void plan(int n);
int ok(int cond, const char *fmt, ...) TAP_PRINTF(2, 3);
/* n skipped lines with one reason and no names: prefer skip_check or the
 * _or_skip checks below, which stand for one named check each. */
void skip(int n, const char *fmt, ...) TAP_PRINTF(2, 3);
/* One check that cannot be made here: "ok N - name # SKIP why". */
void skip_check(const char *why, const char *fmt, ...) TAP_PRINTF(2, 3);
void diag(const char *fmt, ...) TAP_PRINTF(1, 2);
void skip_all(const char *fmt, ...) TAP_PRINTF(1, 2) TAP_NORETURN;
void bail_out(const char *fmt, ...) TAP_PRINTF(1, 2) TAP_NORETURN;
/* Print the plan if none was given, and return the exit status. */
int done_testing(void);
/* Non-zero when the test runs under valgrind (VSTACK_UNDER_VALGRIND set by
 * make check-valgrind, or the valgrind client request when available). */
int tap_under_valgrind(void);

#define is_int(got, want, ...) \
    tap_is_int((long long)(got), (long long)(want), __VA_ARGS__)
int tap_is_int(long long got, long long want, const char *fmt, ...) TAP_PRINTF(3, 4);

/* A check that is skipped when why is not NULL: then skip_check(why, name)
 * stands in its place and cond (or got) is not evaluated.  The check and
 * its skip are one expression, so a skipped check is always counted
 * once.  True when skipped; why is evaluated more than once. */
#define ok_or_skip(why, cond, ...) \
    ((why) ? (skip_check((why), __VA_ARGS__), 1) : ok((cond), __VA_ARGS__))
#define is_int_or_skip(why, got, want, ...) \
    ((why) ? (skip_check((why), __VA_ARGS__), 1) : is_int((got), (want), __VA_ARGS__))

#endif
