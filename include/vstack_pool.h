/* SPDX-License-Identifier: MIT */
/* vstack_pool.h -- a workspace that grows upward from a fixed base.
 *
 * A pool is GAP's workspace done with the stack's machinery: it reserves
 * maxsize bytes of inaccessible address space at a base that never moves,
 * commits the first `size` bytes, grows and shrinks at the top end, and
 * gives pages and commit charge back when it shrinks.  A soft limit warns
 * once when crossed; a hard limit refuses.  The client manages what is
 * inside (a garbage collector, say) and tells the pool how much of it is in
 * use, so that fork() does not copy the free tail.  It stands alone, and
 * vstack.h includes it too.
 */
#ifndef VSTACK_POOL_H
#define VSTACK_POOL_H

#include "vstack_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vstack_pool vstack_pool;
typedef void (*vstack_pool_handler)(vstack_pool *p, int err, const char *msg, void *ctx);

/* A pool.  It lives in the caller's memory; its contents are the
 * library's: opaque storage of a fixed size, never read or written outside
 * the library. */
struct vstack_pool {
    union vstack_opaque_ private_;
};

struct vstack_pool_stats {
    size_t size;        /* committed bytes from the base */
    size_t reserved;    /* the reservation (maxsize as granted) */
    size_t minsize;     /* the size the pool never goes below */
    size_t soft, hard;  /* the limits, 0 for none */
    size_t high_water;  /* the largest size ever committed */
    unsigned long grows, shrinks;
    size_t ahead;       /* populated ahead of use: first touch in batches, above the most known used */
};

/* Reserve maxsize (probe, halving, RLIMIT_AS and flags as for vstack_init)
 * and commit minsize at the base.  VSTACK_EINVAL when minsize > maxsize or
 * the flags are bad; VSTACK_ENOMEM when nothing can be reserved.  A smaller
 * reservation than asked for is not a failure: the warning is in
 * vstack_pool_last_error(). */
int vstack_pool_init(vstack_pool *p, size_t minsize, size_t maxsize, unsigned flags);
/* Release everything; p may be initialised again afterwards. */
void vstack_pool_destroy(vstack_pool *p);
/* The base: the pool's first byte, which never moves. */
void *vstack_pool_base(const vstack_pool *p);
/* Committed bytes from the base. */
size_t vstack_pool_size(const vstack_pool *p);
/* Commit or give back so that newsize bytes (page-rounded, at least minsize;
 * 0 means minsize) are committed from the base; the first min(old, new)
 * bytes are kept.  Beyond the hard limit or the reservation: VSTACK_ESTACK;
 * refused by the system: VSTACK_ENOMEM; nothing changes on failure.  Growing
 * across the soft limit succeeds and tells the warn handler, once until the
 * size drops to the soft limit or below. */
int vstack_pool_resize(vstack_pool *p, size_t newsize);
/* The soft and hard limits (0: none), page-rounded.  VSTACK_EINVAL when the
 * hard limit is below minsize or the current size, or below the soft one. */
int vstack_pool_set_limits(vstack_pool *p, size_t soft, size_t hard);
/* [base + used, base + size) holds nothing the client needs: a child of
 * fork gets zeros there and fork does not copy it.  Until the first call,
 * the whole pool counts as in use.  It returns nothing: its one failure,
 * clearing a fork-wipe mark an earlier fork left behind, is seen only in
 * vstack_pool_last_error and vstack_pool_last_error_code. */
void vstack_pool_set_used(vstack_pool *p, size_t used);
void vstack_pool_set_warn_handler(vstack_pool *p, vstack_pool_handler fn, void *ctx);
/* The sentence of the last failure or warning, and its code, as
 * vstack_last_error and vstack_last_error_code. */
const char *vstack_pool_last_error(const vstack_pool *p);
int vstack_pool_last_error_code(const vstack_pool *p);
void vstack_pool_get_stats(const vstack_pool *p, struct vstack_pool_stats *out);

#ifdef __cplusplus
}
#endif
#endif /* VSTACK_POOL_H */
