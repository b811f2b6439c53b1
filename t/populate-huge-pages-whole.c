/* SPDX-License-Identifier: MIT */
/* populate-huge-pages-whole: with VSTACK_HUGEPAGES, every populate covers
 * whole transparent huge pages (address and length are multiples of the
 * huge page size), inside the committed part; without it, whole pages.
 * The same for a pool, which populates at its growth and at set_used, with
 * sizes and `used` that end inside a page.  The stand-in for madvise (the
 * linker's --wrap) records each MADV_POPULATE_WRITE and makes the real
 * call. */
#include "config.h"

#include <stdint.h>
#include <sys/mman.h>
#include <vstack.h>
#include <vstack_pool.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#define MB ((size_t)1 << 20)
#define CHUNK ((size_t)64 << 10)

#if HAVE_LD_WRAP
int __real_madvise(void *addr, size_t len, int advice);
int __wrap_madvise(void *addr, size_t len, int advice);

static size_t unit;          /* what every populate must be a multiple of */
static uintptr_t lo, hi;     /* the committed part, checked after the call */
static long calls, misfits;  /* populates seen, and those not in whole units */

int __wrap_madvise(void *addr, size_t len, int advice)
{
#ifdef MADV_POPULATE_WRITE
    if (advice == MADV_POPULATE_WRITE && unit) { /* not the probe's call */
        calls++;
        misfits += (uintptr_t)addr % unit != 0 || len % unit != 0;
        if (!lo || (uintptr_t)addr < lo)
            lo = (uintptr_t)addr;
        if ((uintptr_t)addr + len > hi)
            hi = (uintptr_t)addr + len;
    }
#endif
    return __real_madvise(addr, len, advice);
}

static void watch(size_t u)
{
    unit = u;
    lo = hi = 0;
    calls = misfits = 0;
}

static void whole(unsigned flags, size_t u, const char *what)
{
    vstack st;
    watch(u);
    if (vstack_init(&st, 8 * MB, 512 * MB, flags) != VSTACK_OK)
        bail_out("%s: no stack: %s", what, vstack_last_error(&st));
    /* Odd sizes, so that allocations end anywhere inside a page. */
    for (size_t done = 0, n = CHUNK + 48; done < 96 * MB; done += n)
        if (!vstack_alloc(&st, n))
            bail_out("%s: cannot allocate", what);
    ok(calls > 0, "%s: %ld populate calls", what, calls);
    is_int(misfits, 0, "%s: every one in whole units of %zu bytes", what, u);
    ok(lo >= tu_bot(&st) && hi <= vstack_top(&st), "%s: inside the committed part", what);
    vstack_destroy(&st);
}

/* A pool grows in odd steps and says it uses odd amounts: every populate
 * is still in whole units, between the base and the end of the pool. */
static void pool_whole(unsigned flags, size_t u, const char *what)
{
    vstack_pool p;
    watch(u);
    if (vstack_pool_init(&p, 1 * MB, 512 * MB, flags) != VSTACK_OK)
        bail_out("%s: no pool: %s", what, vstack_pool_last_error(&p));
    for (size_t size = 3 * MB + 4095; size < 96 * MB; size += 5 * MB + 48) {
        if (vstack_pool_resize(&p, size) != VSTACK_OK)
            bail_out("%s: the pool cannot grow to %zu: %s", what, size, vstack_pool_last_error(&p));
        vstack_pool_set_used(&p, size - 1 * MB - 17);
        vstack_pool_set_used(&p, size - 5);
    }
    uintptr_t base = (uintptr_t)vstack_pool_base(&p);
    ok(calls > 0, "pool, %s: %ld populate calls", what, calls);
    is_int(misfits, 0, "pool, %s: every one in whole units of %zu bytes", what, u);
    ok(lo >= base && hi <= base + vstack_pool_size(&p), "pool, %s: inside the pool", what);
    vstack_pool_destroy(&p);
}
#endif

int main(void)
{
#if !HAVE_LD_WRAP
    skip_all("the linker has no --wrap: no stand-in for madvise");
#else
    tu_require_mmap();
    tu_require(tu_lacks_populate());
    whole(VSTACK_NOHUGEPAGES, tu_page_size(), "normal pages");
    pool_whole(VSTACK_NOHUGEPAGES, tu_page_size(), "normal pages");
    if (tu_lacks_huge_advice() || !vs_os_config()->huge_page_size) {
        const char *why = tu_lacks_huge_advice() ? tu_lacks_huge_advice() : "no transparent huge pages here";
        skip_check(why, "huge pages: populate calls");
        skip_check(why, "huge pages: in whole huge pages");
        skip_check(why, "huge pages: inside the committed part");
        skip_check(why, "pool, huge pages: populate calls");
        skip_check(why, "pool, huge pages: in whole huge pages");
        skip_check(why, "pool, huge pages: inside the pool");
    } else {
        whole(VSTACK_HUGEPAGES, vs_os_config()->huge_page_size, "VSTACK_HUGEPAGES");
        pool_whole(VSTACK_HUGEPAGES, vs_os_config()->huge_page_size, "VSTACK_HUGEPAGES");
    }
    return done_testing();
#endif
}
