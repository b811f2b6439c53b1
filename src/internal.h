/* internal.h -- declarations shared by the policy files of libvstack.
 * Internal symbols carry the vs_ prefix and are not exported. */
#ifndef VSTACK_INTERNAL_H
#define VSTACK_INTERNAL_H

#include "vstack.h"
#include <stddef.h>

#if defined(__GNUC__)
#define VS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define VS_PRINTF(a, b)
#endif

/* error.c: deliver a message to the stack's handler, or the process-wide one.
 * During vstack_init the stack has no handler yet: the process-wide ones apply. */
void vs_warn(vstack *st, int err, const char *fmt, ...) VS_PRINTF(3, 4);
/* Report an allocation failure: the error handler, or one line on stderr
 * when there is no handler at all.  May not return (the handler may longjmp). */
void vs_error(vstack *st, int err, const char *fmt, ...) VS_PRINTF(3, 4);
/* Record the sentence of a failure in st->errmsg, without calling a handler;
 * returns err. */
int vs_fail(vstack *st, int err, const char *fmt, ...) VS_PRINTF(3, 4);
/* Map an errno from the OS layer to a VSTACK_E* code. */
int vs_errno_code(int err);

/* Internal bits of vstack.flags, resolved at init. */
#define VS_F_UNMAP 0x10000u /* decommit by munmap + mmap */
#define VS_F_HUGE 0x20000u  /* commit in huge-page units with MADV_HUGEPAGE */

/* size.c: round n up to a multiple of unit (a power of two); 0 on overflow. */
size_t vs_round_up(size_t n, size_t unit);
/* Human-readable size for messages, e.g. "2000003072 bytes (1.86 GiB)". */
const char *vs_fmt_size(size_t n, char buf[static 48]);

/* fork.c: the list of live stacks, for vstack_atfork_trim. */
void vs_live_add(vstack *st);
void vs_live_remove(vstack *st);

#endif
