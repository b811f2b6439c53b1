/* SPDX-License-Identifier: MIT */
/* tu-internal.h -- what the files of the test support library share with
 * each other and not with the tests (which include testutil.h). */
#ifndef VSTACK_TU_INTERNAL_H
#define VSTACK_TU_INTERNAL_H

#include <stddef.h>

/* A probe's answer, worked out at the first call and kept. */
struct tu_probe_memo {
    int done;
    const char *why;
};
const char *tu_probe_once(struct tu_probe_memo *m, const char *(*probe)(void));

#ifndef _WIN32
/* A fresh private anonymous mapping of n pages, or NULL. */
unsigned char *tu_probe_map(size_t n, int prot);
#endif

#endif
