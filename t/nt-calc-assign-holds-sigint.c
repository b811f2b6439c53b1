/* SPDX-License-Identifier: MIT */
/* SIGINT and assignments.  A SIGINT that comes while a value is copied into
 * the heap, while the pool grows or while the collector slides the objects
 * is held off until the assignment is complete: the line is then stopped
 * ("user interrupt"), but the variable has its whole new value and the heap
 * its right counts.  A SIGINT while the right side is computed stops the
 * line before the assignment: the variable keeps its old value.  The SIGINT
 * is raised from the heap's own messages (which come from inside those
 * steps) and from GMP's allocations (inside the computation). */
#include "config.h"
#include "../calc/calc.h" /* first: it asks for POSIX */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

static char out[1 << 16], err[4096];
static const char *raise_on; /* raise SIGINT on a heap message that starts so */
static unsigned long raised;

static void on_note(void *ctx, enum heap_note kind, const char *msg)
{
    (void)ctx;
    (void)kind;
    if (raise_on != NULL && strncmp(msg, raise_on, strlen(raise_on)) == 0) {
        raised++;
        raise(SIGINT);
    }
}

static void *(*calc_alloc)(size_t);
static void *(*calc_realloc)(void *, size_t, size_t);
static void (*calc_free)(void *, size_t);
static int raise_in_gmp;

static void *wrap_alloc(size_t n)
{
    void *p = calc_alloc(n);
    if (raise_in_gmp) {
        raise_in_gmp = 0;
        raised++;
        raise(SIGINT);
    }
    return p;
}

/* What f holds, without its last newline. */
static void read_back(FILE *f, char *buf, size_t size)
{
    rewind(f);
    size_t n = fread(buf, 1, size - 1, f);
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    buf[n] = 0;
    fclose(f);
}

/* Run line with stdout and stderr captured; returns calc_run_line's status. */
static int run(struct calc *c, const char *line)
{
    FILE *fo = tmpfile(), *fe = tmpfile();
    if (fo == NULL || fe == NULL)
        bail_out("tmpfile failed");
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    dup2(fileno(fo), 1);
    dup2(fileno(fe), 2);
    int rc = calc_run_line(c, line, strlen(line));
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    read_back(fo, out, sizeof out);
    read_back(fe, err, sizeof err);
    return rc;
}

static int interrupted(void)
{
    return strncmp(err, "  ***   user interrupt after ", 29) == 0 && strchr(err, '\n') == NULL;
}

int main(void)
{
    vstack st;
    struct calc c;
    memset(&st, 0, sizeof st);
    if (vstack_init(&st, (size_t)8 << 20, (size_t)256 << 20, 0) != VSTACK_OK)
        bail_out("vstack_init: %s", vstack_last_error(&st));
    calc_setup(&c, &st);
    calc_set_heap(&c, (size_t)64 << 20, 1, 1);
    heap_set_note(&c.vars.heap, on_note, NULL);
    signal(SIGINT, SIG_DFL); /* whatever make was started with */
    calc_sigint_install();
    if (run(&c, "x = 1;") != 0) {
        diag("%s", err);
        skip_all("the heap needs a pool, which needs mmap");
    }

    /* While the pool grows: the value still goes in whole. */
    raise_on = "increasing heap size";
    raised = 0;
    int rc = run(&c, "x = 2^(10^6) + 1;");
    ok(raised == 1 && rc == 1 && interrupted(),
       "SIGINT while the pool grows stops the line when the assignment is done: %s", err);
    rc = run(&c, "x % (10^9+7)");
    ok(rc == 0 && strcmp(out, "235042060") == 0, "and x has its new value: %s", out);

    /* While the collector slides the objects. */
    run(&c, "y = 2; z = 3;");
    raise_on = "heap collection";
    raised = 0;
    rc = run(&c, "x = 5;");
    ok(raised == 1 && rc == 1 && interrupted(),
       "SIGINT while the collector runs stops the line when it is done: %s", err);
    rc = run(&c, "x*100 + y*10 + z");
    ok(rc == 0 && strcmp(out, "523") == 0, "every variable reads back: %s", out);
    rc = run(&c, "getheap()");
    ok(rc == 0 && strcmp(out, "[3, 12]") == 0, "and the heap's counts are right: %s", out);

    /* While shrinking. */
    run(&c, "w = 2^(10^6);");
    raise_on = "decreasing heap size";
    raised = 0;
    rc = run(&c, "w = 7;");
    ok(raised == 1 && rc == 1 && interrupted(), "SIGINT while the pool shrinks: %s", err);
    rc = run(&c, "w*1000 + x*100 + y*10 + z");
    ok(rc == 0 && strcmp(out, "7523") == 0, "every variable reads back: %s", out);
    raise_on = NULL;

    /* While the right side is computed: the assignment never happens. */
    mp_get_memory_functions(&calc_alloc, &calc_realloc, &calc_free);
    mp_set_memory_functions(wrap_alloc, calc_realloc, calc_free);
    raised = 0;
    raise_in_gmp = 1;
    rc = run(&c, "w = 2^(64*10^5)*(2^(64*10^5)-1);");
    ok(raised == 1 && rc == 1 && interrupted(),
       "SIGINT inside GMP's product stops the line before the assignment: %s", err);
    mp_set_memory_functions(calc_alloc, calc_realloc, calc_free);
    rc = run(&c, "w");
    ok(rc == 0 && strcmp(out, "7") == 0, "w keeps its old value: %s", out);
    ok(calc_gmp_held() == 0, "GMP's blocks were freed");
    calc_finish(&c);
    vstack_destroy(&st);
    return done_testing();
}
