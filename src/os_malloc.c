/* os_malloc.c -- the memory verbs of os.h without mmap.
 *
 * Used by configure --without-mmap and on systems without mmap.  There is no
 * reservation: "reserve" allocates the whole stack with malloc, commit and
 * decommit do nothing, so the stack has a fixed size (the policy ignores
 * parisizemax with a warning).  The test seam works as in os_unix.c. */
#include "config.h"
#include "os.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct vs_os_config vs_config = {
    .page_size = 4096, .huge_page_size = 0, .has_mmap = 0, .default_unmap = 0,
};

const struct vs_os_config *vs_os_config(void) { return &vs_config; }


int vs_os_probe(size_t size)
{
    (void)size;
    return vs_os_seam(VS_OS_PROBE, "malloc (probe)");
}

int vs_os_reserve(size_t size, void **base)
{
    int err = vs_os_seam(VS_OS_RESERVE, "aligned_alloc");
    if (err)
        return err;
    void *p = aligned_alloc(vs_config.page_size, size);
    if (!p)
        return ENOMEM;
    *base = p;
    return 0;
}

int vs_os_commit(void *addr, size_t size)
{
    (void)addr;
    (void)size;
    return vs_os_seam(VS_OS_COMMIT, "commit");
}

int vs_os_decommit(void *addr, size_t size, int unmap, int *hole)
{
    (void)addr;
    (void)size;
    *hole = 0;
    return vs_os_seam(unmap ? VS_OS_UNMAP : VS_OS_REMAP, "decommit");
}

int vs_os_release(void *addr, size_t size)
{
    (void)size;
    int err = vs_os_seam(VS_OS_RELEASE, "free");
    if (err)
        return err;
    free(addr);
    return 0;
}

int vs_os_discard(void *addr, size_t size)
{
    int err = vs_os_seam(VS_OS_DISCARD, "memset");
    if (err)
        return err;
    memset(addr, 0, size);
    return 0;
}

int vs_os_advise_huge(void *addr, size_t size)
{
    (void)addr;
    (void)size;
    return 0;
}
