/* SPDX-License-Identifier: MIT */
/* reserve-failures-fall-back: the probe's trial mapping, its munmap, the
 * reservation and the first commit, each made to fail through the seam, in
 * vstack_init, in a stack's first allocation, in vstack_pool_init, and in
 * the rebuild of vstack_set_size, vstack_set_sizemax and vstack_default.  A
 * refusal halves the size, as PARI does, with one
 * warning that names the call and the errno text, and is also the last
 * error, with its code; at the minimum size the call fails with the right
 * code and sentence, nothing stays mapped, and a rebuild that fails keeps
 * the old stack and its data. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vstack.h>

#include "faults.h"
#include "os.h"
#include "tap.h"
#include "testutil.h"
#include "testing.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

static long maps0;

/* init(1 MiB, 64 MiB) with call failing once: a stack of 32 MiB, one
 * warning naming calls and err, the stack usable. */
static void init_falls_back(enum vs_os_call call, int err, const char *calls, const char *what)
{
    struct tu_logs logs;
    struct tf_stack s;
    int rc;

    tf_fail(call, 1, err);
    rc = tf_init(&s.st, &logs, 1 * MB, 64 * MB, 0);
    is_int(rc, VSTACK_OK, "%s: vstack_init still succeeds", what);
    if (rc != VSTACK_OK) {
        skip(1, "%s: no stack", what);
        return;
    }
    is_int(vs_os_count(VS_OS_RELEASE), call == VS_OS_COMMIT,
           "%s: a reservation whose commit failed is released, nothing else", what);
    is_int(tu_stats(&s.st).reserved, 32 * MB, "%s: half the reservation, the first halving that fits", what);
    is_int(tu_default(&s.st, "parisizemax"), 32 * MB, "%s: parisizemax reads 32 MiB", what);
    if (!ok(logs.warn.count == 1 && tu_mentions_size(logs.warn.last, 64 * MB) &&
                tu_mentions_size(logs.warn.last, 32 * MB),
            "%s: one warning naming the size asked for and the size granted", what))
        tu_logs_diag(&logs);
    tf_names(logs.warn.last, calls, err, NULL, what);
    ok(strcmp(vstack_last_error(&s.st), logs.warn.last) == 0 &&
           vstack_last_error_code(&s.st) == tf_code(err),
       "%s: vstack_last_error keeps it, with %s", what, tf_code_name(tf_code(err)));
    is_int(logs.err.count, 0, "%s: no error message", what);
    /* The stack of the struct, with data of its own now. */
    tu_capture_stack(&s.st, &s.logs);
    tf_live(&s, 256 * KB, 7);
    tf_usable(&s, 8 * MB, what);
    tf_close(&s, maps0, what);
}

/* Without the probe the trial is the reservation itself: one refusal at
 * 64 MiB, and the next halving, 32 MiB, is tried and kept, as the
 * warning says; the reservation that is kept is the only one made. */
static void noprobe_halves_once(void)
{
    const char *what = "reservation refused once, no probe";
    struct tu_logs logs;
    vstack st;
    tu_capture_defaults(&logs);
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_RESERVE, 1, ENOMEM);
    int rc = vstack_init(&st, 1 * MB, 64 * MB, VSTACK_NOPROBE);
    vstack_set_default_handlers(NULL, NULL, NULL);
    is_int(rc, VSTACK_OK, "%s: vstack_init succeeds", what);
    is_int(vs_os_count(VS_OS_PROBE), 0, "%s: no probe", what);
    is_int(vs_os_count(VS_OS_RESERVE), 2, "%s: two reservations asked for, 64 MiB then 32 MiB", what);
    is_int(vs_os_count(VS_OS_RELEASE), 0, "%s: none released: the one made is kept", what);
    if (rc != VSTACK_OK) {
        skip(2, "%s: no stack", what);
        return;
    }
    is_int(tu_stats(&st).reserved, 32 * MB, "%s: 32 MiB, the first halving", what);
    ok(logs.warn.count == 1 && strstr(logs.warn.last, "lowered to 33554432 bytes (32 MiB)"),
       "%s: the warning says what was kept: %s", what, logs.warn.last);
    vstack_destroy(&st);
    vs_os_fail_reset();
}

/* init(MIN, vsize) with call failing at once: nothing left to halve. */
static void init_fails(enum vs_os_call call, int err, size_t vsize, unsigned flags, const char *calls,
                       const char *what)
{
    struct tu_logs logs;
    vstack st;
    int rc;

    tf_fail(call, 1, err);
    rc = tf_init(&st, &logs, VSTACK_MIN_SIZE, vsize, flags);
    is_int(rc, tf_code(err), "%s: %s", what, tf_code_name(tf_code(err)));
    is_int(vstack_last_error_code(&st), rc, "%s: vstack_last_error_code agrees", what);
    tf_names(vstack_last_error(&st), calls, err, NULL, what);
    is_int(logs.err.count, 0, "%s: vstack_init never calls the error handler", what);
    if (rc == VSTACK_OK)
        vstack_destroy(&st);
    vstack_destroy(&st); /* a failed init leaves a struct that destroy ignores */
    tf_unmapped(maps0, -1, what);
}

/* A rebuild (vstack_set_size / set_sizemax) whose new reservation cannot be
 * made: the old stack and its data stay. */
static void rebuild_keeps_old(enum vs_os_call call, int err, const char *calls, const char *what)
{
    struct tf_stack s;
    vstack_sp av;
    struct vstack_stats before;
    int rc;

    tf_open(&s, VSTACK_MIN_SIZE, 0, 0, 16 * KB, 71);
    av = vstack_avma(&s.st);
    before = tu_stats(&s.st);
    vs_os_fail_nth(call, 1, err);
    rc = vstack_set_size(&s.st, VSTACK_MIN_SIZE);
    is_int(rc, tf_code(err), "%s: %s (nothing left to halve)", what, tf_code_name(tf_code(err)));
    tf_names(vstack_last_error(&s.st), calls, err, NULL, what);
    is_int(s.logs.err.count, 0, "%s: the error handler is not called", what);
    ok(vstack_avma(&s.st) == av && tu_stats(&s.st).reserved == before.reserved &&
           tu_stats(&s.st).committed == before.committed,
       "%s: the old stack is kept, avma where it was", what);
    tf_intact(&s, what);
    tf_usable(&s, 0, what);
    tf_close(&s, maps0, what);
}

/* The ways to rebuild a stack: GP's default() and the two setters. */
enum rebuild { BY_DEFAULT_SIZEMAX, BY_SET_SIZEMAX, BY_DEFAULT_SIZE, BY_SET_SIZE, NREBUILDS };

static const char *const rebuild_name[NREBUILDS] = {
    "default(parisizemax, \"64MiB\")",
    "vstack_set_sizemax(64 MiB)",
    "default(parisize, \"2MiB\")",
    "vstack_set_size(2 MiB)",
};

/* A rebuild of a stack of parisize 1 MiB and parisizemax 16 MiB whose new
 * reservation is refused once: the new stack is smaller, with one warning
 * that is also the last error, and the contents are gone.  A new
 * parisizemax asks for 64 MiB and gets 16; a new parisize keeps asking for
 * the 16 MiB of parisizemax, and gets 4. */
static void rebuild_falls_back(enum rebuild how, enum vs_os_call call, int err, const char *calls,
                               const char *which)
{
    struct tf_stack s;
    char what[160];
    int rc, sizemax = how == BY_DEFAULT_SIZEMAX || how == BY_SET_SIZEMAX;
    size_t asked = sizemax ? 64 * MB : 16 * MB, granted = asked / 2;

    snprintf(what, sizeof what, "%s: %s", rebuild_name[how], which);
    tf_open(&s, 1 * MB, 16 * MB, 0, 256 * KB, 72);
    vs_os_fail_nth(call, 1, err);
    switch (how) {
    case BY_DEFAULT_SIZEMAX: rc = vstack_default(&s.st, "parisizemax", "64MiB"); break;
    case BY_SET_SIZEMAX: rc = vstack_set_sizemax(&s.st, 64 * MB); break;
    case BY_DEFAULT_SIZE: rc = vstack_default(&s.st, "parisize", "2MiB"); break;
    default: rc = vstack_set_size(&s.st, 2 * MB); break;
    }
    is_int(rc, VSTACK_OK, "%s: the rebuild succeeds", what);
    is_int(tu_default(&s.st, "parisizemax"), granted, "%s: parisizemax reads %zu MiB", what, granted / MB);
    is_int(tu_default(&s.st, "parisize"), sizemax ? 1 * MB : 2 * MB, "%s: parisize reads %zu MiB", what,
           sizemax ? (size_t)1 : (size_t)2);
    if (!ok(s.logs.warn.count == 1 && tu_mentions_size(s.logs.warn.last, asked) &&
                tu_mentions_size(s.logs.warn.last, granted),
            "%s: one warning naming the size asked for and the size granted", what))
        tu_logs_diag(&s.logs);
    tf_names(s.logs.warn.last, calls, err, NULL, what);
    is_int(s.logs.warn.last_err, tf_code(err), "%s: the warning comes with %s", what, tf_code_name(tf_code(err)));
    if (!ok(strcmp(vstack_last_error(&s.st), s.logs.warn.last) == 0, "%s: vstack_last_error is the warning", what))
        diag("  last error: \"%s\"", vstack_last_error(&s.st));
    is_int(vstack_last_error_code(&s.st), tf_code(err), "%s: vstack_last_error_code is %s", what,
           tf_code_name(tf_code(err)));
    is_int(s.logs.err.count, 0, "%s: the error handler is not called", what);
    is_int(tu_stats(&s.st).used, 0, "%s: the contents were discarded", what);
    tf_live(&s, s.live_n, s.seed);
    tf_usable(&s, 8 * MB, what);
    tf_close(&s, maps0, what);
}

/* The first allocation of a fresh stack commits parisize; refused, the
 * allocation fails through the error handler, parisizemax is kept (there
 * is no size to lower it to), and the next allocation works. */
static void first_allocation(int err)
{
    struct tf_stack s;
    char what[80];
    snprintf(what, sizeof what, "the first allocation's commit fails (%s)", strerror(err));
    vs_os_fail_reset();
    if (tf_init(&s.st, &s.logs, 1 * MB, 64 * MB, 0) != VSTACK_OK)
        bail_out("%s: vstack_init failed", what);
    tu_capture_stack(&s.st, &s.logs);
    is_int(vs_os_count(VS_OS_COMMIT), 0, "%s: init commits nothing", what);
    vs_os_fail_nth(VS_OS_COMMIT, 1, err);
    ok(vstack_alloc(&s.st, 256 * KB) == NULL && s.logs.err.count == 1 && s.logs.err.last_err == tf_code(err),
       "%s: the allocation fails with %s", what, tf_code_name(tf_code(err)));
    tf_names(s.logs.err.last, "mprotect", err, NULL, what);
    is_int(tu_default(&s.st, "parisizemax"), 64 * MB, "%s: parisizemax is kept", what);
    is_int(tu_stats(&s.st).committed, 0, "%s: nothing is committed", what);
    tf_live(&s, 256 * KB, 9);
    tf_usable(&s, 8 * MB, what);
    tf_close(&s, maps0, what);
}

/* A pool commits its minsize at init, after the reservation: refused,
 * the init fails with the code of the refusal and a sentence that names
 * the minsize and the call, the reservation is released, and a halving
 * would not help (the minsize stays what it is), so none is tried. */
static void pool_commit_refused(void)
{
    const char *what = "a pool's first commit refused once";
    vstack_pool p;
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_COMMIT, 1, ENOMEM);
    is_int(vstack_pool_init(&p, 1 * MB, 64 * MB, 0), VSTACK_ENOMEM, "%s: VSTACK_ENOMEM", what);
    is_int(vs_os_count(VS_OS_RELEASE), 1, "%s: the reservation whose commit failed is released", what);
    is_int(vs_os_count(VS_OS_RESERVE), 1, "%s: one reservation, no halving", what);
    tf_names(vstack_pool_last_error(&p), "mprotect", ENOMEM, NULL, what);
    ok(strstr(vstack_pool_last_error(&p), "minsize") && tu_mentions_size(vstack_pool_last_error(&p), 1 * MB),
       "%s: the sentence names the minsize: %s", what, vstack_pool_last_error(&p));
    is_int(vstack_pool_last_error_code(&p), VSTACK_ENOMEM, "%s: vstack_pool_last_error_code", what);
    ok(vstack_pool_base(&p) == NULL, "%s: nothing is kept", what);
    vs_os_fail_reset();
    tu_maps_check(maps0, 0, -1, what);
    is_int(vstack_pool_init(&p, 1 * MB, 64 * MB, 0), VSTACK_OK, "%s: the next init succeeds", what);
    ok(vstack_pool_resize(&p, 8 * MB) == VSTACK_OK, "%s: and the pool grows", what);
    memset(vstack_pool_base(&p), 1, 8 * MB);
    vstack_pool_destroy(&p);
    tu_maps_check(maps0, 0, -1, what);
}

static void pool_fails(int err)
{
    char what[80];
    vstack_pool p;
    snprintf(what, sizeof what, "a pool's first commit fails at the minimum (%s)", strerror(err));
    tf_fail(VS_OS_COMMIT, 1, err);
    is_int(vstack_pool_init(&p, VSTACK_MIN_SIZE, VSTACK_MIN_SIZE, 0), tf_code(err), "%s: %s", what,
           tf_code_name(tf_code(err)));
    tf_names(vstack_pool_last_error(&p), "mprotect", err, NULL, what);
    ok(vstack_pool_base(&p) == NULL, "%s: nothing is kept", what);
    tf_unmapped(maps0, -1, what);
}

/* A pool's halving stops at its minsize, which must be committed at once:
 * with a minsize of 32 MiB, the probe refused at 64 MiB and the
 * reservation at 32 MiB, it fails naming both sizes.  With VSTACK_NOHALVE
 * one refusal fails, and the sentence names the size asked only, whatever
 * the minsize. */
static void pool_halving_stops(size_t min, unsigned flags, int twice, const char *want, const char *what)
{
    vstack_pool p;
    tf_fail(VS_OS_PROBE, 1, ENOMEM);
    if (twice)
        vs_os_fail_nth(VS_OS_RESERVE, 1, ENOMEM);
    is_int(vstack_pool_init(&p, min, 64 * MB, flags), VSTACK_ENOMEM, "%s: VSTACK_ENOMEM", what);
    ok(strstr(vstack_pool_last_error(&p), want) != NULL, "%s: the sentence says \"%s\": %s", what, want,
       vstack_pool_last_error(&p));
    is_int(vs_os_count(VS_OS_PROBE), twice ? 2 : 1, "%s: %d trial mapping%s", what, twice ? 2 : 1, twice ? "s" : "");
    ok(vstack_pool_base(&p) == NULL, "%s: nothing is kept", what);
    tf_unmapped(maps0, -1, what);
}

/* One call with more warnings than it keeps (four): three environment
 * variables set to nonsense, the probe's refusal and a failed restore of
 * the signal mask.  The handler hears the first three and the latest, the
 * last error is the latest, and the stack is made. */
static void more_warnings_than_slots(void)
{
    static const char *const vars[] = {"VSTACK_DECOMMIT", "VSTACK_HUGEPAGES", "VSTACK_FORKWIPE"};
    const char *what = "five warnings in one vstack_init";
    struct tu_logs logs;
    vstack st;
    for (int i = 0; i < 3; i++)
        setenv(vars[i], "maybe", 1);
    vs_env_forget();
    tf_fail(VS_OS_PROBE, 1, ENOMEM);
    vs_os_fail_nth(VS_OS_SIGRESTORE, 1, EINVAL);
    int rc = tf_init(&st, &logs, 1 * MB, 64 * MB, 0);
    for (int i = 0; i < 3; i++)
        unsetenv(vars[i]);
    vs_env_forget();
    vs_os_fail_reset();
    is_int(rc, VSTACK_OK, "%s: the stack is made", what);
    is_int(logs.warn.count, 4, "%s: the handler hears four", what);
    int envs = 0;
    for (int i = 0; i < 3; i++)
        envs += strstr(logs.warn.all, vars[i]) != NULL;
    ok(envs == 3 && !strstr(logs.warn.all, "lowered") && tf_mentions(logs.warn.last, "pthread_sigmask (restore)", EINVAL, NULL),
       "%s: the three variables and the latest, the failed restore; the halving's is dropped", what);
    if (envs != 3)
        tu_logs_diag(&logs);
    ok(rc == VSTACK_OK && strcmp(vstack_last_error(&st), logs.warn.last) == 0, "%s: the last error is the latest", what);
    is_int(tu_default(&st, "parisizemax"), 32 * MB, "%s: parisizemax was halved all the same", what);
    if (rc == VSTACK_OK)
        vstack_destroy(&st);
    tu_maps_check(maps0, 0, -1, what);
}

int main(void)
{
    tu_require_mmap();
    maps0 = tu_maps_baseline();
    more_warnings_than_slots();

    /* The probe's trial mapping. */
    init_falls_back(VS_OS_PROBE, ENOMEM, "mmap (trial read/write mapping)", "probe refused once");
    init_fails(VS_OS_PROBE, ENOMEM, VSTACK_MIN_SIZE, 0, "mmap (trial read/write mapping)",
               "probe refused at the minimum");
    init_fails(VS_OS_PROBE, EPERM, 0, 0, "mmap (trial read/write mapping)", "probe fails with EPERM");
    {
        vstack st;
        vs_os_fail_reset();
        int rc = vstack_init(&st, 1 * MB, 64 * MB, VSTACK_NOPROBE);
        ok(rc == VSTACK_OK && vs_os_count(VS_OS_PROBE) == 0, "VSTACK_NOPROBE: no trial mapping");
        if (rc == VSTACK_OK)
            vstack_destroy(&st);
    }
    /* Its munmap: the trial is taken as a refusal; the seam does unmap it. */
    init_falls_back(VS_OS_PROBE_UNMAP, EINVAL, "munmap (trial mapping)", "munmap of the trial fails once");
    init_fails(VS_OS_PROBE_UNMAP, EINVAL, VSTACK_MIN_SIZE, 0, "munmap (trial mapping)",
               "munmap of the trial fails at the minimum");

    /* The reservation. */
    init_falls_back(VS_OS_RESERVE, ENOMEM, "mmap (reservation)", "reservation refused once");
    noprobe_halves_once();
    init_fails(VS_OS_RESERVE, EINVAL, 0, 0, "mmap (reservation)", "reservation fails with EINVAL");
    init_fails(VS_OS_RESERVE, ENOMEM, 0, VSTACK_NOPROBE, "mmap (reservation)",
               "reservation refused, no probe");

    /* A stack commits nothing at init: its first commit is at the first
     * allocation.  A pool commits its minsize at init, after the
     * reservation: a refusal there fails the init. */
    first_allocation(ENOMEM);
    first_allocation(EACCES);
    pool_commit_refused();
    pool_fails(ENOMEM);
    pool_fails(EACCES);
    pool_halving_stops(32 * MB, 0, 1,
                       "cannot reserve maxsize of 67108864 bytes (64 MiB) or its halvings down to 33554432 bytes "
                       "(32 MiB) with 33554432 bytes (32 MiB) committed at once: mmap (reservation)",
                       "a pool refused down to its minsize");
    pool_halving_stops(1 * MB, VSTACK_NOHALVE, 0, "cannot reserve maxsize of 67108864 bytes (64 MiB): mmap (trial",
                       "a pool refused, VSTACK_NOHALVE");
    pool_halving_stops(48 * MB, VSTACK_NOHALVE, 0, "cannot reserve maxsize of 67108864 bytes (64 MiB): mmap (trial",
                       "a pool refused, VSTACK_NOHALVE, minsize above half");

    /* The same calls when default() rebuilds the stack. */
    rebuild_keeps_old(VS_OS_PROBE, ENOMEM, "mmap (trial read/write mapping)", "rebuild: probe refused");
    rebuild_keeps_old(VS_OS_RESERVE, ENOMEM, "mmap (reservation)", "rebuild: reservation refused");
    for (int how = 0; how < NREBUILDS; how++) {
        rebuild_falls_back(how, VS_OS_PROBE, ENOMEM, "mmap (trial read/write mapping)", "probe refused once");
        rebuild_falls_back(how, VS_OS_RESERVE, ENOMEM, "mmap (reservation)", "reservation refused once");
        rebuild_falls_back(how, VS_OS_PROBE_UNMAP, EINVAL, "munmap (trial mapping)",
                           "munmap of the trial fails once");
    }
    vs_os_fail_reset();
    return done_testing();
}
