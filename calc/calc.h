/* SPDX-License-Identifier: MIT */
/* calc.h -- ntcalc's parts: the line filter, the parser-evaluator, the
 * builtin functions, the variables and their heap, the line runner with its
 * recovery point, GMP's memory functions, SIGINT, and the reporting of
 * errors and warnings. */
#ifndef CALC_H
#define CALC_H

/* sigjmp_buf and sigsetjmp are POSIX: include this header first. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "vstack_nt.h"
#include "heap.h"

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

/* How a line ends early: siglongjmp codes to the line's recovery point. */
#define CALC_FAILED 1      /* an error was reported */
#define CALC_ENDED 2       /* default() changed the stack: the rest of the line is dropped */
#define CALC_INTERRUPTED 3 /* SIGINT: reported at the recovery point */

/* The deepest nesting of parentheses, function calls, prefix signs and !,
 * powers and assignments that a line may have: each level takes about half
 * a KB of C stack in the parser (more with sanitizers), so 1000 levels stay
 * far below the usual 8 MB. */
#define CALC_MAXDEPTH 1000
/* Under a small C stack (ulimit -s) the parser stops earlier: at the soft
 * limit's address below calc_setup's frame, less this room for what the
 * deepest level calls (GMP takes up to 64 KiB of temporaries on the stack)
 * and an eighth of the limit for what lies above that frame (the
 * environment, main's frames). */
#define CALC_STACK_SPARE ((size_t)128 << 10)

enum calc_type { CALC_VOID, CALC_INT, CALC_STR, CALC_VEC };

/* Two words, so that it is passed and returned in registers: the parser's
 * recursion stays cheap in C stack. */
struct calc_value {
    enum calc_type type;
    unsigned len;          /* CALC_STR: bytes (longer is an error); CALC_VEC: elements */
    union {
        vnt_int i;         /* CALC_INT, when evaluating */
        const char *s;     /* CALC_STR: the text between the quotes */
        vnt_int *elts;     /* CALC_VEC: integers, on the stack */
    };
};

/* The variables: variable i's value is the heap's root i; names are found
 * through a hash table of chains. */
struct calc_var {
    char *name;
    size_t len;
    size_t next;           /* the next variable in the chain, or SIZE_MAX */
};

struct calc_vars {
    struct heap heap;
    struct calc_var *v;
    size_t n, cap;
    size_t *bucket;        /* the first variable of each chain, or SIZE_MAX */
    size_t nbucket;
    int verbose;           /* -v: heap growth, shrinking and collections */
    int explicit_max;      /* heapsizemax was asked for: say if it is lowered */
};

struct calc {
    vstack *st;
    sigjmp_buf *jb;    /* the current line's recovery point; NULL between lines */
    const char *text;  /* the filtered line: no blanks, no comments */
    size_t pos;        /* parse position in text */
    int eval;          /* 0: check the syntax only; 1: evaluate */
    unsigned depth;    /* nesting level at pos, at most CALC_MAXDEPTH */
    uintptr_t stack_floor; /* nesting stops before the C stack goes below it (0: none) */
    const char *op;    /* the operation being evaluated, named as GP does */
    int out_errno;     /* why a result could not be written to stdout; 0: none yet */
    struct calc_vars vars;
};

/* The heap's default maximum (--heapsizemax): a reservation costs nothing
 * until a variable is set, and nothing is reserved before that.  16 GiB,
 * or a quarter of the address space where that is less (32 bits). */
#define CALC_HEAPSIZEMAX \
    (SIZE_MAX / 4 < ((uint64_t)16 << 30) ? SIZE_MAX / 4 : (size_t)((uint64_t)16 << 30))
/* What the heap commits at least, once it exists. */
#define CALC_HEAPSIZE ((size_t)64 << 10)

/* Make c a calculator on the initialised stack st: its error and warning
 * handlers, vstack_nt's error handler and GMP's memory functions all report
 * through c.  Process-wide: one calculator at a time.  Its variables have
 * a heap of up to CALC_HEAPSIZEMAX bytes. */
void calc_setup(struct calc *c, vstack *st);
/* Before the first line: a heap of up to heapsizemax bytes instead
 * (explicit: given by the user, so a reservation smaller than asked is
 * reported), and -v messages for it. */
void calc_set_heap(struct calc *c, size_t heapsizemax, int explicit_max, int verbose);
/* Forget the variables and give the heap back. */
void calc_finish(struct calc *c);
/* Run one line of len bytes (it need not end in a newline or a NUL; a NUL
 * inside is an error): check its syntax, evaluate it, print its value on
 * stdout and its errors on stderr.  The stack is empty afterwards.  Returns
 * 0 when the line succeeded, 1 when it failed or was interrupted, or its
 * value could not be written (then c->out_errno says why, if it was not
 * set already).  Reads no input and never exits. */
int calc_run_line(struct calc *c, const char *line, size_t len);

/* ---- the C stack (cstack.c) ----------------------------------------------- */
/* The least soft RLIMIT_STACK (ulimit -s) with which ntcalc runs ordinary
 * lines, with a margin: t/ntcalc-small-c-stack.t and ntcalc(1) say how it
 * was measured. */
#define CALC_CSTACK_FLOOR ((size_t)256 << 10)
/* At start-up: when the soft RLIMIT_STACK is below CALC_CSTACK_FLOOR, raise
 * it to the floor if the hard limit allows (the main thread's stack grows
 * up to the limit in force when it grows); else say so on stderr.  Returns
 * -1 to go on, or the exit status (2). */
int calc_cstack_check(void);

/* The ranges gp gives the stack's sizes: parisize from CALC_PARISIZE_MIN,
 * parisizemax 0 (a fixed stack) or more; both up to CALC_SIZE_MAX. */
#define CALC_PARISIZE_MIN ((size_t)10000)
#define CALC_SIZE_MAX (SIZE_MAX / 2)
/* 0 when v is in the range of default name ("parisize" or "parisizemax");
 * else -1, with a phrase in why ("0 is not in [10000, ...]"). */
int calc_size_range(const char *name, size_t v, char *why, size_t whysize);

/* ---- SIGINT (interrupt.c) ----------------------------------------------- */
/* Install the SIGINT handler, unless SIGINT is ignored (as it is for the
 * background jobs of a non-interactive shell): while a line is evaluated,
 * SIGINT ends it with CALC_INTERRUPTED at its recovery point (see
 * interrupt.c for the line's set-up and clean-up); while no line runs it
 * ends the process, as an unhandled SIGINT would.  calc_run_line works the
 * same without it. */
void calc_sigint_install(void);
/* calc_run_line's steps: the line starts (enter), its recovery point jb is
 * set and evaluation starts (arm), evaluation is over (disarm), the line is
 * done (leave). */
void calc_sigint_enter(void);
void calc_sigint_arm(sigjmp_buf *jb);
void calc_sigint_disarm(void);
void calc_sigint_leave(void);
/* Milliseconds since the evaluation started. */
unsigned long calc_sigint_elapsed_ms(void);
/* Hold SIGINT off across code that must not be left halfway (malloc, stdio,
 * a new stack); a SIGINT meanwhile jumps at the matching calc_release. */
void calc_hold(void);
void calc_release(void);

/* ---- GMP's memory (gmpmem.c) ---------------------------------------- */
/* Route GMP's allocations through malloc with a list of the blocks GMP
 * holds; a refusal becomes an error of c's current line instead of GMP's
 * abort.  Process-wide, as GMP's memory functions are. */
void calc_gmp_memory(struct calc *c);
/* Free the blocks GMP still holds: those of computations abandoned by a
 * longjmp.  ntcalc keeps no GMP object across lines, so between lines every
 * block is such a leftover.  Returns how many there were. */
size_t calc_gmp_release(void);
/* How many blocks GMP holds now. */
size_t calc_gmp_held(void);

/* GP's input filter: drop blanks and comments outside strings.  Returns a
 * malloc'd NUL-terminated string, or NULL with *why set for an unterminated
 * string or comment.  line holds len bytes, none of them NUL. */
char *calc_filter(const char *line, size_t len, const char **why);

/* Check (c->eval == 0) or evaluate c->text as statements separated by ';',
 * printing the value of the last one unless the line ends with ';'. */
void calc_line(struct calc *c);

/* Call builtin name(args) (nargs of them); in check mode only the name and
 * the number of arguments are checked. */
struct calc_value calc_call(struct calc *c, const char *name, size_t nlen,
                            struct calc_value *args, int nargs);
/* Non-zero when name is a builtin function's. */
int calc_is_builtin(const char *name, size_t nlen);

/* ---- variables (vars.c) ---------------------------------------------- */
/* A copy on the stack of variable name's value; an unset name fails the
 * line. */
vnt_int calc_var_get(struct calc *c, const char *name, size_t nlen);
/* Copy x into the heap as name's value, with SIGINT held off.  When it
 * cannot be stored (past heapsizemax, no memory), the line fails and the
 * variable keeps its old value. */
void calc_var_set(struct calc *c, const char *name, size_t nlen, vnt_int x);
/* Live values in the heap, and the words they take (getheap). */
void calc_heap_usage(const struct calc *c, size_t *objects, size_t *words);

/* Values: an integer, and the integer a value must be (else an error);
 * the same as a long or an unsigned long (else an overflow error). */
static inline struct calc_value calc_int(vnt_int x)
{
    struct calc_value v = {.type = CALC_INT, .i = x};
    return v;
}
vnt_int calc_need_int(struct calc *c, struct calc_value v);
long calc_need_long(struct calc *c, struct calc_value v);
unsigned long calc_need_ulong(struct calc *c, struct calc_value v);

/* Report an error on stderr and leave the line (never returns). */
#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 2, 3)))
#endif
void calc_fail(struct calc *c, const char *fmt, ...);
/* Print a "  ***   ..." error line on stderr, and return. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void calc_report(struct calc *c, const char *fmt, ...);
/* Print a "  ***   Warning: ..." line on stderr. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void calc_warn(struct calc *c, const char *fmt, ...);
/* The vstack and vstack_nt handlers; ctx is the struct calc. */
void calc_on_error(vstack *st, int err, const char *msg, void *ctx);
void calc_on_warning(vstack *st, int err, const char *msg, void *ctx);
/* Bytes as Mbytes, the way gp prints stack sizes. */
double calc_mbytes(size_t nbytes);

#endif
