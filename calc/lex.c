/* SPDX-License-Identifier: MIT */
/* lex.c -- GP's input filter: blanks and comments go before parsing, so that
 * "1 2" reads as 12 and "- -3" as "--3", exactly as gp reads them. */
#include "calc.h"

#include <stdlib.h>

char *calc_filter(const char *line, size_t n, const char **why)
{
    char *out = malloc(n + 1);
    if (out == NULL) {
        *why = "out of memory";
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        char ch = line[i];
        if (ch == '"') {
            /* A string is copied whole, escapes included. */
            out[o++] = line[i++];
            while (i < n && line[i] != '"') {
                if (line[i] == '\\' && i + 1 < n)
                    out[o++] = line[i++];
                out[o++] = line[i++];
            }
            if (i == n) {
                free(out);
                *why = "unfinished string";
                return NULL;
            }
            out[o++] = line[i++];
        } else if (ch == '\\' && i + 1 < n && line[i + 1] == '\\') {
            break; /* \\ comments out the rest of the line */
        } else if (ch == '/' && i + 1 < n && line[i + 1] == '*') {
            size_t j = i + 2;
            while (j + 1 < n && !(line[j] == '*' && line[j + 1] == '/'))
                j++;
            if (j + 1 >= n) {
                free(out);
                *why = "unfinished comment";
                return NULL;
            }
            i = j + 2;
        } else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' ||
                   ch == '\v') {
            i++;
        } else {
            out[o++] = line[i++];
        }
    }
    out[o] = 0;
    return out;
}
