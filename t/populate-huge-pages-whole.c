/* SPDX-License-Identifier: MIT */
/* populate-huge-pages-whole: with VSTACK_HUGEPAGES, every populate covers
 * whole transparent huge pages (address and length are multiples of the
 * huge page size), inside the committed part; without it, whole pages.
 * The stand-in for madvise (the linker's --wrap) records each
 * MADV_POPULATE_WRITE and makes the real call. */
#include "config.h"

#include <stdint.h>
#include <sys/mman.h>
#include <vstack.h>

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

static void whole(unsigned flags, size_t u, const char *what)
{
    vstack st;
    unit = u;
    lo = hi = 0;
    calls = misfits = 0;
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
#endif

int main(void)
{
#if !HAVE_LD_WRAP
    skip_all("the linker has no --wrap: no stand-in for madvise");
#else
    tu_require_mmap();
    tu_require(tu_lacks_populate());
    whole(VSTACK_NOHUGEPAGES, tu_page_size(), "normal pages");
    if (tu_lacks_huge_advice() || !vs_os_config()->huge_page_size) {
        const char *why = tu_lacks_huge_advice() ? tu_lacks_huge_advice() : "no transparent huge pages here";
        skip_check(why, "huge pages: populate calls");
        skip_check(why, "huge pages: in whole huge pages");
        skip_check(why, "huge pages: inside the committed part");
    } else {
        whole(VSTACK_HUGEPAGES, vs_os_config()->huge_page_size, "VSTACK_HUGEPAGES");
    }
    return done_testing();
#endif
}
