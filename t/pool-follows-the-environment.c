/* SPDX-License-Identifier: MIT */
/* pool-follows-the-environment: vstack_pool_init reads VSTACK_DECOMMIT,
 * VSTACK_HUGEPAGES and VSTACK_FORKWIPE as vstack_init does.  A flag wins
 * over the environment; a value that is neither of the two spellings is
 * ignored with a warning naming the variable, kept as the last error.
 * What the pool does is seen through the seam's call counters: which
 * decommit path a shrink takes, whether the commit is advised for huge
 * pages, whether a fork marks the free tail. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"
#include "testing.h"

#define MB ((size_t)1 << 20)

/* Init a pool with NAME=VALUE in the environment, then clear it again. */
static int init_with(vstack_pool *p, const char *name, const char *value, unsigned flags, size_t min)
{
    tu_env(name, value);
    int rc = vstack_pool_init(p, min, 256 * MB, flags);
    tu_env(name, NULL);
    return rc;
}

/* Grow to 8 MiB, write it, shrink to 1 MiB: which decommit verb ran? */
static void shrink_path(const char *value, unsigned flags, int want_unmap, const char *what)
{
    vstack_pool p;
    if (init_with(&p, "VSTACK_DECOMMIT", value, flags, 1 * MB) != VSTACK_OK) {
        ok(0, "%s: init failed: %s", what, vstack_pool_last_error(&p));
        return;
    }
    int grew = vstack_pool_resize(&p, 8 * MB) == VSTACK_OK;
    if (grew)
        memset(vstack_pool_base(&p), 0x5a, 8 * MB);
    unsigned long unmap0 = vs_os_count(VS_OS_UNMAP), remap0 = vs_os_count(VS_OS_REMAP);
    int shrank = grew && vstack_pool_resize(&p, 1 * MB) == VSTACK_OK;
    unsigned long unmaps = vs_os_count(VS_OS_UNMAP) - unmap0, remaps = vs_os_count(VS_OS_REMAP) - remap0;
    ok(shrank && (want_unmap ? unmaps > 0 && remaps == 0 : remaps > 0 && unmaps == 0),
       "%s: the shrink takes the %s path (%lu munmap, %lu remap)", what, want_unmap ? "unmap" : "remap",
       unmaps, remaps);
    const unsigned char *b = vstack_pool_base(&p);
    ok(shrank && b[0] == 0x5a && b[1 * MB - 1] == 0x5a, "%s: the first MiB is kept", what);
    vstack_pool_destroy(&p);
}

static void decommit(void)
{
    shrink_path("unmap", 0, 1, "VSTACK_DECOMMIT=unmap");
    shrink_path("remap", 0, 0, "VSTACK_DECOMMIT=remap");
    shrink_path("remap", VSTACK_DECOMMIT_UNMAP, 1, "VSTACK_DECOMMIT=remap with VSTACK_DECOMMIT_UNMAP");
    shrink_path("unmap", VSTACK_DECOMMIT_REMAP, 0, "VSTACK_DECOMMIT=unmap with VSTACK_DECOMMIT_REMAP");
}

/* How many huge-page advices an init of 4 MiB makes. */
static unsigned long advices(const char *value, unsigned flags, int *rc)
{
    vstack_pool p;
    unsigned long a0 = vs_os_count(VS_OS_ADVISE);
    *rc = init_with(&p, "VSTACK_HUGEPAGES", value, flags, 4 * MB);
    unsigned long n = vs_os_count(VS_OS_ADVISE) - a0;
    if (*rc == VSTACK_OK)
        vstack_pool_destroy(&p);
    return n;
}

static void hugepages(void)
{
    int rc;
    unsigned long n;
    if (!vs_os_config()->huge_page_size) {
        skip_check("no transparent huge pages here", "VSTACK_HUGEPAGES=1 advises the commit");
        skip_check("no transparent huge pages here", "VSTACK_HUGEPAGES=1 with VSTACK_NOHUGEPAGES");
    } else {
        n = advices("1", 0, &rc);
        ok(rc == VSTACK_OK && n > 0, "VSTACK_HUGEPAGES=1 advises the commit (%lu)", n);
        n = advices("1", VSTACK_NOHUGEPAGES, &rc);
        ok(rc == VSTACK_OK && n == 0, "VSTACK_HUGEPAGES=1 with VSTACK_NOHUGEPAGES: no advice (%lu)", n);
    }
    n = advices("0", 0, &rc);
    ok(rc == VSTACK_OK && n == 0, "VSTACK_HUGEPAGES=0: no advice (%lu)", n);
}

/* How many fork-wipe calls set_used and a fork make with 1 MiB used of a
 * written 8 MiB pool; the child checks the used part. */
static unsigned long wipes(const char *value, unsigned flags, int *child_ok)
{
    vstack_pool p;
    *child_ok = 0;
    if (init_with(&p, "VSTACK_FORKWIPE", value, flags, 8 * MB) != VSTACK_OK)
        return (unsigned long)-1;
    unsigned char *b = vstack_pool_base(&p);
    memset(b, 0x33, 8 * MB);
    unsigned long w0 = vs_os_count(VS_OS_WIPE);
    vstack_pool_set_used(&p, 1 * MB);
    pid_t pid = fork();
    if (pid == 0)
        _exit(b[0] == 0x33 && b[1 * MB - 1] == 0x33 ? 0 : 1);
    unsigned long n = vs_os_count(VS_OS_WIPE) - w0;
    int status;
    *child_ok = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    vstack_pool_destroy(&p);
    return n;
}

static void forkwipe(void)
{
    int child_ok;
    unsigned long n;
    if (tu_lacks_wipe_on_fork()) {
        skip_check(tu_lacks_wipe_on_fork(), "VSTACK_FORKWIPE=1 marks the free tail");
    } else {
        n = wipes("1", 0, &child_ok);
        ok(n == 1 && child_ok, "VSTACK_FORKWIPE=1: set_used marks the free tail and keeps the mark, fork makes no call (%lu calls); the child has the used part", n);
    }
    n = wipes("0", 0, &child_ok);
    ok(n == 0 && child_ok, "VSTACK_FORKWIPE=0: set_used and a fork make no wipe call (%lu); the child has the used part", n);
    n = wipes("1", VSTACK_NOFORKWIPE, &child_ok);
    ok(n == 0 && child_ok, "VSTACK_FORKWIPE=1 with VSTACK_NOFORKWIPE: no wipe call (%lu)", n);
}

/* A value that is neither spelling: ignored, said, the pool works. */
static void nonsense(const char *name)
{
    vstack_pool p;
    int rc = init_with(&p, name, "perhaps", 0, 1 * MB);
    const char *e = vstack_pool_last_error(&p);
    ok(rc == VSTACK_OK && strstr(e, name) && strstr(e, "perhaps") && strstr(e, "ignored"),
       "%s=perhaps: init succeeds, the last error says it is ignored: %s", name, e);
    is_int(vstack_pool_last_error_code(&p), VSTACK_EINVAL, "%s=perhaps: its code is VSTACK_EINVAL", name);
    if (rc == VSTACK_OK) {
        ok(vstack_pool_resize(&p, 2 * MB) == VSTACK_OK, "%s=perhaps: the pool grows", name);
        vstack_pool_destroy(&p);
    }
}

int main(void)
{
    tu_require_mmap();
    tu_env("VSTACK_DECOMMIT", NULL);
    tu_env("VSTACK_HUGEPAGES", NULL);
    tu_env("VSTACK_FORKWIPE", NULL);
    decommit();
    hugepages();
    forkwipe();
    nonsense("VSTACK_DECOMMIT");
    nonsense("VSTACK_HUGEPAGES");
    nonsense("VSTACK_FORKWIPE");
    return done_testing();
}
