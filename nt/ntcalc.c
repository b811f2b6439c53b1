/* ntcalc.c -- a calculator for a subset of GP on a vstack: options, the
 * stack's set-up, and the line loop with its recovery point. */
#define _POSIX_C_SOURCE 200809L
#include "config.h"
#include "calc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTCALC_PARISIZE ((size_t)8000000) /* gp's default */

static int echo; /* --echo: print each line before its result, like gp's echo */

static void usage(FILE *f)
{
    fputs("usage: ntcalc [-v] [--echo] [--parisize=SIZE] [--parisizemax=SIZE] [-e EXPR]... [FILE]...\n"
          "Evaluate lines of GP (integers: + - * / \\ % ^ !, fibonacci, binomial, gcd,\n"
          "isprime, nextprime, sqrtint, getstack, default) from each EXPR, then from\n"
          "each FILE ('-' is standard input); from standard input if there are neither.\n"
          "  -v                  report stack growth and shrinking on stderr\n"
          "  --echo              print each line, after '? ', before running it\n"
          "  --parisize=SIZE     initial stack size (default 8000000; NTCALC_PARISIZE)\n"
          "  --parisizemax=SIZE  maximum stack size, 0 for a fixed stack (default 0;\n"
          "                      NTCALC_PARISIZEMAX)\n"
          "SIZE is a number with an optional k, M, G, T (powers of 10) or KiB, MiB,\n"
          "GiB, TiB (powers of 1024) suffix.  Exit status: 0, 1 if a line failed,\n"
          "2 for a usage or start-up error.\n",
          f);
}

/* Run one line; returns 0 when it succeeded. */
static int run_line(struct calc *c, const char *line)
{
    const char *why = NULL;
    if (echo) {
        size_t n = strlen(line);
        printf("? %s%s", line, n && line[n - 1] == '\n' ? "" : "\n");
        fflush(stdout);
    }
    char *text = calc_filter(line, &why);
    if (text == NULL) {
        fflush(stdout);
        fprintf(stderr, "  ***   syntax error, %s: %s", why, line);
        if (line[0] && line[strlen(line) - 1] != '\n')
            fputc('\n', stderr);
        return 1;
    }
    jmp_buf jb;
    c->jb = &jb;
    c->text = text;
    int rc = setjmp(jb);
    if (rc == 0) {
        c->eval = 0;
        calc_line(c);
        c->eval = 1;
        calc_line(c);
    }
    c->jb = NULL;
    /* The stack is empty between lines.  Its top is recomputed rather than
     * remembered, since default() may have made a new stack. */
    struct vstack_stats s;
    vstack_get_stats(c->st, &s);
    vstack_set_avma(c->st, vstack_avma(c->st) + s.used);
    vstack_reset(c->st);
    free(text);
    return rc == CALC_FAILED;
}

static int run_stream(struct calc *c, FILE *f)
{
    char *line = NULL;
    size_t cap = 0;
    int failed = 0;
    while (getline(&line, &cap, f) >= 0)
        failed |= run_line(c, line);
    free(line);
    return failed;
}

static int size_option(const char *what, const char *s, size_t *out)
{
    if (vstack_parse_size(s, out) != VSTACK_OK) {
        fprintf(stderr, "ntcalc: bad size for %s: '%s'\n", what, s);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    size_t rsize = NTCALC_PARISIZE, vsize = 0;
    int verbose = 0, nexpr = 0, i;
    const char *env;
    if ((env = getenv("NTCALC_PARISIZE")) && *env && size_option("NTCALC_PARISIZE", env, &rsize))
        return 2;
    if ((env = getenv("NTCALC_PARISIZEMAX")) && *env &&
        size_option("NTCALC_PARISIZEMAX", env, &vsize))
        return 2;
    /* Options first; -e expressions are gathered in argv order. */
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == 0)
            break;
        if (strcmp(a, "-v") == 0) {
            verbose = 1;
        } else if (strcmp(a, "--echo") == 0) {
            echo = 1;
        } else if (strcmp(a, "-q") == 0) {
            /* gp's quiet flag: ntcalc is always quiet. */
        } else if (strcmp(a, "-e") == 0) {
            if (++i == argc) {
                usage(stderr);
                return 2;
            }
            nexpr++;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("ntcalc (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
            return 0;
        } else if (strncmp(a, "--parisize", 10) == 0 &&
                   (a[10] == '=' || (a[10] == 0 && i + 1 < argc))) {
            val = a[10] == '=' ? a + 11 : argv[++i];
            if (size_option("--parisize", val, &rsize))
                return 2;
        } else if (strncmp(a, "--parisizemax", 13) == 0 &&
                   (a[13] == '=' || (a[13] == 0 && i + 1 < argc))) {
            val = a[13] == '=' ? a + 14 : argv[++i];
            if (size_option("--parisizemax", val, &vsize))
                return 2;
        } else {
            fprintf(stderr, "ntcalc: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    int first_file = i;

    vstack st;
    struct calc c;
    memset(&c, 0, sizeof c);
    c.st = &st;
    memset(&st, 0, sizeof st);
    vstack_set_default_handlers(calc_on_error, calc_on_warning, &c);
    int rc = vstack_init(&st, rsize, vsize, 0);
    if (rc != VSTACK_OK) {
        fprintf(stderr, "ntcalc: cannot make a stack of parisize %zu, parisizemax %zu: %s\n",
                rsize, vsize, vstack_strerror(rc));
        return 2;
    }
    vstack_set_error_handler(&st, calc_on_error, &c);
    vstack_set_warn_handler(&st, calc_on_warning, &c);
    vnt_set_error_handler(calc_on_error, &c);
    vstack_set_verbose(&st, verbose);

    int failed = 0;
    if (nexpr) {
        for (int j = 1; j < first_file; j++)
            if (strcmp(argv[j], "-e") == 0)
                failed |= run_line(&c, argv[++j]);
            else if (strcmp(argv[j], "--parisize") == 0 || strcmp(argv[j], "--parisizemax") == 0)
                j++;
    } else if (first_file == argc) {
        failed = run_stream(&c, stdin);
    }
    for (i = first_file; i < argc; i++) {
        FILE *f = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "r");
        if (f == NULL) {
            fprintf(stderr, "ntcalc: %s: %s\n", argv[i], strerror(errno));
            failed = 1;
            continue;
        }
        failed |= run_stream(&c, f);
        if (f != stdin)
            fclose(f);
    }
    vstack_destroy(&st);
    return failed ? 1 : 0;
}
