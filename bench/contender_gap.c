/* SPDX-License-Identifier: MIT */
/* contender_gap.c -- GAP's own workspace, through libgap's public API.
 *
 * GAP_Initialize starts GAP as
 *     gap -l ROOT -q -A -r --nointeract -m <rsize> -s <vsize> -o <vsize>
 * quiet, without packages, without the user's gaprc, reading no terminal,
 * with GASMAN's workspace at least rsize (-m) inside a pool of vsize (-s),
 * and its soft limit (-o, past which GAP stops with an error) at vsize; no
 * mark callback, no error callback, no signal handlers.  GAP 4.12 maps its
 * whole pool read/write and charged outside Cygwin.
 *
 * The workspace is used as a GAP program would:
 *   alloc     a new string of n bytes (GAP_MakeStringWithLen), appended to
 *             the list in the global variable VsbenchFill; its bytes are
 *             handed back for the caller to write, valid until GAP
 *             allocates again
 *   set_avma  VsbenchFill keeps only its first entries, then
 *             GAP_CollectBags(1), a full collection (CollectGarbage(true))
 *   reset     nothing: GASMAN shrinks its workspace in the collection, or not
 * Every call into GAP is bracketed by GAP_Enter and GAP_Leave.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <gap/libgap-api.h>

#include "contender.h"
#include "measure.h"

/* Where GAP's library is (bench/Makefile.inc passes it). */
#ifndef VSB_GAP_ROOT
#define VSB_GAP_ROOT "/usr/share/gap"
#endif

#define FILL "VsbenchFill"

static size_t pool_size;
static size_t in_list; /* bytes in the strings of VsbenchFill */
static char *zeros;    /* what a new string starts as */
static size_t nzeros;

static const char *gap_unavailable(void)
{
    if (access(VSB_GAP_ROOT "/lib/init.g", R_OK) != 0)
        return "libgap is here but not GAP's library (" VSB_GAP_ROOT
               "/lib/init.g): apt-get install gap-core";
    return NULL;
}

/* A size as GAP's options take it: kilobytes with a k. */
static void kb_arg(char *buf, size_t len, size_t bytes)
{
    snprintf(buf, len, "%zuk", (bytes + 1023) / 1024);
}

static int gap_start(size_t rsize, size_t vsize)
{
    /* Static: GAP may keep pointers to its command line. */
    static char m[32], s[32], root[] = VSB_GAP_ROOT;
    static char *argv[] = { "gap", "-l", root, "-q", "-A", "-r", "--nointeract",
                            "-m", m, "-s", s, "-o", s, NULL };
    int ok;

    if (gap_unavailable()) {
        fprintf(stderr, "vsbench: gap: %s\n", gap_unavailable());
        return -1;
    }
    kb_arg(m, sizeof m, rsize);
    kb_arg(s, sizeof s, vsize);
    GAP_Initialize((int)(sizeof argv / sizeof *argv) - 1, argv, NULL, NULL, 0);
    pool_size = vsize;
    ok = GAP_Enter();
    if (ok)
        GAP_AssignGlobalVariable(FILL, GAP_NewPlist(0));
    GAP_Leave();
    if (!ok) {
        fprintf(stderr, "vsbench: gap: could not make the list " FILL "\n");
        return -1;
    }
    return 0;
}

static void gap_sizes(struct vsb_sizes *out)
{
    out->reserved = out->committed = pool_size;
    out->used = in_list;
}

static uintptr_t gap_avma(void)
{
    volatile uintptr_t n = 0; /* set between GAP_Enter's setjmp and GAP_Leave */
    int ok = GAP_Enter();
    if (ok)
        n = GAP_LenList(GAP_ValueGlobalVariable(FILL));
    GAP_Leave();
    return n;
}

static void *gap_alloc(size_t nbytes)
{
    char *volatile p = NULL; /* likewise */
    int ok;

    if (nbytes > nzeros) {
        free(zeros);
        zeros = calloc(1, nbytes);
        nzeros = zeros ? nbytes : 0;
        if (!zeros)
            return NULL;
    }
    ok = GAP_Enter();
    if (ok) {
        Obj list = GAP_ValueGlobalVariable(FILL);
        Obj str = GAP_MakeStringWithLen(zeros, nbytes);
        GAP_AssList(list, GAP_LenList(list) + 1, str);
        p = GAP_CSTR_STRING(str);
        in_list += nbytes;
    }
    GAP_Leave();
    return p;
}

static void gap_set_avma(uintptr_t av)
{
    int ok = GAP_Enter();
    if (ok) {
        Obj list = GAP_ValueGlobalVariable(FILL), kept = GAP_NewPlist((Int)av);
        UInt i;
        in_list = 0;
        for (i = 1; i <= av; i++) {
            Obj str = GAP_ElmList(list, i);
            GAP_AssList(kept, i, str);
            in_list += GAP_LenString(str);
        }
        GAP_AssignGlobalVariable(FILL, kept);
        GAP_CollectBags(1);
    }
    GAP_Leave();
    if (!ok)
        vsb_die("gap: the collection failed");
}

static void gap_reset(void) {}

const struct contender vsb_gap = {
    .name = "gap",
    .what = "GAP 4's workspace through libgap: a list of strings, a full collection",
    .families = VSB_POOLS,
    .has_stack = 1,
    .init = gap_start,
    .sizes = gap_sizes,
    .avma = gap_avma,
    .alloc = gap_alloc,
    .set_avma = gap_set_avma,
    .reset = gap_reset,
    .unavailable = gap_unavailable,
};
