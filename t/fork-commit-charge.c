/* SPDX-License-Identifier: MIT */
/* fork-commit-charge: a process with a huge parisizemax forks without
 * paying for it: children allocate on their copy of the stack and exit 0,
 * the parent's data is intact, and (Linux) Committed_AS while the children
 * live grows by nothing near parisizemax. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vstack.h>

#include "tap.h"
#include "testutil.h"

#define MB ((size_t)1 << 20)
#define GB ((size_t)1 << 30)
#define NCHILD 4

/* What a child reports once it has used its copy of the stack: the commit
 * charge of the whole process and of the stack's range, as the "ac" flags
 * of /proc/self/smaps show it (-1 without smaps), and its committed size. */
struct report {
    long long total_ac, stack_ac;
    size_t committed;
};

static struct report charge_of(const vstack *st)
{
    struct report r = {-1, -1, tu_stats(st).committed};
    struct tu_smaps sm;
    if (tu_have_proc() && tu_smaps_range(0, UINTPTR_MAX, &sm) == 0)
        r.total_ac = (long long)sm.ac_bytes;
    if (tu_have_proc() && tu_smaps_range(tu_vbot(st), vstack_top(st), &sm) == 0)
        r.stack_ac = (long long)sm.ac_bytes;
    return r;
}

/* In a child: use the copy of the stack, report, wait for the parent to
 * close the pipe, exit 0 when everything checked out. */
static int child(vstack *st, unsigned char *data, size_t n, int ready_fd, int go_fd, int k)
{
    int bad = 0;
    char c;
    struct report r;
    unsigned char *mine = vstack_alloc(st, 1 * MB);
    if (!mine)
        bad |= 1;
    else
        tu_fill(mine, 1 * MB, 1000 + (uint64_t)k);
    if (tu_check(data, n, 7) >= 0)
        bad |= 2;
    r = charge_of(st);
    if (write(ready_fd, &r, sizeof r) != (ssize_t)sizeof r)
        bad |= 4;
    while (read(go_fd, &c, 1) < 0 && errno == EINTR)
        ;
    if (mine && tu_check(mine, 1 * MB, 1000 + (uint64_t)k) >= 0)
        bad |= 8;
    /* A child may also grow its copy and reset it. */
    if (!vstack_alloc(st, 8 * MB))
        bad |= 16;
    vstack_set_avma(st, (vstack_sp)data);
    if (vstack_reset(st) != VSTACK_OK)
        bad |= 32;
    vstack_destroy(st);
    return bad;
}

/* Committed_AS is system-wide: other processes (a parallel make check, a
 * probe mapping somewhere) add short-lived charges.  The smallest of a few
 * samples taken over ~100 ms filters them out. */
static long committed_as_min(void)
{
    long best = -1;
    for (int i = 0; i < 10; i++) {
        long v = tu_committed_as_kb();
        if (v >= 0 && (best < 0 || v < best))
            best = v;
        usleep(10000);
    }
    return best;
}

int main(void)
{
    struct tu_logs logs;
    vstack st;
    const int vg = tap_under_valgrind();
    const size_t vsize = sizeof(size_t) >= 8 ? 16 * GB : 1 * GB;
    const size_t n = 64 * MB;
    const int have_meminfo = tu_committed_as_kb() >= 0;
    long c_init, c_before, c_during = -1, c_after = -1;
    unsigned char *data;
    size_t reserved, limit;
    pid_t pids[NCHILD];
    struct report before, kids[NCHILD];
    int ready[2], go[2];
    int nready = 0;

    tu_require_mmap();

    tu_capture_defaults(&logs);
    c_init = committed_as_min();
    if (vstack_init(&st, 1 * MB, vsize, 0) != VSTACK_OK)
        bail_out("vstack_init(1 MiB, %zu) failed", vsize);
    reserved = tu_stats(&st).reserved;
    ok(reserved >= (vg ? 64 * MB : vsize / 4), "reserved %zu (asked %zu)", reserved, vsize);
    data = tu_alloc_filled(&st, n, 7);
    before = charge_of(&st);
    c_before = committed_as_min();

    if (pipe(ready) != 0 || pipe(go) != 0)
        bail_out("pipe: %s", strerror(errno));
    fflush(stdout);
    fflush(stderr);
    for (int k = 0; k < NCHILD; k++) {
        pids[k] = fork();
        if (pids[k] < 0)
            bail_out("fork: %s", strerror(errno));
        if (pids[k] == 0) {
            close(ready[0]);
            close(go[1]);
            _exit(child(&st, data, n, ready[1], go[0], k));
        }
    }
    close(ready[1]);
    close(go[0]);
    while (nready < NCHILD && read(ready[0], &kids[nready], sizeof kids[0]) == sizeof kids[0])
        nready++;
    is_int(nready, NCHILD, "%d children allocated on their copy and are waiting", NCHILD);
    if (have_meminfo)
        c_during = committed_as_min();
    close(go[1]);
    close(ready[0]);
    {
        int all0 = 1;
        for (int k = 0; k < NCHILD; k++) {
            int status = 0;
            while (waitpid(pids[k], &status, 0) < 0 && errno == EINTR)
                ;
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                all0 = 0;
                diag("  child %d: %s %d", k, WIFEXITED(status) ? "exit status" : "signal",
                     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
            }
        }
        ok(all0, "every child exited with status 0");
    }
    if (have_meminfo)
        c_after = committed_as_min();

    /* What must not happen is a charge of the order of parisizemax, once
     * per process. */
    limit = reserved / 8 > 1 * GB ? reserved / 8 : 1 * GB;
    /* Under valgrind each child also carries a copy of valgrind's own
     * memory; the reservation is capped there anyway. */
    if (vg && before.total_ac > 0)
        limit += (size_t)NCHILD * (size_t)before.total_ac;

    /* The processes' own charge, from their smaps: exact. */
    if (before.total_ac >= 0 && nready == NCHILD) {
        long long sum = 0, stack_max = 0;
        int stack_ok = 1;
        for (int k = 0; k < NCHILD; k++) {
            sum += kids[k].total_ac;
            if (kids[k].stack_ac > stack_max)
                stack_max = kids[k].stack_ac;
            if (kids[k].stack_ac > (long long)kids[k].committed)
                stack_ok = 0;
        }
        ok(before.stack_ac <= (long long)tu_stats(&st).committed,
           "the parent's stack is charged for at most its committed part (%lld MiB)",
           before.stack_ac >> 20);
        ok(stack_ok, "each child's stack is charged for at most its committed part (max %lld MiB)",
           stack_max >> 20);
        if (!ok(sum < (long long)limit,
                "the %d children are charged %lld MiB in all (limit %zu MiB, reserved %zu MiB)",
                NCHILD, sum >> 20, limit >> 20, reserved >> 20))
            diag("  the parent is charged %lld MiB", before.total_ac >> 20);
    } else {
        skip(1, "%s", tu_proc_why());
    }

    /* Committed_AS is system-wide: another process may add a large charge
     * at the same time.  An increase still there after our children have
     * gone is not ours. */
    if (have_meminfo && c_during >= 0) {
        long long grow = (long long)(c_during - c_before) * 1024;
        long long total = (long long)(c_during - c_init) * 1024;
        long long foreign = (long long)(c_after - c_before) * 1024;
        if (grow >= (long long)limit && foreign >= (long long)limit / 2) {
            skip(1, "Committed_AS moved by %lld MiB because of other processes", foreign >> 20);
        } else {
            if (!ok(grow < (long long)limit,
                    "Committed_AS grew by %lld MiB with %d children alive (limit %zu MiB)",
                    grow >> 20, NCHILD, limit >> 20))
                diag("  Committed_AS: %ld kB before init, %ld kB before fork, %ld kB with %d "
                     "children, %ld kB after",
                     c_init, c_before, c_during, NCHILD, c_after);
            ok(total < (long long)limit + (long long)n,
               "Committed_AS grew by %lld MiB since before init", total >> 20);
        }
    } else {
        skip(1, "no Committed_AS in /proc/meminfo");
    }

    if (!ok(tu_check(data, n, 7) < 0, "the parent's data is intact"))
        diag("  first bad byte at %ld", tu_check(data, n, 7));
    ok(vstack_alloc(&st, 32 * MB) != NULL, "the parent still grows its stack");
    vstack_destroy(&st);
    is_int(logs.err.count, 0, "no error message");
    vstack_set_default_handlers(NULL, NULL, NULL);
    return done_testing();
}
