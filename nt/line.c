/* line.c -- one line of ntcalc from start to finish: the filter, the syntax
 * check, the evaluation, the recovery point that errors jump back to, and
 * the stack emptied afterwards.  No input, no exit: a fuzzing harness may
 * call calc_run_line on any bytes. */
#include "calc.h"

#include <stdlib.h>
#include <string.h>

void calc_setup(struct calc *c, vstack *st)
{
    memset(c, 0, sizeof *c);
    c->st = st;
    vstack_set_error_handler(st, calc_on_error, c);
    vstack_set_warn_handler(st, calc_on_warning, c);
    vnt_set_error_handler(calc_on_error, c);
    calc_gmp_memory(c);
}

int calc_run_line(struct calc *c, const char *line, size_t len)
{
    const char *why = NULL;
    c->op = NULL;
    const char *nul = memchr(line, 0, len);
    if (nul != NULL) {
        /* Text after a NUL would be dropped unseen by anything that reads
         * C strings: the whole line is refused instead. */
        size_t col = (size_t)(nul - line);
        calc_report(c, "syntax error, unexpected NUL byte at column %zu%s%.*s", col + 1,
                    col ? ": " : "", (int)(col < 400 ? col : 400), line);
        return 1;
    }
    char *text = calc_filter(line, len, &why);
    if (text == NULL) {
        /* The raw line, without its newline. */
        int n = (int)(len < 400 ? len : 400);
        while (n > 0 && line[n - 1] == '\n')
            n--;
        calc_report(c, "syntax error, %s: %.*s", why, n, line);
        return 1;
    }
    sigjmp_buf jb;
    c->jb = &jb;
    c->text = text;
    int rc = sigsetjmp(jb, 1);
    if (rc == 0) {
        c->eval = 0;
        calc_line(c);
        c->eval = 1;
        calc_line(c);
    }
    c->jb = NULL;
    c->text = NULL;
    /* GMP's blocks, if an error left it halfway.  The stack is empty
     * between lines, and back to parisize. */
    calc_gmp_release();
    vstack_pop_all(c->st);
    vstack_reset(c->st);
    free(text);
    return rc == CALC_FAILED;
}
