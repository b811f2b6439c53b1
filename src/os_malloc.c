/* SPDX-License-Identifier: MIT */
/* os_malloc.c -- the memory verbs of os.h without mmap.
 *
 * Used by configure --without-mmap and on systems without mmap.  There is no
 * reservation: "reserve" allocates the whole stack with malloc, commit and
 * decommit change nothing, so the stack has a fixed size (the policy ignores
 * parisizemax with a warning), and fork copies it as it is.  The test seam
 * (in the test build: src/os.h) works as in os_unix.c. */
#include "config.h"
#include "os.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct vs_os_config vs_config = {
    .page_size = 4096, .huge_page_size = 0, .reserves = 0, .default_unmap = 0, .wipes_on_fork = 0,
};

const struct vs_os_config *vs_os_config(void) { return &vs_config; }

/* The verbs that change nothing here still count and may fail through the
 * seam, so that the policy's error paths run in this build too. */
static int vs_nothing(enum vs_os_call call, const char *name, struct vs_os_err *e)
{
    int err = vs_os_seam(call);
    return err ? vs_os_fail(e, err, name, NULL) : 0;
}

int vs_os_probe(size_t size, struct vs_os_err *e)
{
    VS_ASSERT_SIZE(size);
    return vs_nothing(VS_OS_PROBE, "probe", e);
}

int vs_os_reserve(size_t size, void **base, struct vs_os_err *e)
{
    VS_ASSERT_SIZE(size);
    int err = vs_os_seam(VS_OS_RESERVE);
    void *p = NULL;
    if (!err && (p = aligned_alloc(vs_config.page_size, size)) == NULL)
        err = ENOMEM;
    if (err)
        return vs_os_fail(e, err, "aligned_alloc", NULL);
    *base = p;
    return 0;
}

int vs_os_commit(void *addr, size_t size, struct vs_os_err *e)
{
    VS_ASSERT_RANGE(addr, size);
    return vs_nothing(VS_OS_COMMIT, "commit", e);
}

int vs_os_decommit(void *addr, size_t size, int unmap, int *hole, struct vs_os_err *e)
{
    VS_ASSERT_RANGE(addr, size);
    *hole = 0;
    return vs_nothing(unmap ? VS_OS_UNMAP : VS_OS_REMAP, "decommit", e);
}

int vs_os_release(void *addr, size_t size, struct vs_os_err *e)
{
    VS_ASSERT_RANGE(addr, size);
    int err = vs_os_seam(VS_OS_RELEASE);
    if (err)
        return vs_os_fail(e, err, "free", NULL);
    free(addr);
    return 0;
}

int vs_os_discard(void *addr, size_t size, struct vs_os_err *e)
{
    VS_ASSERT_RANGE(addr, size);
    int err = vs_os_seam(VS_OS_DISCARD);
    if (err)
        return vs_os_fail(e, err, "memset", NULL);
    memset(addr, 0, size);
    return 0;
}

int vs_os_advise_huge(void *addr, size_t size, struct vs_os_err *e)
{
    VS_ASSERT_RANGE(addr, size);
    return vs_nothing(VS_OS_ADVISE, "huge pages", e);
}

int vs_os_wipe_on_fork(void *addr, size_t size, int on, struct vs_os_err *e)
{
    VS_ASSERT_RANGE(addr, size);
    (void)on;
    int err = vs_os_seam(VS_OS_WIPE);
    return vs_os_fail(e, err ? err : ENOSYS, "wipe on fork", NULL);
}

/* config.populates is 0 here, so the policy never asks; the answer is a
 * kernel's without the advice. */
int vs_os_populate(void *addr, size_t size, struct vs_os_err *e)
{
    VS_ASSERT_RANGE(addr, size);
    int err = vs_os_seam(VS_OS_POPULATE);
    return vs_os_fail(e, err ? err : EINVAL, "populate", NULL);
}
