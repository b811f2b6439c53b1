/* SPDX-License-Identifier: MIT */
/* decommit.c -- the grow/reset cycles shared by decommit-unmap-path and
 * decommit-remap-path; see testutil.h. */
#include "config.h"
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testing.h"

#define DC_KB ((size_t)1 << 10)
#define DC_MB ((size_t)1 << 20)

void tu_decommit_cycles(const char *what, unsigned flags, const char *env, int want_unmap,
                      int ncycles)
{
    struct tu_logs logs;
    vstack st;
    const long maps0 = tu_maps_baseline();
    long maps_max = 0;
    const size_t live_n = 100 * DC_KB;
    unsigned char *live;
    vstack_sp av;
    int resets_ok = 1, grows_ok = 1;
    unsigned long n_unmap, n_mapagain, n_remap;
    struct vstack_stats s;

    tu_capture_defaults(&logs);
    tu_env("VSTACK_DECOMMIT", env);
    vs_os_fail_reset();
    if (vstack_init(&st, 256 * DC_KB, 64 * DC_MB, flags) != VSTACK_OK)
        bail_out("%s: vstack_init failed", what);
    tu_env("VSTACK_DECOMMIT", NULL);
    live = tu_alloc_filled(&st, live_n, 42);
    av = vstack_avma(&st);

    for (int i = 0; i < ncycles; i++) {
        /* Past parisize (256 KiB), so that every cycle grows; small enough
         * that memcheck's annotations of each chunk stay cheap. */
        size_t n = 400 * DC_KB + (size_t)(i % 5) * 100 * DC_KB;
        unsigned char *p = vstack_alloc(&st, n);
        if (!p) {
            grows_ok = 0;
            diag("  cycle %d: allocation of %zu bytes failed", i, n);
            break;
        }
        /* Touch the first, middle and last pages. */
        p[0] = p[n / 2] = p[n - 1] = (unsigned char)i;
        vstack_set_avma(&st, av);
        if (vstack_reset(&st) != VSTACK_OK) {
            resets_ok = 0;
            diag("  cycle %d: vstack_reset failed: %s", i, vstack_last_error(&st));
            break;
        }
        if (maps0 >= 0 && i % 50 == 0) {
            long m = tu_maps_count();
            if (m > maps_max)
                maps_max = m;
        }
    }
    n_unmap = vs_os_count(VS_OS_UNMAP);
    n_mapagain = vs_os_count(VS_OS_MAPAGAIN);
    n_remap = vs_os_count(VS_OS_REMAP);
    s = tu_stats(&st);

    ok(grows_ok, "%s: %d allocations that grow the stack", what, ncycles);
    ok(resets_ok, "%s: %d resets succeed", what, ncycles);
    ok(s.shrinks >= (unsigned long)ncycles, "%s: stats.shrinks %lu", what, s.shrinks);
    if (want_unmap) {
        ok(n_unmap >= (unsigned long)ncycles && n_mapagain >= (unsigned long)ncycles,
           "%s: the unmap path ran (%lu munmap, %lu map-again)", what, n_unmap, n_mapagain);
        is_int(n_remap, 0, "%s: the remap path did not run", what);
    } else {
        ok(n_remap >= (unsigned long)ncycles, "%s: the remap path ran (%lu)", what, n_remap);
        ok(n_unmap == 0 && n_mapagain == 0, "%s: the unmap path did not run (%lu, %lu)", what,
           n_unmap, n_mapagain);
    }
    if (!ok(tu_check(live, live_n, 42) < 0 && vstack_avma(&st) == av,
            "%s: live data and avma intact across the cycles", what))
        diag("  first bad byte at %ld", tu_check(live, live_n, 42));
    if (maps0 < 0 || !tu_have_proc()) {
        skip(1, "%s: %s", what, tu_proc_why());
    } else {
        /* The stack itself is at most two mappings (read/write and
         * PROT_NONE); allow one more for a split, nothing that grows. */
        long slack = tap_under_valgrind() || tu_under_asan() ? 32 : 3;
        if (!ok(maps_max <= maps0 + slack, "%s: mappings stay bounded (max %ld, baseline %ld)",
                what, maps_max, maps0))
            diag("  the count grew with the cycles");
    }
    /* What the decommit path leaves behind is MAP_NORESERVE and uncharged. */
    {
        struct tu_smaps sm;
        int mode = tu_overcommit_mode();
        if (!tu_have_proc() || tu_smaps_range(tu_vbot(&st), vstack_top(&st), &sm) != 0)
            skip(1, "%s: %s", what, tu_proc_why());
        else if (mode != 0 && mode != 1)
            skip(1, "%s: MAP_NORESERVE is ignored in overcommit mode %d", what, mode);
        else if (!ok(sm.without_nr == 0 && sm.none_with_ac == 0,
                     "%s: the reservation is MAP_NORESERVE and its PROT_NONE part uncharged",
                     what))
            diag("  %ld of %ld mappings without \"nr\", %ld PROT_NONE ones with \"ac\"",
                 sm.without_nr, sm.nmaps, sm.none_with_ac);
    }
    vstack_destroy(&st);
    tu_maps_check(maps0, 0, 32, what);
    if (!ok(logs.err.count == 0, "%s: no error message", what))
        tu_logs_diag(&logs);
    /* What the library said about the environment, for the caller. */
    {
        const int vg = tap_under_valgrind();
        int unexpected = vg ? 0 : logs.warn.count;
        if (!ok(unexpected == 0 || (env && strcmp(env, "unmap") && strcmp(env, "remap")),
                "%s: no warning", what))
            tu_logs_diag(&logs);
    }
    vstack_set_default_handlers(NULL, NULL, NULL);
}

void tu_decommit_bogus_env(void)
{
    static const char *const values[] = {"bogus", ""};
    struct tu_logs logs;
    vstack st;
    int want_unmap = vs_os_config()->default_unmap;

    tu_capture_defaults(&logs);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        const char *v = values[i];
        tu_logs_clear(&logs);
        tu_env("VSTACK_DECOMMIT", v);
        vs_os_fail_reset();
        is_int(vstack_init(&st, 256 * DC_KB, 16 * DC_MB, 0), VSTACK_OK, "VSTACK_DECOMMIT=%s: vstack_init succeeds", v);
        tu_env("VSTACK_DECOMMIT", NULL);
        if (*v) {
            if (!ok(tu_contains_nocase(logs.warn.all, "VSTACK_DECOMMIT"),
                    "VSTACK_DECOMMIT=%s: a warning names the variable", v))
                tu_logs_diag(&logs);
        } else {
            is_int(logs.warn.count, 0, "VSTACK_DECOMMIT set empty: taken as unset, no warning");
        }
        if (vstack_alloc(&st, 4 * DC_MB))
            vstack_pop_all(&st);
        vstack_reset(&st);
        ok(want_unmap ? vs_os_count(VS_OS_UNMAP) > 0 : vs_os_count(VS_OS_REMAP) > 0,
           "VSTACK_DECOMMIT=%s: the platform default (%s) runs", v, want_unmap ? "unmap" : "remap");
        vstack_destroy(&st);
    }
    vstack_set_default_handlers(NULL, NULL, NULL);
}

