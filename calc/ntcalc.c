/* SPDX-License-Identifier: MIT */
/* ntcalc.c -- a calculator for a subset of GP on a vstack: options, the
 * C stack's limit, the stack's set-up, and the input: -e expressions, then
 * FILEs, each line bounded (input.c).  Each line is run by calc_run_line
 * (line.c); a result that cannot be written ends the session. */
#define _POSIX_C_SOURCE 200809L
#include "config.h"
#include "calc.h"
#include "input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTCALC_PARISIZE ((size_t)8000000) /* gp's default */
#define NTCALC_LINEMAX ((size_t)1 << 20)  /* the longest input line, newline not counted */

static int echo; /* --echo: print each line before its result, like gp's echo */
static int stdout_reported; /* the failure of standard output was reported */

static void usage(FILE *f)
{
    fputs("usage: ntcalc [-v] [--echo] [--parisize=SIZE] [--parisizemax=SIZE]\n"
          "              [--heapsizemax=SIZE] [--linemax=SIZE] [-e EXPR]... [FILE]...\n"
          "Evaluate lines of GP (integers: + - * / \\ % ^ !, == != < <= > >= && || !,\n"
          "variables, fibonacci, binomial, gcd, isprime, nextprime, sqrtint, getstack,\n"
          "getheap, default) from each EXPR, then from each FILE ('-' is standard\n"
          "input); from standard input if there are neither.  Options may follow\n"
          "FILEs; after '--' every argument is a FILE.\n"
          "  -v                  report the stack's and the heap's growth and shrinking,\n"
          "                      and the heap's collections, on stderr\n"
          "  --echo              print each line, after '? ', before running it\n"
          "  --parisize=SIZE     initial stack size, 10000 at least (default 8000000;\n"
          "                      NTCALC_PARISIZE)\n"
          "  --parisizemax=SIZE  maximum stack size, 0 for a fixed stack (default 0;\n"
          "                      NTCALC_PARISIZEMAX)\n"
          "  --heapsizemax=SIZE  maximum size of the heap that holds the variables'\n"
          "                      values (default 16G; NTCALC_HEAPSIZEMAX)\n"
          "  --linemax=SIZE      the longest input line, in bytes (default 1MiB;\n"
          "                      NTCALC_LINEMAX): a longer line is an error, dropped\n"
          "SIZE is a number with an optional k, M, G, T (powers of 10) or KiB, MiB,\n"
          "GiB, TiB (powers of 1024) suffix.  SIGINT stops the line that runs.\n"
          "Exit status: 0, 1 if a line failed or was interrupted, a FILE could not\n"
          "be read or a result could not be written, 2 for a usage or start-up error\n"
          "(a FILE that cannot be opened: no line runs).\n",
          f);
}

/* Why the session stops early: standard output failed (c->out_errno). */
static int output_gone(const struct calc *c)
{
    return c->out_errno != 0;
}

/* Run one line, after printing it for --echo; returns 0 when it succeeded. */
static int run_line(struct calc *c, const char *line, size_t len)
{
    if (echo) {
        /* fwrite: a line may be longer than printf's int precision. */
        errno = 0;
        fputs("? ", stdout);
        fwrite(line, 1, len, stdout);
        if (len == 0 || line[len - 1] != '\n')
            putchar('\n');
        if (fflush(stdout) != 0 || ferror(stdout)) {
            c->out_errno = errno ? errno : EIO;
            return 1;
        }
    }
    return calc_run_line(c, line, len);
}

/* An input line longer than max bytes: an error of its own, reported
 * before its rest is read. */
static void too_long(struct calc *c, size_t max)
{
    c->op = NULL;
    calc_report(c, "input line too long: more than %zu bytes [hint] raise --linemax", max);
}

/* Run the lines of f, named name in messages, each of at most max bytes;
 * returns 0 when every line succeeded and the whole file could be read. */
static int run_stream(struct calc *c, FILE *f, const char *name, size_t max)
{
    struct input_line l = {.max = max};
    int failed = 0, err = 0;
    enum input_status s;
    while (!output_gone(c)) {
        errno = 0;
        s = input_read_line(f, &l);
        if (s == INPUT_LINE) {
            failed |= run_line(c, l.buf, l.len);
            continue;
        }
        if (s == INPUT_LONG) {
            too_long(c, max);
            failed = 1;
            errno = 0;
            if (input_skip_line(f) == 0)
                continue;
            s = INPUT_ERROR;
        }
        if (s == INPUT_ERROR)
            err = errno ? errno : EIO;
        break;
    }
    input_free(&l);
    /* A directory, an I/O error, no memory for a line's buffer. */
    if (err != 0) {
        fprintf(stderr, "ntcalc: %s: %s\n", name, strerror(err));
        failed = 1;
    }
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

struct options {
    size_t rsize, vsize, heapmax, linemax;
    int heapmax_given;  /* by the user: a lowered reservation is reported */
    int verbose;
    const char **exprs; /* the -e expressions, in order */
    int nexpr;
    char **files;       /* the FILEs, in order */
    int nfiles;
};

/* A size setting: an option (--name=SIZE or --name SIZE) and an environment
 * variable, which the option overrides.  default names the gp default whose
 * range it must be in (calc_size_range), or is NULL. */
struct size_setting {
    const char *option, *env, *deflt;
    size_t *value;
    int *given; /* set when the user gives the size, or NULL */
};

/* Set s from val, named what in the message; returns -1 for a bad size. */
static int set_size(const struct size_setting *s, const char *what, const char *val)
{
    char why[160];
    if (size_option(what, val, s->value))
        return -1;
    if (s->deflt && calc_size_range(s->deflt, *s->value, why, sizeof why) != 0) {
        fprintf(stderr, "ntcalc: bad size for %s: %s\n", what, why);
        return -1;
    }
    if (s->given)
        *s->given = 1;
    return 0;
}

/* The setting of the n in sizes[] that argv[*i] names, with its value in
 * *val (*i moves on when the value is the next argument); NULL for none. */
static const struct size_setting *size_argument(const struct size_setting *sizes, size_t n,
                                                int argc, char **argv, int *i, const char **val)
{
    const char *a = argv[*i];
    for (size_t k = 0; k < n; k++) {
        size_t len = strlen(sizes[k].option);
        if (strncmp(a, sizes[k].option, len) != 0)
            continue;
        if (a[len] == '=') {
            *val = a + len + 1;
            return &sizes[k];
        }
        if (a[len] == 0 && *i + 1 < argc) {
            *val = argv[++*i];
            return &sizes[k];
        }
    }
    return NULL;
}

/* Read the environment and argv into o in one pass.  Options may come
 * before and after the FILEs; "--" makes every later argument a FILE.
 * Returns -1 to go on, or the exit status. */
static int parse_options(int argc, char **argv, struct options *o)
{
    const struct size_setting sizes[] = {
        {"--parisize", "NTCALC_PARISIZE", "parisize", &o->rsize, NULL},
        {"--parisizemax", "NTCALC_PARISIZEMAX", "parisizemax", &o->vsize, NULL},
        {"--heapsizemax", "NTCALC_HEAPSIZEMAX", NULL, &o->heapmax, &o->heapmax_given},
        {"--linemax", "NTCALC_LINEMAX", NULL, &o->linemax, NULL},
    };
    const size_t nsizes = sizeof sizes / sizeof sizes[0];
    const struct size_setting *s;
    int i, options = 1;
    o->rsize = NTCALC_PARISIZE;
    o->heapmax = CALC_HEAPSIZEMAX;
    o->linemax = NTCALC_LINEMAX;
    for (size_t k = 0; k < nsizes; k++) {
        const char *env = getenv(sizes[k].env);
        if (env && *env && set_size(&sizes[k], sizes[k].env, env))
            return 2;
    }
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (!options || a[0] != '-' || a[1] == 0) {
            o->files[o->nfiles++] = argv[i];
        } else if (strcmp(a, "--") == 0) {
            options = 0;
        } else if (strcmp(a, "-v") == 0) {
            o->verbose = 1;
        } else if (strcmp(a, "--echo") == 0) {
            echo = 1;
        } else if (strcmp(a, "-q") == 0) {
            /* gp's quiet flag: ntcalc is always quiet. */
        } else if (strcmp(a, "-e") == 0) {
            if (++i == argc) {
                fprintf(stderr, "ntcalc: -e needs an expression\n");
                usage(stderr);
                return 2;
            }
            o->exprs[o->nexpr++] = argv[i];
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("ntcalc (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
            return 0;
        } else if ((s = size_argument(sizes, nsizes, argc, argv, &i, &val)) != NULL) {
            if (set_size(s, s->option, val))
                return 2;
        } else {
            fprintf(stderr, "ntcalc: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    return -1;
}

static const char *file_name(const char *arg)
{
    return strcmp(arg, "-") == 0 ? "standard input" : arg;
}

/* Open the n FILEs into files[] before any line runs: one that cannot be
 * opened is a start-up error.  Returns -1 to go on, or the exit status. */
static int open_files(int n, char **names, FILE **files)
{
    for (int i = 0; i < n; i++) {
        files[i] = strcmp(names[i], "-") == 0 ? stdin : fopen(names[i], "r");
        if (files[i] == NULL) {
            fprintf(stderr, "ntcalc: %s: %s\n", names[i], strerror(errno));
            return 2;
        }
    }
    return -1;
}

/* Everything after the options: the -e expressions, then the FILEs, open
 * in files[] (standard input when there are neither), until standard
 * output fails.  Returns the exit status. */
static int run(const struct options *o, FILE **files)
{
    vstack st;
    struct calc c;
    memset(&c, 0, sizeof c);
    memset(&st, 0, sizeof st);
    /* Warnings of vstack_init (a lowered parisizemax) come through c. */
    vstack_set_default_handlers(calc_on_error, calc_on_warning, &c);
    int rc = vstack_init(&st, o->rsize, o->vsize, 0);
    if (rc != VSTACK_OK) {
        const char *why = vstack_last_error(&st);
        fprintf(stderr, "ntcalc: cannot make a stack of parisize %zu, parisizemax %zu: %s\n",
                o->rsize, o->vsize, *why ? why : vstack_strerror(rc));
        return 2;
    }
    calc_setup(&c, &st);
    calc_set_heap(&c, o->heapmax, o->heapmax_given, o->verbose);
    calc_sigint_install();
    vstack_set_verbose(&st, o->verbose);

    int failed = 0, i;
    for (i = 0; i < o->nexpr && !output_gone(&c); i++) {
        size_t len = strlen(o->exprs[i]);
        if (len > o->linemax) {
            too_long(&c, o->linemax);
            failed = 1;
        } else {
            failed |= run_line(&c, o->exprs[i], len);
        }
    }
    if (o->nexpr == 0 && o->nfiles == 0)
        failed |= run_stream(&c, stdin, "standard input", o->linemax);
    for (i = 0; i < o->nfiles && !output_gone(&c); i++)
        failed |= run_stream(&c, files[i], file_name(o->files[i]), o->linemax);
    if (output_gone(&c)) {
        /* Like the coreutils: one line, and no more input is read. */
        fprintf(stderr, "ntcalc: cannot write to standard output: %s\n", strerror(c.out_errno));
        stdout_reported = 1;
        failed = 1;
    }
    calc_finish(&c);
    vstack_destroy(&st);
    return failed ? 1 : 0;
}

/* Standard output's last word: what is still buffered, and the close. */
static int close_stdout(int status)
{
    int bad = fflush(stdout) != 0 || ferror(stdout);
    int err = errno;
    bad |= fclose(stdout) != 0;
    if (bad && !stdout_reported) {
        fprintf(stderr, "ntcalc: cannot write to standard output: %s\n",
                strerror(err ? err : errno ? errno : EIO));
        return status ? status : 1;
    }
    return status;
}

int main(int argc, char **argv)
{
    struct options o;
    memset(&o, 0, sizeof o);
    int status = calc_cstack_check();
    if (status >= 0)
        return status;
    /* argc bounds the number of -e expressions and of FILEs. */
    o.exprs = malloc((size_t)argc * sizeof *o.exprs);
    o.files = malloc((size_t)argc * sizeof *o.files);
    FILE **files = calloc((size_t)argc, sizeof *files);
    if (o.exprs == NULL || o.files == NULL || files == NULL) {
        fprintf(stderr, "ntcalc: %s\n", strerror(errno));
        status = 2;
    } else {
        status = parse_options(argc, argv, &o);
    }
    if (status < 0)
        status = open_files(o.nfiles, o.files, files);
    if (status < 0)
        status = run(&o, files);
    for (int i = 0; i < o.nfiles; i++)
        if (files[i] != NULL && files[i] != stdin)
            fclose(files[i]);
    free(files);
    free(o.files);
    free(o.exprs);
    errno = 0;
    return close_stdout(status);
}
