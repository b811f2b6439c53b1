/* SPDX-License-Identifier: MIT */
/* input.h -- ntcalc's input lines, each of bounded length (input.c). */
#ifndef CALC_INPUT_H
#define CALC_INPUT_H

#include <stdio.h>

/* The line most recently read: len bytes at buf, its newline included when
 * it has one; buf grows to at most max + 1 bytes. */
struct input_line {
    char *buf;
    size_t len, cap;
    size_t max; /* the longest line kept, in bytes, newline not counted */
};

enum input_status {
    INPUT_LINE, /* a line is in buf */
    INPUT_LONG, /* the line is longer than max: nothing was kept; its rest is
                 * still to be read (input_skip_line) */
    INPUT_END,  /* the end of the file, with nothing read */
    INPUT_ERROR /* a read error or no memory for the buffer: errno says */
};

/* Read the next line of f into l. */
enum input_status input_read_line(FILE *f, struct input_line *l);
/* Read and drop the rest of the current line, up to its newline or the end
 * of the file; returns 0, or -1 on a read error (errno says). */
int input_skip_line(FILE *f);
void input_free(struct input_line *l);

#endif
