/* faults.h -- the checks of the fault matrix (the t/...-failures tests): after an
 * OS call was made to fail through the seam of src/os.h, the code, the
 * sentence, the live data, the stack's use, the signal mask and the
 * mappings.  Every check is one TAP line. */
#ifndef VSTACK_FAULTS_H
#define VSTACK_FAULTS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <vstack.h>

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

/* Initialise s->st (bail out on failure) with its messages captured in
 * s->logs, allocate and fill the live data, and disarm the seam. */
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
/* Destroy the stack, disarm the seam, and check the mapping count is back
 * to maps0 (skipped where counts are not exact). */
void tf_close(struct tf_stack *s, long maps0, const char *what);

/* The calling thread's signal mask, and the TAP line that it is the same
 * as before. */
void tf_mask(sigset_t *out);
int tf_mask_same(const sigset_t *before, const char *what);

/* The TAP line that what the seam kept mapped since snap is want bytes
 * (then unmapped), skipped where it cannot be told. */
void tf_swept(const struct tu_maps_snap *snap, long long want, const char *what);

#endif
