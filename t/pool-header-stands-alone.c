/* SPDX-License-Identifier: MIT */
/* pool-header-stands-alone: a program that includes vstack_pool.h and
 * nothing else of the library builds, and its pool works: the header
 * brings what it needs (vstack_common.h), not the stack's header. */
#include <vstack_pool.h>

#ifdef VSTACK_H
#error "vstack_pool.h includes vstack.h"
#endif

#include <string.h>

#include "tap.h"

int main(void)
{
    vstack_pool p;
    plan(4);
    is_int((int)sizeof(struct vstack_pool), VSTACK_OPAQUE_SIZE, "struct vstack_pool is its opaque storage");
    int rc = vstack_pool_init(&p, 64 << 10, 64 << 20, 0);
    if (rc == VSTACK_ESYS && strstr(vstack_pool_last_error(&p), "no mmap")) {
        skip(3, "a pool needs mmap: %s", vstack_pool_last_error(&p));
        return done_testing();
    }
    is_int(rc, VSTACK_OK, "a pool made through vstack_pool.h alone");
    if (rc != VSTACK_OK)
        bail_out("no pool: %s", vstack_pool_last_error(&p));
    is_int(vstack_pool_resize(&p, 1 << 20), VSTACK_OK, "it grows");
    memset(vstack_pool_base(&p), 7, 1 << 20);
    ok(((unsigned char *)vstack_pool_base(&p))[(1 << 20) - 1] == 7, "its memory is usable");
    vstack_pool_destroy(&p);
    return done_testing();
}
