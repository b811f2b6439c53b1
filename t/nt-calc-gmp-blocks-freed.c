/* SPDX-License-Identifier: MIT */
/* GMP's memory in ntcalc: a block that GMP cannot get is an error of the
 * line, not an abort: calc_run_line returns 1 after one message, the blocks
 * GMP held when the line was abandoned are freed, and the next line runs.
 * The refusal is real: a wrapper around ntcalc's allocation function asks
 * it, at a chosen call, for more memory than any system has.  The same
 * wrapper raises SIGINT at that call instead: the blocks are freed on the
 * interrupt's path too, and the stack is left empty and back to parisize. */
#include "config.h"
#include "../calc/calc.h" /* first: it asks for POSIX */

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

static void *(*calc_alloc)(size_t);
static void *(*calc_realloc)(void *, size_t, size_t);
static void (*calc_free)(void *, size_t);

static unsigned long ncalls;     /* allocations since the last reset */
static unsigned long refuse_at;  /* the call to refuse (0: none) */
static unsigned long signal_at;  /* the call after which to raise SIGINT (0: none) */
static unsigned long most_at;    /* the call at which GMP held the most blocks */
static size_t most_held, held_then;

/* More than malloc ever gives: a petabyte, or past PTRDIFF_MAX on 32 bits
 * (valgrind calls a size past PTRDIFF_MAX "fishy", so not on 64 bits). */
#if SIZE_MAX > 0xffffffffu
#define IMPOSSIBLE ((size_t)1 << 50)
#else
#define IMPOSSIBLE ((size_t)PTRDIFF_MAX + 1)
#endif

static size_t ask(size_t n)
{
    size_t h = calc_gmp_held();
    ncalls++;
    if (h > most_held || most_at == 0) {
        most_held = h;
        most_at = ncalls;
    }
    if (ncalls != refuse_at)
        return n;
    held_then = h;
    return IMPOSSIBLE;
}

static void *wrap_alloc(size_t n)
{
    void *p = calc_alloc(ask(n));
    if (ncalls == signal_at) {
        held_then = calc_gmp_held();
        raise(SIGINT); /* GMP is inside its computation, the block is its */
    }
    return p;
}

static void *wrap_realloc(void *p, size_t old, size_t n)
{
    return calc_realloc(p, old, ask(n));
}

/* stderr goes to a file while lines run; TAP output stays on stdout. */
static char errtext[4096];

static void capture(void)
{
    if (tu_stderr_begin() != 0)
        bail_out("stderr cannot be captured");
}

/* What the lines wrote on stderr, without the lines a sanitizer adds
 * ("==pid==WARNING: ... failed to allocate"). */
static const char *captured(void)
{
    char raw[sizeof errtext];
    tu_stderr_end(raw, sizeof raw);
    errtext[0] = 0;
    for (char *l = raw, *e; *l; l = e) {
        e = strchr(l, '\n');
        e = e ? e + 1 : l + strlen(l);
        if (strncmp(l, "==", 2) != 0)
            strncat(errtext, l, (size_t)(e - l));
    }
    return errtext;
}

static int run(struct calc *c, const char *line)
{
    return calc_run_line(c, line, strlen(line));
}

int main(void)
{
    vstack st;
    struct calc c;
    /* parisize 1 MiB: the line grows the stack, and the reset after it must
     * shrink it back.  Without mmap the stack has a fixed size: 8 MiB, which
     * the line fits in. */
    const char *fixed = NULL;
    size_t vsize = 0;
    memset(&st, 0, sizeof st);
    if (vstack_init(&st, (size_t)1 << 20, (size_t)256 << 20, 0) != VSTACK_OK)
        bail_out("vstack_init: %s", vstack_last_error(&st));
    vstack_default_get(&st, "parisizemax", &vsize);
    if (vsize == 0) {
        fixed = "the stack has a fixed size in this build (no mmap)";
        vstack_destroy(&st);
        if (vstack_init(&st, (size_t)8 << 20, 0, 0) != VSTACK_OK)
            bail_out("vstack_init: %s", vstack_last_error(&st));
    }
    calc_setup(&c, &st);
    signal(SIGINT, SIG_DFL); /* whatever make was started with */
    calc_sigint_install();
    mp_get_memory_functions(&calc_alloc, &calc_realloc, &calc_free);
    mp_set_memory_functions(wrap_alloc, wrap_realloc, calc_free);

    /* A product of two 100000-limb numbers: GMP's FFT takes its scratch
     * from the heap.  First count its allocations. */
    const char *line = "2^(64*10^5)*(2^(64*10^5)-1)+fibonacci(10^6)*fibonacci(10^6+1);";
    capture();
    int rc = run(&c, line);
    const char *err = captured();
    ok(rc == 0 && err[0] == 0, "the line runs (status %d) %s", rc, err);
    ok(ncalls > 0 && most_held > 0, "GMP asked for heap memory %lu times, holding up to %zu blocks at once",
       ncalls, most_held);
    is_int(calc_gmp_held(), 0, "and gave every block back");

    /* Again, refusing the call at which GMP held the most. */
    refuse_at = most_at;
    ncalls = 0;
    capture();
    rc = run(&c, line);
    err = captured();
    is_int(rc, 1, "refusing allocation %lu fails the line", refuse_at);
    char want[96];
    snprintf(want, sizeof want, "not enough memory: GMP could not allocate %zu bytes.\n", IMPOSSIBLE);
    if (!ok(strstr(err, want) && strchr(err, '\n') == err + strlen(err) - 1, "with one line on stderr"))
        diag("stderr: %s", err);
    ok(held_then >= 1, "GMP held %zu blocks when it was refused", held_then);
    is_int(calc_gmp_held(), 0, "they are freed when the line is abandoned");
    refuse_at = 0;
    capture();
    rc = run(&c, "6*7;");
    err = captured();
    ok(rc == 0 && err[0] == 0, "the next line runs");

    /* SIGINT in the middle of the same computation. */
    signal_at = most_at;
    ncalls = 0;
    held_then = 0;
    struct vstack_stats before, after;
    vstack_get_stats(&st, &before);
    capture();
    rc = run(&c, line);
    err = captured();
    is_int(rc, 1, "SIGINT after allocation %lu stops the line", signal_at);
    if (!ok(strncmp(err, "  ***   user interrupt after ", 29) == 0 &&
                strchr(err, '\n') == err + strlen(err) - 1,
            "with one line on stderr: user interrupt after ..."))
        diag("stderr: %s", err);
    ok(held_then >= 1 && calc_gmp_held() == 0,
       "the %zu blocks GMP held then are freed", held_then);
    vstack_get_stats(&st, &after);
    ok_or_skip(fixed, after.grows > before.grows, "the line had grown the stack past parisize");
    is_int(after.used, 0, "the stack is empty after the interrupted line");
    if (!ok_or_skip(fixed, after.committed <= after.rsize, "and committed no more than parisize"))
        diag("  committed %zu, parisize %zu", after.committed, after.rsize);
    signal_at = 0;
    capture();
    rc = run(&c, "6*7;");
    err = captured();
    ok(rc == 0 && err[0] == 0, "the next line runs");

    /* A refused realloc leaves the old block GMP's, and freed with the rest. */
    sigjmp_buf jb;
    void *volatile p = calc_alloc(100);
    c.jb = &jb;
    capture();
    if (sigsetjmp(jb, 1) == 0)
        p = calc_realloc(p, 100, IMPOSSIBLE);
    err = captured();
    c.jb = NULL;
    ok(strstr(err, "GMP could not allocate") != NULL, "a refused realloc is an error too");
    ok(calc_gmp_held() == 1 && calc_gmp_release() == 1 && calc_gmp_held() == 0,
       "the block it would have replaced stays held until released");
    vstack_destroy(&st);
    return done_testing();
}
