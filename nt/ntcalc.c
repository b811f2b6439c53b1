/* ntcalc.c -- a calculator for a subset of GP on a vstack: options, the
 * stack's set-up, and the input: -e expressions, then FILEs.  Each line is
 * run by calc_run_line (line.c). */
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
    fputs("usage: ntcalc [-v] [--echo] [--parisize=SIZE] [--parisizemax=SIZE]\n"
          "              [--heapsizemax=SIZE] [-e EXPR]... [FILE]...\n"
          "Evaluate lines of GP (integers: + - * / \\ % ^ !, == != < <= > >= && || !,\n"
          "variables, fibonacci, binomial, gcd, isprime, nextprime, sqrtint, getstack,\n"
          "getheap, default) from each EXPR, then from each FILE ('-' is standard\n"
          "input); from standard input if there are neither.\n"
          "  -v                  report the stack's and the heap's growth and shrinking,\n"
          "                      and the heap's collections, on stderr\n"
          "  --echo              print each line, after '? ', before running it\n"
          "  --parisize=SIZE     initial stack size (default 8000000; NTCALC_PARISIZE)\n"
          "  --parisizemax=SIZE  maximum stack size, 0 for a fixed stack (default 0;\n"
          "                      NTCALC_PARISIZEMAX)\n"
          "  --heapsizemax=SIZE  maximum size of the heap that holds the variables'\n"
          "                      values (default 16G; NTCALC_HEAPSIZEMAX)\n"
          "SIZE is a number with an optional k, M, G, T (powers of 10) or KiB, MiB,\n"
          "GiB, TiB (powers of 1024) suffix.  SIGINT stops the line that runs.\n"
          "Exit status: 0, 1 if a line failed or was interrupted or a FILE could not\n"
          "be read, 2 for a usage or start-up error (a FILE that cannot be opened:\n"
          "no line runs).\n",
          f);
}

/* Run one line, after printing it for --echo; returns 0 when it succeeded. */
static int run_line(struct calc *c, const char *line, size_t len)
{
    if (echo) {
        printf("? %.*s%s", (int)len, line, len && line[len - 1] == '\n' ? "" : "\n");
        fflush(stdout);
    }
    return calc_run_line(c, line, len);
}

/* Run the lines of f, named name in messages; returns 0 when every line
 * succeeded and the whole file could be read. */
static int run_stream(struct calc *c, FILE *f, const char *name)
{
    char *line = NULL;
    size_t cap = 0;
    int failed = 0, err;
    for (;;) {
        errno = 0;
        ssize_t n = getline(&line, &cap, f);
        err = errno;
        if (n < 0)
            break;
        failed |= run_line(c, line, (size_t)n);
    }
    free(line);
    /* getline's -1 is the end of the file, or an error: a directory, an
     * I/O error, no memory for a long line (which may leave ferror clear). */
    if (ferror(f) || (!feof(f) && err != 0)) {
        fprintf(stderr, "ntcalc: %s: %s\n", name, strerror(err ? err : EIO));
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
    size_t rsize, vsize, heapmax;
    int heapmax_given;  /* by the user: a lowered reservation is reported */
    int verbose;
    const char **exprs; /* the -e expressions, in order */
    int nexpr;
    int first_file;     /* argv index of the first FILE */
};

/* A size setting: an option (--name=SIZE or --name SIZE) and an environment
 * variable, which the option overrides. */
struct size_setting {
    const char *option, *env;
    size_t *value;
    int *given; /* set when the user gives the size, or NULL */
};

/* Set s from val, named what in the message; returns -1 for a bad size. */
static int set_size(const struct size_setting *s, const char *what, const char *val)
{
    if (size_option(what, val, s->value))
        return -1;
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

/* Read the environment and argv into o in one pass.  Returns -1 to go on,
 * or the exit status. */
static int parse_options(int argc, char **argv, struct options *o)
{
    const struct size_setting sizes[] = {
        {"--parisize", "NTCALC_PARISIZE", &o->rsize, NULL},
        {"--parisizemax", "NTCALC_PARISIZEMAX", &o->vsize, NULL},
        {"--heapsizemax", "NTCALC_HEAPSIZEMAX", &o->heapmax, &o->heapmax_given},
    };
    const size_t nsizes = sizeof sizes / sizeof sizes[0];
    const struct size_setting *s;
    int i;
    o->rsize = NTCALC_PARISIZE;
    o->heapmax = CALC_HEAPSIZEMAX;
    for (size_t k = 0; k < nsizes; k++) {
        const char *env = getenv(sizes[k].env);
        if (env && *env && set_size(&sizes[k], sizes[k].env, env))
            return 2;
    }
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
            o->verbose = 1;
        } else if (strcmp(a, "--echo") == 0) {
            echo = 1;
        } else if (strcmp(a, "-q") == 0) {
            /* gp's quiet flag: ntcalc is always quiet. */
        } else if (strcmp(a, "-e") == 0) {
            if (++i == argc) {
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
    o->first_file = i;
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

/* Everything after the options: the -e expressions, then the n FILEs, open
 * in files[] (standard input when there are neither).  Returns the exit
 * status. */
static int run(const struct options *o, int n, char **names, FILE **files)
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
    for (i = 0; i < o->nexpr; i++)
        failed |= run_line(&c, o->exprs[i], strlen(o->exprs[i]));
    if (o->nexpr == 0 && n == 0)
        failed = run_stream(&c, stdin, "standard input");
    for (i = 0; i < n; i++)
        failed |= run_stream(&c, files[i], file_name(names[i]));
    calc_finish(&c);
    vstack_destroy(&st);
    return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    struct options o;
    memset(&o, 0, sizeof o);
    /* argc bounds the number of -e expressions and of FILEs. */
    o.exprs = malloc((size_t)argc * sizeof *o.exprs);
    FILE **files = calloc((size_t)argc, sizeof *files);
    int status = 2, nfiles = 0;
    if (o.exprs == NULL || files == NULL)
        fprintf(stderr, "ntcalc: %s\n", strerror(errno));
    else
        status = parse_options(argc, argv, &o);
    if (status < 0) {
        nfiles = argc - o.first_file;
        status = open_files(nfiles, argv + o.first_file, files);
    }
    if (status < 0)
        status = run(&o, nfiles, argv + o.first_file, files);
    for (int i = 0; i < nfiles; i++)
        if (files[i] != NULL && files[i] != stdin)
            fclose(files[i]);
    free(files);
    free(o.exprs);
    return status;
}
