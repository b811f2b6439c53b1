/* SPDX-License-Identifier: MIT */
/* faults.h -- the fault matrix (the t/...-failures tests): arming the seam
 * of src/os.h and making the stack under test, then, after an OS call was
 * made to fail, the checks of the code, the sentence, the live data, the
 * stack's use, the signal mask and the mappings.  Every check is one TAP
 * line; the set-up makes none. */
#ifndef VSTACK_FAULTS_H
#define VSTACK_FAULTS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <vstack.h>
#include <vstack_pool.h>

#include "os.h"
#include "testutil.h"

/* The code a failure with errno err gives (VSTACK_ENOMEM for ENOMEM and
 * EAGAIN, else VSTACK_ESYS), and its name. */
int tf_code(int err);
const char *tf_code_name(int code);

/* Does msg name one of calls (words separated by '|') and the reason: why
 * when it is not NULL, else strerror(err)?  tf_names is the TAP line. */
int tf_mentions(const char *msg, const char *calls, int err, const char *why);
int tf_names(const char *msg, const char *calls, int err, const char *why, const char *what);

/* A stack under test, with live_n bytes of live data made from seed. */
struct tf_stack {
    vstack st;
    struct tu_logs logs;
    unsigned char *live;
    size_t live_n;
    uint64_t seed;
};

/* The seam armed afresh: every count and failure cleared, then the nth use
 * of call made to fail with errno err.  vs_os_fail_nth arms more. */
void tf_fail(enum vs_os_call call, unsigned long nth, int err);
/* vstack_init(st, rsize, vsize, flags) under the seam as it is armed, with
 * the process-wide handlers logging into logs for that call only: what
 * init says goes there, and no later stack inherits the handlers.
 * Returns vstack_init's code. */
int tf_init(vstack *st, struct tu_logs *logs, size_t rsize, size_t vsize, unsigned flags);
/* Give s->st live_n bytes of live data, allocated and filled from seed
 * (bail out when they cannot be): after tf_init and tu_capture_stack(&s->st,
 * &s->logs), or again after a rebuild dropped the old data. */
void tf_live(struct tf_stack *s, size_t live_n, uint64_t seed);
/* Allocate n bytes above the live data, write them, and pop them again:
 * the stack has grown to hold them (bail out when it cannot). */
void tf_grow_pop(struct tf_stack *s, size_t n, const char *what);
/* tf_init with the seam disarmed (bail out on failure), then tf_live, and
 * the seam disarmed again: a stack with live data whose counts start at 0. */
void tf_open(struct tf_stack *s, size_t rsize, size_t vsize, unsigned flags, size_t live_n,
             uint64_t seed);
/* The live data still holds its pattern. */
int tf_intact(const struct tf_stack *s, const char *what);
/* used <= committed <= reserved, and bot <= lim <= avma <= top. */
int tf_consistent(const vstack *st, const char *what);
/* The stack is usable: every free committed byte can be allocated and
 * written, a further allocation of grow_by bytes either succeeds or is
 * reported through the error handler, avma goes back, a reset succeeds,
 * and the live data is still intact.  Several TAP lines. */
void tf_usable(struct tf_stack *s, size_t grow_by, const char *what);
/* Disarm the seam, and the TAP line tu_maps_check(maps0, 0, slack_vg, what):
 * nothing is left mapped by what came after maps0. */
void tf_unmapped(long maps0, long slack_vg, const char *what);
/* Destroy the stack, disarm the seam, and check the mapping count is back
 * to maps0 (skipped where counts are not exact). */
void tf_close(struct tf_stack *s, long maps0, const char *what);

/* The same for a pool: disarm the seam, destroy p, and tf_unmapped. */
void tf_pool_close(vstack_pool *p, long maps0, long slack_vg, const char *what);

/* The calling thread's signal mask, and the TAP line that it is the same
 * as before. */
void tf_mask(sigset_t *out);
int tf_mask_same(const sigset_t *before, const char *what);

/* The TAP line that what the seam kept mapped since snap is want bytes
 * (then unmapped), skipped where it cannot be told. */
void tf_swept(const struct tu_maps_snap *snap, long long want, const char *what);

#endif
