/* SPDX-License-Identifier: MIT */
/* vsbench.c -- the benchmark driver: one measurement, one contender, one process.
 *
 *   vsbench list            name,families,what of each contender here
 *   vsbench maxsize
 *   vsbench build
 *   vsbench fork|stacks|commit|growth|fastpath|reuse --contender=NAME [options]
 *
 * Sizes take the library's syntax (64MiB, 1GiB, 8M).  Output is CSV on
 * stdout, diagnostics on stderr; bench/run drives it.  With --lockstep=N,
 * fork, stacks and growth wait for their turn on stdin and give it back
 * with a line "turn" on stdout every N forks or chunks (measure.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "measure.h"
#include "vsbench.h"
#include "vstack.h"

#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS MAP_ANON
#endif

static const char usage[] =
    "usage: vsbench list | maxsize | build\n"
    "       vsbench fork|stacks|commit|growth|fastpath|reuse --contender=NAME\n"
    "               [--vsize=S] [--rsize=S] [--used=S] [--chunk=S] [--forks=N]\n"
    "               [--budget-ms=MS] [--children=N] [--iters=N] [--nwords=N] [--pin=CPU]\n"
    "               [--stacks=N] [--states=idle,busy,used,reset] [--child=exit,write1m]\n"
    "               [--keep=S] [--lockstep=N]\n";

/* How the allocation loops were compiled (bench/Makefile.inc passes it). */
#ifndef VSB_BUILD
#define VSB_BUILD "unknown"
#endif

static size_t size_arg(const char *name, const char *s)
{
    size_t v;
    if (vstack_parse_size(s, &v) != VSTACK_OK)
        vsb_die("--%s=%s: not a size", name, s);
    return v;
}

static long count_arg(const char *name, const char *s)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v <= 0)
        vsb_die("--%s=%s: not a positive integer", name, s);
    return v;
}

/* The largest power of two that one read/write private mapping may have
 * here: what rw-pool and malloc can get, and what a probing stack is
 * granted.  Heuristic overcommit refuses a single mapping beyond RAM+swap. */
static size_t max_mapping(void)
{
    size_t size;

    for (size = (size_t)1 << 40; size > ((size_t)64 << 20); size /= 2) {
        void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
            munmap(p, size);
            break;
        }
    }
    return size;
}

int main(int argc, char **argv)
{
    struct vsb_opts o = {
        .rsize = 8000000,
        .vsize = (size_t)1 << 30,
        .used = (size_t)1 << 30,
        .chunk = (size_t)1 << 20,
        .forks = 50,
        .budget_ms = 1e9,
        .children = 4,
        .iters = 100000000,
        .nwords = 4,
        .stacks = 1,
        .states = "idle,used,reset",
        .child = "exit,write1m",
        .keep = 0,
        .pin = -1,
        .lockstep = 0,
    };
    const struct contender *c = NULL;
    const char *cmd;
    int i;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2)
        vsb_die("%s", usage);
    cmd = argv[1];
    if (!strcmp(cmd, "list")) {
        /* A contender that cannot run here is left out, with its reason on
         * stderr and exit status 3. */
        int status = 0;
        for (i = 0; vsb_contenders[i]; i++) {
            const struct contender *k = vsb_contenders[i];
            const char *why = k->unavailable ? k->unavailable() : NULL;
            if (why) {
                fprintf(stderr, "%s: %s\n", k->name, why);
                status = 3;
                continue;
            }
            printf("%s,%s,%s\n", k->name,
                   k->families == (VSB_STACKS | VSB_POOLS) ? "stacks+pools"
                   : k->families == VSB_POOLS              ? "pools"
                   : k->families == VSB_STACKS             ? "stacks"
                                                           : "by-name",
                   k->what);
        }
        for (i = 0; vsb_missing_notes[i]; i++)
            fprintf(stderr, "%s\n", vsb_missing_notes[i]);
        return status;
    }
    if (!strcmp(cmd, "maxsize")) {
        printf("%zu\n", max_mapping());
        return 0;
    }
    if (!strcmp(cmd, "build")) {
#ifdef __OPTIMIZE__
        printf("%s\n", VSB_BUILD);
#else
        printf("%s (not optimised: the allocation loops mean nothing)\n", VSB_BUILD);
#endif
        return 0;
    }
    for (i = 2; i < argc; i++) {
        char *a = argv[i], *eq = strchr(a, '=');
        const char *key, *val;
        if (strncmp(a, "--", 2) || !eq)
            vsb_die("%s: expected --name=value\n%s", a, usage);
        *eq = '\0';
        key = a + 2;
        val = eq + 1;
        if (!strcmp(key, "contender")) {
            int k;
            for (k = 0; vsb_contenders[k]; k++)
                if (!strcmp(vsb_contenders[k]->name, val))
                    c = vsb_contenders[k];
            if (!c)
                vsb_die("--contender=%s: not in this program (try `vsbench list`)", val);
        } else if (!strcmp(key, "vsize")) {
            o.vsize = size_arg(key, val);
        } else if (!strcmp(key, "rsize")) {
            o.rsize = size_arg(key, val);
        } else if (!strcmp(key, "used")) {
            o.used = size_arg(key, val);
        } else if (!strcmp(key, "chunk")) {
            o.chunk = size_arg(key, val);
        } else if (!strcmp(key, "forks")) {
            o.forks = count_arg(key, val);
        } else if (!strcmp(key, "pin")) {
            o.pin = strcmp(val, "0") ? count_arg(key, val) : 0;
        } else if (!strcmp(key, "budget-ms")) {
            o.budget_ms = (double)count_arg(key, val);
        } else if (!strcmp(key, "children")) {
            o.children = count_arg(key, val);
        } else if (!strcmp(key, "iters")) {
            o.iters = count_arg(key, val);
        } else if (!strcmp(key, "nwords")) {
            o.nwords = count_arg(key, val);
        } else if (!strcmp(key, "stacks")) {
            o.stacks = count_arg(key, val);
        } else if (!strcmp(key, "states")) {
            o.states = val;
        } else if (!strcmp(key, "child")) {
            o.child = val;
        } else if (!strcmp(key, "keep")) {
            o.keep = size_arg(key, val);
        } else if (!strcmp(key, "lockstep")) {
            o.lockstep = count_arg(key, val);
        } else {
            vsb_die("--%s: unknown option\n%s", key, usage);
        }
    }
    if (!c)
        vsb_die("%s: --contender is required\n%s", cmd, usage);
    if (o.chunk == 0 || o.chunk % 16)
        vsb_die("--chunk must be a positive multiple of 16");
    if (o.pin >= 0 && vsb_pin(o.pin) != 0)
        vsb_die("--pin=%ld: cannot keep this process on that CPU: %s", o.pin, strerror(errno));
    if (o.lockstep) {
        if (strcmp(cmd, "fork") && strcmp(cmd, "stacks") && strcmp(cmd, "growth"))
            vsb_die("%s: --lockstep: only fork, stacks and growth take turns", cmd);
        vsb_turn_wait();
    }
    if (!strcmp(cmd, "fork"))
        return vsb_fork_cost(c, &o);
    if (!strcmp(cmd, "stacks"))
        return vsb_fork_stacks(c, &o);
    if (!strcmp(cmd, "commit"))
        return vsb_commit_charge(c, &o);
    if (!strcmp(cmd, "growth"))
        return vsb_growth(c, &o);
    if (!strcmp(cmd, "fastpath"))
        return vsb_fast_path(c, &o);
    if (!strcmp(cmd, "reuse"))
        return vsb_reuse(c, &o);
    vsb_die("%s: unknown command\n%s", cmd, usage);
}
