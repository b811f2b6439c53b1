/* SPDX-License-Identifier: MIT */
/* input.c -- ntcalc's input lines, each of bounded length: a line longer
 * than the bound is not stored, so that no input (/dev/zero, a line of
 * gigabytes) makes ntcalc grow without end.  The caller reports such a line
 * as soon as the bound is passed, then drops its rest unread into memory. */
#include "input.h"

#include <errno.h>
#include <stdlib.h>

/* Room for len + 1 bytes, doubling, within max + 1 (the newline). */
static int make_room(struct input_line *l)
{
    if (l->len < l->cap)
        return 0;
    size_t limit = l->max + 1;
    size_t cap = l->cap ? l->cap * 2 : 256;
    if (cap > limit || cap < l->cap)
        cap = limit;
    char *p = realloc(l->buf, cap);
    if (p == NULL) {
        errno = ENOMEM;
        return -1;
    }
    l->buf = p;
    l->cap = cap;
    return 0;
}

enum input_status input_read_line(FILE *f, struct input_line *l)
{
    l->len = 0;
    for (;;) {
        int ch = getc(f);
        if (ch == EOF) {
            if (ferror(f))
                return INPUT_ERROR;
            return l->len ? INPUT_LINE : INPUT_END;
        }
        if (ch != '\n' && l->len == l->max)
            return INPUT_LONG;
        if (make_room(l) != 0)
            return INPUT_ERROR;
        l->buf[l->len++] = (char)ch;
        if (ch == '\n')
            return INPUT_LINE;
    }
}

int input_skip_line(FILE *f)
{
    int ch;
    while ((ch = getc(f)) != EOF)
        if (ch == '\n')
            return 0;
    return ferror(f) ? -1 : 0;
}

void input_free(struct input_line *l)
{
    free(l->buf);
    l->buf = NULL;
    l->len = l->cap = 0;
}
