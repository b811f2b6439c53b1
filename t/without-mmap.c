/* SPDX-License-Identifier: MIT */
/* without-mmap: the malloc layer (what configure --without-mmap builds) gives
 * a fixed-size stack with the same API: parisizemax is ignored with a
 * warning, and allocation, overflow, reset, trim and the setters behave as
 * on a fixed-size mmap stack, with no attempt to populate.  Linked against a copy of the library built
 * with src/os_malloc.c. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#if defined(__linux__) && defined(HAVE_SYS_RESOURCE_H)
#include <sys/resource.h>
#define T_RLIMIT_AS 1
#endif

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

#ifdef T_RLIMIT_AS
/* The system refuses the block for real: an address space limited to what
 * is mapped now and 64 MiB more. */
static void refused_for_real(int fd, void *arg)
{
    struct tu_logs logs;
    struct rlimit rl;
    vstack st;
    long long now = tu_maps_total();
    (void)arg;
    rl.rlim_cur = rl.rlim_max = (rlim_t)now + 64 * MB;
    if (now < 0 || setrlimit(RLIMIT_AS, &rl) != 0) {
        tu_child_ok(fd, 0, "setrlimit(RLIMIT_AS): %s", strerror(errno));
        return;
    }
    tu_capture_defaults(&logs);
    int rc = vstack_init(&st, 256 * MB, 0, VSTACK_NOHALVE);
    tu_child_ok(fd, rc == VSTACK_ENOMEM && strstr(vstack_last_error(&st), "aligned_alloc: ") &&
                        strstr(vstack_last_error(&st), strerror(ENOMEM)),
                "256 MiB, VSTACK_NOHALVE: VSTACK_ENOMEM naming aligned_alloc: %s", vstack_last_error(&st));
    rc = vstack_init(&st, 256 * MB, 0, 0);
    size_t got = rc == VSTACK_OK ? tu_default(&st, "parisize") : 0;
    tu_child_ok(fd, rc == VSTACK_OK && got >= 16 * MB && got <= 64 * MB && logs.warn.count == 1 &&
                        strstr(logs.warn.last, "aligned_alloc"),
                "256 MiB: halved to what fits (%zu bytes), with a warning: %s", got, logs.warn.last);
    unsigned char *p = rc == VSTACK_OK ? vstack_alloc(&st, got / 2) : NULL;
    if (p)
        memset(p, 1, got / 2);
    tu_child_ok(fd, p != NULL, "and the smaller stack works");
    if (rc == VSTACK_OK)
        vstack_destroy(&st);
}
#endif

int main(void)
{
    struct tu_logs logs;
    vstack st;
    unsigned char *live, *p;
    vstack_sp av;

    is_int(vs_os_config()->reserves, 0, "this test runs on the malloc layer");

    /* vsize is ignored with a warning. */
    tu_capture_defaults(&logs);
    is_int(vstack_init(&st, 1 * MB, 64 * MB, 0), VSTACK_OK, "init(1 MiB, 64 MiB)");
    if (!ok(logs.warn.count == 1 && tu_contains_nocase(logs.warn.last, "parisizemax"),
            "a warning says parisizemax is ignored"))
        tu_logs_diag(&logs);
    is_int(tu_default(&st, "parisizemax"), 0, "parisizemax reads back as 0");
    is_int(tu_default(&st, "parisize"), 1 * MB, "parisize reads back as 1 MiB");
    {
        struct vstack_stats s = tu_stats(&st);
        ok(s.committed == 0 && s.used == 0 && s.reserved >= 1 * MB,
           "1 MiB reserved, nothing committed or used yet (committed %zu, reserved %zu)", s.committed,
           s.reserved);
    }
    vstack_destroy(&st);

    tu_capture_defaults(&logs);
    is_int(vstack_init(&st, 1 * MB, 0, 0), VSTACK_OK, "init(1 MiB, 0)");
    is_int(logs.warn.count, 0, "no warning for a fixed-size stack");
    is_int(vstack_init(&(vstack){0}, 2 * MB, 1 * MB, 0), VSTACK_EINVAL,
           "vsize < rsize is still VSTACK_EINVAL");
    tu_capture_stack(&st, &logs);

    /* Allocation, alignment, overflow. */
    live = vstack_alloc(&st, 512 * KB + 3);
    ok(live != NULL && ((uintptr_t)live & 15) == 0, "512 KiB + 3, 16-byte aligned");
    if (!live)
        bail_out("cannot continue");
    tu_fill(live, 512 * KB + 3, 5);
    is_int(vs_os_count(VS_OS_POPULATE), 0, "no populate call: the malloc layer has none");
    av = vstack_avma(&st);
    p = vstack_alloc(&st, 1 * MB);
    ok(p == NULL, "allocating past parisize returns NULL");
    is_int(logs.err.count, 1, "the error handler was called once");
    is_int(logs.err.last_err, VSTACK_ESTACK, "with VSTACK_ESTACK");
    if (!ok(tu_contains_nocase(logs.err.last, "parisizemax"), "the message mentions parisizemax"))
        diag("  message: %s", logs.err.last);
    ok(vstack_avma(&st) == av && tu_check(live, 512 * KB + 3, 5) < 0,
       "avma and data unchanged by the overflow");
    is_int(vstack_grow(&st, 0), VSTACK_ESTACK, "vstack_grow is VSTACK_ESTACK");
    p = vstack_alloc(&st, 256 * KB);
    ok(p != NULL, "the stack still allocates");
    if (p)
        memset(p, 1, 256 * KB);
    {
        long *w = vstack_new_chunk(&st, 1000);
        ok(w != NULL && ((uintptr_t)w & 15) == 0, "vstack_new_chunk(1000)");
        if (w)
            w[0] = w[999] = 1;
    }

    /* Reset and trim keep what is in use. */
    vstack_set_avma(&st, av);
    is_int(vstack_reset(&st), VSTACK_OK, "vstack_reset");
    ok(vstack_avma(&st) == av && tu_check(live, 512 * KB + 3, 5) < 0,
       "reset keeps avma and data");
    is_int(vstack_trim(&st), VSTACK_OK, "vstack_trim");
    ok(vstack_avma(&st) == av && tu_check(live, 512 * KB + 3, 5) < 0,
       "trim keeps avma and data");
    p = vstack_alloc(&st, 1 * MB - 512 * KB - 4096);
    ok(p != NULL, "all of parisize is usable");
    if (p)
        memset(p, 2, 1 * MB - 512 * KB - 4096);

    /* The setters: contents discarded, sizes as asked, parisizemax ignored. */
    is_int(vstack_set_size(&st, 2 * MB), VSTACK_OK, "vstack_set_size(2 MiB)");
    is_int(tu_default(&st, "parisize"), 2 * MB, "parisize reads back as 2 MiB");
    is_int(tu_stats(&st).used, 0, "contents discarded");
    ok(vstack_alloc(&st, 3 * MB / 2) != NULL, "1.5 MiB fit in the new size");
    logs.warn.count = 0;
    is_int(vstack_set_sizemax(&st, 64 * MB), VSTACK_OK, "vstack_set_sizemax(64 MiB)");
    is_int(tu_default(&st, "parisizemax"), 0, "parisizemax still 0");
    ok(logs.warn.count >= 1, "with a warning");
    is_int(vstack_default(&st, "parisize", "3M"), VSTACK_OK, "default(parisize, \"3M\")");
    is_int(tu_default(&st, "parisize"), 3000000, "parisize reads back as given");
    is_int(vstack_default(&st, "parisize", "junk"), VSTACK_EINVAL, "a bad size is VSTACK_EINVAL");
    logs.err.count = 0;
    ok(vstack_alloc(&st, 4 * MB) == NULL && logs.err.count == 1, "overflow at the new size");
    vstack_destroy(&st);

    /* The seam reaches the malloc layer too: a failed allocation of the
     * stack is VSTACK_ENOMEM. */
    tu_capture_defaults(&logs);
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_RESERVE, 1, ENOMEM);
    {
        int rc = vstack_init(&st, VSTACK_MIN_SIZE, 0, 0);
        is_int(rc, VSTACK_ENOMEM, "a refused malloc at the minimum size is VSTACK_ENOMEM");
        if (rc == VSTACK_OK)
            vstack_destroy(&st);
    }
    vs_os_fail_reset();
    vstack_set_default_handlers(NULL, NULL, NULL);
#ifdef T_RLIMIT_AS
    if (tap_under_valgrind() || tu_under_asan() || !tu_have_proc())
        skip(1, "a real refusal needs RLIMIT_AS and /proc, with no valgrind or ASan allocator");
    else
        tu_in_child(refused_for_real, NULL, "a block the system refuses");
#else
    skip(1, "a real refusal needs RLIMIT_AS (Linux)");
#endif

    /* A pool needs address space reserved apart from memory: refused here,
     * with the reason, and nothing allocated. */
    {
        vstack_pool pool;
        is_int(vstack_pool_init(&pool, 1 * MB, 64 * MB, 0), VSTACK_ESYS, "vstack_pool_init: VSTACK_ESYS");
        ok(strstr(vstack_pool_last_error(&pool), "no mmap") != NULL, "the sentence says why: %s",
           vstack_pool_last_error(&pool));
        ok(vstack_pool_base(&pool) == NULL && vstack_pool_size(&pool) == 0, "nothing was allocated");
    }
    return done_testing();
}
