/* os_seam.c -- the test seam of the OS layer, and the name of the last call.
 *
 * Each verb of os_unix.c / os_malloc.c calls vs_os_seam() before its system
 * call; tests arm it with vs_os_fail_nth() to make a chosen call fail. */
#include "config.h"
#include "os.h"

#include <errno.h>
#include <stdatomic.h>

/* Atomic, so that stacks in several threads may count calls concurrently;
 * arming the seam is still meant for one thread. */
static atomic_ulong vs_seam_count[VS_OS_NCALLS];
static atomic_ulong vs_seam_when[VS_OS_NCALLS];
static int vs_seam_err[VS_OS_NCALLS];
static _Thread_local const char *vs_last_call = "none";

void vs_os_fail_nth(enum vs_os_call call, unsigned long nth, int err)
{
    vs_seam_when[call] = nth ? vs_seam_count[call] + nth : 0;
    vs_seam_err[call] = err;
}

void vs_os_fail_reset(void)
{
    for (int i = 0; i < VS_OS_NCALLS; i++)
        vs_seam_count[i] = vs_seam_when[i] = 0;
}

unsigned long vs_os_count(enum vs_os_call call) { return vs_seam_count[call]; }

int vs_os_seam(enum vs_os_call call, const char *name)
{
    vs_last_call = name;
    unsigned long n = atomic_fetch_add_explicit(&vs_seam_count[call], 1, memory_order_relaxed) + 1;
    if (n == atomic_load_explicit(&vs_seam_when[call], memory_order_relaxed)) {
        vs_seam_when[call] = 0;
        return vs_seam_err[call] ? vs_seam_err[call] : ENOMEM;
    }
    return 0;
}

void vs_os_set_call(const char *name) { vs_last_call = name; }

const char *vs_os_failed_call(void) { return vs_last_call; }
