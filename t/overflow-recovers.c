/* SPDX-License-Identifier: MIT */
/* overflow-recovers: an allocation that does not fit (vsize 0, or beyond
 * parisizemax) calls the error handler once with VSTACK_ESTACK and a message
 * naming the sizes and parisizemax, returns NULL, and leaves the stack as it
 * was and usable; without any handler one line goes to stderr. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <vstack.h>

#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

/* Overflow st with a request of nbytes; check the handler call, avma and
 * the live chunk [live, live + nlive) filled with seed. */
static void overflow_once(vstack *st, struct tu_logs *logs, size_t nbytes, size_t cursize,
                          size_t maxsize, unsigned char *live, size_t nlive, uint64_t seed,
                          const char *what)
{
    vstack_sp av = vstack_avma(st);
    struct vstack_stats before = tu_stats(st), after;
    void *p;

    tu_logs_clear(logs);
    p = vstack_alloc(st, nbytes);
    after = tu_stats(st);
    ok(p == NULL, "%s: vstack_alloc(%zu) returns NULL", what, nbytes);
    is_int(logs->err.count, 1, "%s: the error handler was called once", what);
    is_int(logs->err.last_err, VSTACK_ESTACK, "%s: with VSTACK_ESTACK", what);
    if (!ok(tu_contains_nocase(logs->err.last, "parisizemax"),
            "%s: the message mentions parisizemax", what))
        diag("  message: %s", logs->err.last);
    if (!ok(tu_mentions_size(logs->err.last, cursize),
            "%s: the message gives the current size %zu", what, cursize))
        diag("  message: %s", logs->err.last);
    if (maxsize) {
        if (!ok(tu_mentions_size(logs->err.last, maxsize),
                "%s: the message gives parisizemax %zu", what, maxsize))
            diag("  message: %s", logs->err.last);
    }
    ok(vstack_avma(st) == av, "%s: avma unchanged", what);
    ok(after.committed == before.committed && after.used == before.used &&
           after.reserved == before.reserved,
       "%s: stats unchanged (committed %zu, used %zu)", what, after.committed, after.used);
    if (!ok(tu_check(live, nlive, seed) < 0, "%s: earlier data intact", what))
        diag("  first bad byte at %ld", tu_check(live, nlive, seed));
    is_int(strcmp(vstack_last_error(st), "") != 0, 1, "%s: vstack_last_error is set", what);
}

/* A warn handler that allocates on the stack it hears about, as a client
 * that formats its messages on the stack would: it must run once the
 * allocation it reports on is complete, or the two chunks would overlap. */
struct nested {
    unsigned char *chunk;
    struct vstack_stats seen;
    int calls;
};

static void allocating_warn(vstack *st, int err, const char *msg, void *ctx)
{
    struct nested *n = ctx;
    (void)err;
    if (!strstr(msg, "increasing"))
        return;
    n->calls++;
    n->seen = tu_stats(st);
    n->chunk = vstack_alloc(st, 64);
    if (n->chunk)
        memset(n->chunk, 0xa5, 64);
}

static void verbose_handler_sees_final_state(void)
{
    vstack st;
    struct nested n = {0};
    if (!ok(vstack_init(&st, 1 * MB, 64 * MB, 0) == VSTACK_OK, "a stack for the verbose handler"))
        return;
    vstack_set_warn_handler(&st, allocating_warn, &n);
    vstack_set_verbose(&st, 1);
    size_t want = 3 * MB;
    unsigned char *p = vstack_alloc(&st, want);
    ok(p != NULL && n.calls == 1, "verbose growth: the warn handler hears it once (%d)", n.calls);
    ok(n.seen.used >= want, "the handler sees the allocation already made (%zu bytes in use)", n.seen.used);
    if (p)
        memset(p, 0x3c, want);
    ok(p && n.chunk && n.chunk + 64 <= p, "the handler's own chunk lies below the reported one");
    int intact = n.chunk != NULL;
    for (size_t i = 0; intact && i < 64; i++)
        intact = n.chunk[i] == 0xa5;
    ok(intact, "writing the reported chunk leaves the handler's chunk intact");
    vstack_destroy(&st);
}

int main(void)
{
    struct tu_logs logs, mine;
    vstack st;
    unsigned char *live, *q;
    const long maps0 = tu_maps_baseline();

    tu_require_mmap();

    tu_capture_defaults(&logs);

    /* vsize 0: the stack is fixed at parisize. */
    if (vstack_init(&st, 1 * MB, 0, 0) != VSTACK_OK)
        bail_out("vstack_init(1 MiB, 0) failed");
    live = tu_alloc_filled(&st, 512 * KB, 1);
    overflow_once(&st, &logs, 1 * MB, 1 * MB, 0, live, 512 * KB, 1, "fixed");
    overflow_once(&st, &logs, 512 * KB + 1, 1 * MB, 0, live, 512 * KB, 1, "fixed, by one byte");
    overflow_once(&st, &logs, SIZE_MAX, 1 * MB, 0, live, 512 * KB, 1, "fixed, SIZE_MAX");
    q = vstack_alloc(&st, 256 * KB);
    ok(q != NULL, "fixed: the stack still allocates afterwards");
    if (q)
        tu_fill(q, 256 * KB, 2);
    ok(tu_check(live, 512 * KB, 1) < 0 && (!q || tu_check(q, 256 * KB, 2) < 0),
       "fixed: old and new data intact");
    /* Freeing makes room again: no sticky failure state. */
    vstack_set_avma(&st, (vstack_sp)live);
    q = vstack_alloc(&st, 500 * KB);
    ok(q != NULL, "fixed: after set_avma the freed room is usable");
    vstack_set_avma(&st, (vstack_sp)live);
    is_int(vstack_grow(&st, 0), VSTACK_ESTACK, "fixed: vstack_grow is VSTACK_ESTACK");
    tu_logs_clear(&logs);
    vstack_destroy(&st);

    /* Beyond parisizemax: growth up to 4 MiB works, then overflow. */
    if (vstack_init(&st, 1 * MB, 4 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init(1 MiB, 4 MiB) failed");
    live = vstack_alloc(&st, 3 * MB);
    ok(live != NULL, "growth: 3 MiB fit under parisizemax 4 MiB");
    if (!live)
        bail_out("cannot continue");
    tu_fill(live, 3 * MB, 3);
    {
        size_t cur = tu_stats(&st).committed;
        overflow_once(&st, &logs, 2 * MB, cur, 4 * MB, live, 3 * MB, 3, "beyond vsize");
        overflow_once(&st, &logs, 1 * MB + 1, cur, 4 * MB, live, 3 * MB, 3,
                      "beyond vsize by one byte");
        overflow_once(&st, &logs, SIZE_MAX - 8, cur, 4 * MB, live, 3 * MB, 3,
                      "beyond vsize, SIZE_MAX - 8");
    }
    q = vstack_alloc(&st, 512 * KB);
    ok(q != NULL, "beyond vsize: the stack still allocates afterwards");
    if (q)
        tu_fill(q, 512 * KB, 4);
    ok(tu_check(live, 3 * MB, 3) < 0 && (!q || tu_check(q, 512 * KB, 4) < 0),
       "beyond vsize: old and new data intact");
    q = vstack_alloc(&st, 512 * KB - 64);
    ok(q != NULL, "beyond vsize: the last bytes under parisizemax are usable");
    if (q) {
        q[0] = 1;
        q[512 * KB - 65] = 2;
    }

    /* A per-stack handler takes precedence over the process-wide one. */
    tu_logs_clear(&logs);
    tu_capture_stack(&st, &mine);
    ok(vstack_alloc(&st, 1 * MB) == NULL, "per-stack handler: overflow returns NULL");
    is_int(mine.err.count, 1, "per-stack handler: called once");
    is_int(mine.err.last_err, VSTACK_ESTACK, "per-stack handler: VSTACK_ESTACK");
    is_int(logs.err.count, 0, "per-stack handler: the process-wide one is not called");
    vstack_destroy(&st);

    /* No handler at all: one line on stderr. */
    vstack_set_default_handlers(NULL, NULL, NULL);
    if (vstack_init(&st, 1 * MB, 2 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init(1 MiB, 2 MiB) failed");
    live = vstack_alloc(&st, 64 * KB);
    if (live)
        tu_fill(live, 64 * KB, 5);
    {
        char out[4096];
        void *p;
        vstack_sp av = vstack_avma(&st);
        int captured = tu_stderr_begin() == 0;
        p = vstack_alloc(&st, 4 * MB);
        tu_stderr_end(out, sizeof out);
        if (!captured) {
            skip(1, "cannot capture stderr");
        } else {
            size_t nl = 0, len = strlen(out);
            for (size_t i = 0; i < len; i++)
                nl += out[i] == '\n';
            ok(p == NULL, "no handler: the allocation returns NULL");
            if (!ok(len > 1 && nl == 1 && out[len - 1] == '\n',
                    "no handler: exactly one line on stderr"))
                diag("  stderr was: \"%s\"", out);
            if (!ok(tu_contains_nocase(out, "parisizemax"),
                    "no handler: the line mentions parisizemax"))
                diag("  stderr was: \"%s\"", out);
            ok(vstack_avma(&st) == av && live && tu_check(live, 64 * KB, 5) < 0,
               "no handler: avma and data unchanged");
        }
        ok(vstack_alloc(&st, 1 * MB) != NULL, "no handler: the stack still allocates");
    }
    /* Warnings are quiet without a handler: growth messages need verbosity
     * and a warn handler; nothing is printed. */
    {
        char out[4096];
        int captured = tu_stderr_begin() == 0;
        vstack_set_verbose(&st, 1);
        void *p = vstack_alloc(&st, 600 * KB);
        is_int(vstack_reset(&st), VSTACK_OK, "vstack_reset");
        tu_stderr_end(out, sizeof out);
        ok(p != NULL, "growth with verbose 1 and no warn handler works");
        if (captured) {
            if (!ok(out[0] == '\0', "nothing is printed for warnings without a handler"))
                diag("  stderr was: \"%s\"", out);
        } else {
            skip(1, "cannot capture stderr");
        }
    }
    /* With a warn handler and verbose 1, growth is announced. */
    {
        tu_capture_stack(&st, &mine);
        vstack_set_verbose(&st, 1);
        vstack_pop_all(&st);
        vstack_reset(&st);
        mine.warn.count = 0;
        void *p = vstack_alloc(&st, 1 * MB + 64 * KB);
        ok(p != NULL, "verbose growth to 2 MiB");
        if (!ok(mine.warn.count >= 1 && tu_mentions_size(mine.warn.all, 2 * MB),
                "verbose 1: the growth is announced with the new size"))
            tu_logs_diag(&mine);
        vstack_set_verbose(&st, 0);
        vstack_pop_all(&st);
        vstack_reset(&st);
        mine.warn.count = 0;
        p = vstack_alloc(&st, 1 * MB + 64 * KB);
        if (!ok(p != NULL && mine.warn.count == 0, "verbose 0: growth is silent"))
            tu_logs_diag(&mine);
    }
    vstack_destroy(&st);
    verbose_handler_sees_final_state();

    tu_maps_check(maps0, 0, -1, "no mapping left behind");
    return done_testing();
}
