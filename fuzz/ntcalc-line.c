/* SPDX-License-Identifier: MIT */
/* ntcalc-line: libFuzzer harness for ntcalc's line evaluator.  Each input is
 * one line of GP as ntcalc reads it; it is checked and evaluated on a stack
 * of parisize 256 KiB and parisizemax 1 MiB, so that a number beyond eight
 * million bits overflows at once instead of taking seconds, with the output
 * thrown away.  After every line the stack is empty and consistent,
 * whatever the line did: an error, an overflow, a default() that made a new
 * stack.  Sizes that a default() raised are brought back between lines.
 *
 * Primality on numbers of a million bits takes hours, in gp as here, and
 * a fuzzer reports that as a hang: a line that calls isprime or nextprime
 * is run only when it cannot build a large number (no ^, !, *, fibonacci,
 * binomial, and at most 60 digits in all).
 *
 * The line goes through ntcalc's own line runner, calc_run_line. */
#include "config.h"
#include "calc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

static vstack st;
static struct calc c;

static void make_stack(void)
{
    if (vstack_init(&st, 256 * KB, 1 * MB, VSTACK_NOHUGEPAGES) != VSTACK_OK)
        abort();
    calc_setup(&c, &st);
    calc_set_heap(&c, 4 * MB, 1, 0); /* variables persist between inputs: keep them small */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* ntcalc prints results on stdout and errors on stderr: keep the
     * fuzzer's own output (file descriptor 2) readable. */
    FILE *null = fopen("/dev/null", "w");
    if (!null)
        abort();
    stdout = null;
    stderr = null;
    make_stack();
    return 0;
}

static int contains(const uint8_t *data, size_t size, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i + n <= size; i++)
        if (memcmp(data + i, word, n) == 0)
            return 1;
    return 0;
}

/* A primality test on a number that may be large: see above. */
static int too_slow(const uint8_t *data, size_t size)
{
    size_t digits = 0;
    if (!contains(data, size, "prime"))
        return 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '^' || data[i] == '!' || data[i] == '*')
            return 1;
        digits += data[i] >= '0' && data[i] <= '9';
    }
    return digits > 60 || contains(data, size, "fibonacci") || contains(data, size, "binomial");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vstack_stats s;
    size_t v = 0;
    if (too_slow(data, size))
        return 0;
    calc_run_line(&c, (const char *)data, size);
    /* The stack is empty after a line, and consistent: nothing committed
     * yet (a stack that default() made anew), or at least parisize. */
    vstack_get_stats(&st, &s);
    if (s.used != 0 || s.committed > s.reserved || (s.committed && s.committed < s.rsize))
        abort();
    if (st.lim > st.avma || st.avma != vstack_top(&st))
        abort();
    /* Bring back what a default() raised, for the next line's sake. */
    vstack_default_get(&st, "parisizemax", &v);
    if (s.rsize > 256 * KB || v == 0 || v > 1 * MB) {
        calc_finish(&c); /* the variables and their heap go too */
        vstack_destroy(&st);
        make_stack();
    }
    return 0;
}
