/* SPDX-License-Identifier: MIT */
/* line.c -- one line of ntcalc from start to finish: the filter, the syntax
 * check, the evaluation, the recovery point that errors jump back to, and
 * the stack emptied afterwards.  No input, no exit: a fuzzing harness may
 * call calc_run_line on any bytes. */
#include "calc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* The lowest address the parser's recursion may use, for lines run on the
 * calling thread; 0 when the C stack has no limit. */
static uintptr_t stack_floor(void)
{
    struct rlimit rl;
    volatile char here = 0;
    uintptr_t at = (uintptr_t)&here;
    if (getrlimit(RLIMIT_STACK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return 0;
    uintmax_t keep = CALC_STACK_SPARE + rl.rlim_cur / 8;
    uintmax_t room = rl.rlim_cur > 2 * keep ? rl.rlim_cur - keep : rl.rlim_cur / 4;
    return room < at ? at - (uintptr_t)room : 0;
}

void calc_setup(struct calc *c, vstack *st)
{
    memset(c, 0, sizeof *c);
    c->st = st;
    c->stack_floor = stack_floor();
    vstack_set_error_handler(st, calc_on_error, c);
    vstack_set_warn_handler(st, calc_on_warning, c);
    vnt_set_error_handler(calc_on_error, c);
    calc_gmp_memory(c);
    calc_set_heap(c, CALC_HEAPSIZEMAX, 0, 0);
}

/* The line as the parser reads it, or NULL after reporting why it cannot
 * be read. */
static char *filtered(struct calc *c, const char *line, size_t len)
{
    const char *why = NULL;
    const char *nul = memchr(line, 0, len);
    if (nul != NULL) {
        /* Text after a NUL would be dropped unseen by anything that reads
         * C strings: the whole line is refused instead. */
        size_t col = (size_t)(nul - line);
        calc_report(c, "syntax error, unexpected NUL byte at column %zu%s%.*s", col + 1,
                    col ? ": " : "", (int)(col < 400 ? col : 400), line);
        return NULL;
    }
    char *text = calc_filter(line, len, &why);
    if (text == NULL) {
        /* The raw line, without its newline. */
        int n = (int)(len < 400 ? len : 400);
        while (n > 0 && line[n - 1] == '\n')
            n--;
        calc_report(c, "syntax error, %s: %.*s", why, n, line);
    }
    return text;
}

/* 1234567 as "1,234,567", the way gp prints times. */
static void group_digits(char *buf, size_t size, unsigned long v)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%lu", v);
    size_t o = 0;
    for (int i = 0; i < n && o + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = 0;
}

/* Check, then evaluate c->text; returns 0 or the code of the early end. */
static int evaluate(struct calc *c)
{
    sigjmp_buf jb;
    c->jb = &jb;
    int rc = sigsetjmp(jb, 1);
    if (rc == 0) {
        calc_sigint_arm(&jb);
        c->eval = 0;
        calc_line(c);
        c->eval = 1;
        calc_line(c);
    }
    calc_sigint_disarm();
    c->jb = NULL;
    if (rc == CALC_INTERRUPTED) {
        char ms[40];
        group_digits(ms, sizeof ms, calc_sigint_elapsed_ms());
        c->op = NULL;
        calc_report(c, "user interrupt after %s ms", ms);
    }
    /* GMP's blocks, if the line was left halfway.  The stack is empty
     * between lines, and back to parisize. */
    calc_gmp_release();
    vstack_pop_all(c->st);
    if (vstack_reset(c->st) != VSTACK_OK) {
        /* The line is done; the stack only stays larger. */
        c->op = NULL;
        calc_warn(c, "%s", vstack_last_error(c->st));
    }
    return rc;
}

int calc_run_line(struct calc *c, const char *line, size_t len)
{
    int rc = CALC_FAILED;
    int out_errno = c->out_errno;
    calc_sigint_enter();
    c->op = NULL;
    char *text = filtered(c, line, len);
    if (text != NULL) {
        c->text = text;
        rc = evaluate(c);
        c->text = NULL;
        free(text);
    }
    calc_sigint_leave();
    return rc == CALC_FAILED || rc == CALC_INTERRUPTED || c->out_errno != out_errno;
}
