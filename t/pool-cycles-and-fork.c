/* SPDX-License-Identifier: MIT */
/* pool-cycles-and-fork: a pool through a thousand grow/shrink cycles on
 * either decommit path keeps its data and a bounded number of mappings;
 * under RLIMIT_AS its reservation is halved with a warning that stays in
 * vstack_pool_last_error; and fork leaves the parent's workspace unchanged,
 * gives the child the used part intact and zeros in the free tail that
 * vstack_pool_set_used named, and costs no system call when nothing is free. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)
#define GB ((size_t)1 << 30) /* 64 bits only: see halved() */

static size_t ps;

static void cycles(unsigned flags, const char *what)
{
    vstack_pool p;
    long maps0 = tu_maps_baseline(), maps_max = 0;
    int n = tap_under_valgrind() ? 200 : 1000, bad = 0;

    vs_os_fail_reset();
    if (vstack_pool_init(&p, 256 * KB, 64 * MB, flags) != VSTACK_OK)
        bail_out("%s: vstack_pool_init failed", what);
    unsigned char *base = vstack_pool_base(&p);
    tu_fill(base, 256 * KB, 5);
    for (int i = 0; i < n && !bad; i++) {
        size_t sz = 1 * MB + (size_t)(i % 7) * 512 * KB;
        if (vstack_pool_resize(&p, sz) != VSTACK_OK) {
            bad = 1;
            break;
        }
        base[256 * KB] = base[sz - 1] = 1; /* touch the grown part */
        if (vstack_pool_resize(&p, 0) != VSTACK_OK)
            bad = 1;
        if (i % 50 == 0 && maps0 >= 0) {
            long m = tu_maps_count();
            maps_max = m > maps_max ? m : maps_max;
        }
    }
    ok(!bad, "%s: %d grow/shrink cycles succeed", what, n);
    ok(tu_check(base, 256 * KB, 5) < 0 && vstack_pool_base(&p) == base, "%s: the data and the base stay", what);
    if (flags & VSTACK_DECOMMIT_UNMAP)
        ok(vs_os_count(VS_OS_UNMAP) >= (unsigned long)n && vs_os_count(VS_OS_REMAP) == 0,
           "%s: the unmap path ran", what);
    else
        ok(vs_os_count(VS_OS_REMAP) >= (unsigned long)n && vs_os_count(VS_OS_UNMAP) == 0,
           "%s: the remap path ran", what);
    if (maps0 < 0)
        skip(1, "%s: %s", what, tu_proc_why());
    else
        ok(maps_max <= maps0 + (tap_under_valgrind() || tu_under_asan() ? 32 : 3),
           "%s: mappings stay bounded (max %ld, baseline %ld)", what, maps_max, maps0);
    vstack_pool_destroy(&p);
    tu_maps_check(maps0, 0, 32, what);
}

/* ---- RLIMIT_AS ----------------------------------------------------------------- */

static void halved(int fd, void *arg)
{
    (void)arg;
    vstack_pool p;
    struct rlimit rl;
    long long now = tu_maps_total();
    /* 16 GiB does not fit a 32-bit size_t: there, ask for the largest size
     * the library takes (a quarter of the address space) under less room. */
    size_t room = sizeof(size_t) >= 8 ? 2 * GB - 64 * MB : 240 * MB;
    size_t max = sizeof(size_t) >= 8 ? (size_t)((uint64_t)16 << 30) : SIZE_MAX / 4;
    rl.rlim_cur = rl.rlim_max = (rlim_t)now + room;
    if (now < 0 || setrlimit(RLIMIT_AS, &rl) != 0) {
        tu_child_ok(fd, 0, "setrlimit: %s", strerror(errno));
        return;
    }
    int rc = vstack_pool_init(&p, 1 * MB, max, 0);
    tu_child_ok(fd, rc == VSTACK_OK, "init(1 MiB, %zu MiB) under a limit of %zu MiB more succeeds (%d)",
                max / MB, room / MB, rc);
    if (rc != VSTACK_OK)
        return;
    struct vstack_pool_stats s;
    vstack_pool_get_stats(&p, &s);
    tu_child_ok(fd, s.reserved < room && s.reserved >= room / 8, "the reservation was halved to %zu", s.reserved);
    tu_child_ok(fd, tu_mentions_size(vstack_pool_last_error(&p), s.reserved),
                "vstack_pool_last_error names the size granted: %s", vstack_pool_last_error(&p));
    tu_child_ok(fd, vstack_pool_last_error_code(&p) == VSTACK_ENOMEM, "with VSTACK_ENOMEM");
    tu_child_ok(fd, vstack_pool_resize(&p, s.reserved) == VSTACK_OK, "the pool grows to all of it");
    memset(vstack_pool_base(&p), 1, 64 * MB);
    vstack_pool_destroy(&p);
}

/* ---- fork ---------------------------------------------------------------------- */

static vstack_pool fp;
static const size_t fp_used = 3 * MB + 100, fp_size = 32 * MB;

static void fork_child(int fd, void *arg)
{
    (void)arg;
    unsigned char *b = vstack_pool_base(&fp);
    size_t zero = 0, kept = 0;
    tu_child_ok(fd, tu_check(b, fp_used, 9) < 0, "the used part is intact");
    for (size_t off = tu_round_up(fp_used, ps); off < fp_size; off += ps)
        zero += b[off] == 0 && b[off + ps - 1] == 0;
    tu_child_ok(fd, zero == (fp_size - tu_round_up(fp_used, ps)) / ps, "the free tail reads as zero");
    for (size_t off = fp_used; off < tu_round_up(fp_used, ps); off++)
        kept += b[off] == 0xee;
    tu_child_ok(fd, kept == tu_round_up(fp_used, ps) - fp_used, "the page that holds the end of the used part is copied whole");
    tu_child_ok(fd, vstack_pool_resize(&fp, 64 * MB) == VSTACK_OK, "the child's pool grows");
}

static void fork_plain_child(int fd, void *arg)
{
    (void)arg;
    unsigned char *b = vstack_pool_base(&fp);
    tu_child_ok(fd, tu_check(b, fp_size, 10) < 0, "without set_used, the whole pool reaches the child");
}

static void forks(void)
{
    if (tu_lacks_wipe_on_fork()) {
        skip(1, "%s", tu_lacks_wipe_on_fork());
        return;
    }
    if (vstack_pool_init(&fp, 1 * MB, 256 * MB, 0) != VSTACK_OK)
        bail_out("vstack_pool_init failed");
    if (vstack_pool_resize(&fp, fp_size) != VSTACK_OK)
        bail_out("resize failed");
    unsigned char *b = vstack_pool_base(&fp);
    tu_fill(b, fp_size, 10);
    vs_os_fail_reset();
    tu_in_child(fork_plain_child, NULL, "no set_used");
    is_int(vs_os_count(VS_OS_WIPE), 0, "no set_used: fork makes no madvise call");

    memset(b, 0xee, fp_size);
    tu_fill(b, fp_used, 9);
    vs_os_fail_reset();
    vstack_pool_set_used(&fp, fp_used);
    is_int(vs_os_count(VS_OS_WIPE), 1, "set_used: the tail is marked once, and the mark is kept");
    vs_os_fail_reset();
    vstack_pool_set_used(&fp, fp_used);
    ok(vs_os_count(VS_OS_WIPE) == 0 && vs_os_count(VS_OS_SIGBLOCK) == 0,
       "set_used with the same tail again: no call at all (%lu wipe, %lu block)", vs_os_count(VS_OS_WIPE),
       vs_os_count(VS_OS_SIGBLOCK));
    vs_os_fail_reset();
    tu_in_child(fork_child, NULL, "set_used");
    is_int(vs_os_count(VS_OS_WIPE), 0, "set_used: fork makes no madvise call");
    size_t kept = 0;
    if (tap_under_valgrind()) {
        skip(1, "memcheck: reading the tail is fine but slow");
    } else {
        for (size_t off = fp_used; off < fp_size; off++)
            kept += b[off] == 0xee;
        is_int(kept, fp_size - fp_used, "the parent's free tail is unchanged by fork");
    }
    ok(tu_check(b, fp_used, 9) < 0, "the parent's used part is unchanged");
    vstack_pool_set_used(&fp, fp_size);
    tu_fill(b, fp_size, 10);
    vs_os_fail_reset();
    tu_in_child(fork_plain_child, NULL, "all used again");
    is_int(vs_os_count(VS_OS_WIPE), 0, "used == size: no madvise call");
    vstack_pool_destroy(&fp);

    /* VSTACK_NOFORKWIPE: the tail is copied. */
    if (vstack_pool_init(&fp, fp_size, 64 * MB, VSTACK_NOFORKWIPE) != VSTACK_OK)
        bail_out("vstack_pool_init failed");
    tu_fill(vstack_pool_base(&fp), fp_size, 10);
    vstack_pool_set_used(&fp, 0);
    vs_os_fail_reset();
    tu_in_child(fork_plain_child, NULL, "VSTACK_NOFORKWIPE");
    is_int(vs_os_count(VS_OS_WIPE), 0, "VSTACK_NOFORKWIPE: no madvise call");
    vstack_pool_destroy(&fp);
}

int main(void)
{
    tu_require_mmap();
    ps = tu_page_size();
    cycles(VSTACK_DECOMMIT_REMAP, "remap path");
    cycles(VSTACK_DECOMMIT_UNMAP, "unmap path");
    if (tap_under_valgrind())
        skip(1, "RLIMIT_AS: it limits valgrind itself");
    else if (tu_lacks_rlimit(RLIMIT_AS))
        skip(1, "RLIMIT_AS: %s", tu_lacks_rlimit(RLIMIT_AS));
    else if (!tu_have_proc())
        skip(1, "RLIMIT_AS: needs /proc/self/maps: %s", tu_proc_why());
    else
        tu_in_child(halved, NULL, "RLIMIT_AS");
    forks();
    return done_testing();
}
