/* SPDX-License-Identifier: MIT */
/* When the stack cannot hold an integer and the vstack error handler
 * returns, vstack_nt's handler gets the library's own code and sentence for
 * the failure: VSTACK_ESTACK beyond parisizemax, VSTACK_ENOMEM or VSTACK_ESYS
 * when the system refuses to commit memory (made to fail through the OS
 * test seam), never a code guessed from the sizes.  The stack stays usable. */
#include "nt-util.h"

#include <errno.h>

#include "os.h"

static int vs_err;     /* what the vstack handler saw */
static char vs_msg[256];

static void on_vstack_error(vstack *st, int err, const char *msg, void *ctx)
{
    (void)st;
    (void)ctx;
    vs_err = err;
    snprintf(vs_msg, sizeof vs_msg, "%s", msg);
    /* returns: vstack_alloc gives NULL, and vstack_nt must take over */
}

/* Allocate nlimbs; returns the code vstack_nt's handler got (0: none). */
static int try_alloc(vstack *st, size_t nlimbs)
{
    vstack_sp av = vstack_avma(st);
    vs_err = 0;
    vs_msg[0] = 0;
    int err = NTU_CATCH(vnt_new(st, nlimbs));
    vstack_set_avma(st, av);
    return err;
}

/* Allocate nlimbs and check the failure's code and sentence; each check is
 * skipped instead when why is not NULL. */
static void check_failure(vstack *st, size_t nlimbs, int want, const char *why, const char *what)
{
    int err = why ? 0 : try_alloc(st, nlimbs);
    is_int_or_skip(why, err, want, "%s: vstack_nt reports code %d (%s)", what, want, vstack_strerror(want));
    is_int_or_skip(why, vs_err, want, "%s: the vstack handler saw the same code", what);
    if (!ok_or_skip(why, vs_msg[0] && strstr(ntu_msg, vs_msg) != NULL,
                    "%s: vstack_nt's message carries the library's sentence", what))
        diag("  vstack: \"%s\"; vstack_nt: \"%s\"", vs_msg, ntu_msg);
}

/* A stack of parisize 64 KiB and parisizemax 8 MB whose vstack handler
 * returns; 0 if its size is fixed (a build without mmap). */
static int make_stack(vstack *st)
{
    size_t vsize = 0;
    ntu_init(st, VSTACK_MIN_SIZE, (size_t)8 << 20);
    vstack_set_error_handler(st, on_vstack_error, NULL);
    vstack_default_get(st, "parisizemax", &vsize);
    return vsize != 0;
}

/* The first commit after set-up fails with errno err. */
static void commit_fails(int err, const char *what)
{
    vstack st;
    size_t mb = ((size_t)1 << 20) / sizeof(mp_limb_t);
    const char *why = NULL;
    if (!make_stack(&st))
        why = "the stack has a fixed size in this build (no mmap): it never commits more";
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_COMMIT, 1, err);
    check_failure(&st, mb, err == ENOMEM ? VSTACK_ENOMEM : VSTACK_ESYS, why, what);
    vs_os_fail_reset();
    is_int_or_skip(why, try_alloc(&st, 1000), 0, "%s: the stack still takes what fits", what);
    vstack_destroy(&st);
}

int main(void)
{
    vstack st;
    make_stack(&st);
    check_failure(&st, ((size_t)16 << 20) / sizeof(mp_limb_t), VSTACK_ESTACK, NULL,
                  "16 MB on a stack of parisizemax 8 MB");
    struct vstack_stats s;
    vstack_get_stats(&st, &s);
    is_int(s.used, 0, "nothing is left on the stack");
    vstack_destroy(&st);
    /* 1 MB is within parisizemax but needs growth: the commit is refused. */
    commit_fails(EINVAL, "commit refused with EINVAL");
    commit_fails(ENOMEM, "commit refused with ENOMEM");
    return done_testing();
}
