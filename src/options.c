/* SPDX-License-Identifier: MIT */
/* options.c -- flags and environment resolved into options, and the one
 * check of a pair of sizes.  Shared by every kind of reservation.
 *
 * The environment is read once per process, at the first init of a stack
 * or pool: a program that changes it afterwards changes nothing here
 * (vstack(3)).  Reading it at every init would race with a thread that
 * calls setenv, and would make two stacks of one program differ. */
#include "config.h"
#include "internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { VS_ENV_DECOMMIT, VS_ENV_HUGEPAGES, VS_ENV_FORKWIPE, VS_ENV_POPULATE, VS_NENV };
static const char *const vs_env_name[VS_NENV] = {"VSTACK_DECOMMIT", "VSTACK_HUGEPAGES", "VSTACK_FORKWIPE",
                                                 "VSTACK_POPULATE"};
/* The values as read, "" for unset or empty; a longer value is cut, which
 * no valid value is. */
static char vs_env_value[VS_NENV][24];
/* 0: not read yet; 1: being read by one thread; 2: read. */
static atomic_int vs_env_state;

static void vs_env_read(void)
{
    int unread = 0;
    if (atomic_load_explicit(&vs_env_state, memory_order_acquire) == 2)
        return;
    if (atomic_compare_exchange_strong(&vs_env_state, &unread, 1)) {
        for (int i = 0; i < VS_NENV; i++) {
            const char *v = getenv(vs_env_name[i]);
            snprintf(vs_env_value[i], sizeof vs_env_value[i], "%s", v ? v : "");
        }
        atomic_store_explicit(&vs_env_state, 2, memory_order_release);
        return;
    }
    while (atomic_load_explicit(&vs_env_state, memory_order_acquire) != 2)
        ; /* another thread is copying four short strings */
}

#ifdef VS_TEST_SEAM
void vs_env_forget(void) { atomic_store(&vs_env_state, 0); }
#endif

#define VS_FLAGS_KNOWN                                                                       \
    (VSTACK_NOPROBE | VSTACK_DECOMMIT_UNMAP | VSTACK_DECOMMIT_REMAP | VSTACK_HUGEPAGES | \
     VSTACK_NOHUGEPAGES | VSTACK_NOFORKWIPE | VSTACK_NOHALVE | VSTACK_NOPOPULATE)

/* One yes/no choice: the flag `yes` or `no` if one is given, else the
 * environment variable `name` (`on` or `off`; anything else is ignored with a
 * warning), else `dflt`. */
static int vs_choose(unsigned flags, unsigned yes, unsigned no, int which, const char *on, const char *off,
                     int dflt, struct vs_out *o)
{
    const char *env = vs_env_value[which], *name = vs_env_name[which];
    if (flags & yes)
        return 1;
    if (flags & no)
        return 0;
    if (!*env)
        return dflt;
    if (strcmp(env, on) == 0)
        return 1;
    if (strcmp(env, off) == 0)
        return 0;
    vs_warnf(o, VSTACK_EINVAL, "%s=%s ignored: use %s or %s", name, env, on, off);
    return dflt;
}

static int vs_both(unsigned flags, unsigned a, unsigned b) { return (flags & (a | b)) == (a | b); }

int vs_resolve_options(unsigned flags, struct vs_opts *opts, struct vs_out *o)
{
    const struct vs_os_config *cfg = vs_os_config();

    vs_env_read();
    if ((flags & ~VS_FLAGS_KNOWN) || vs_both(flags, VSTACK_DECOMMIT_UNMAP, VSTACK_DECOMMIT_REMAP) ||
        vs_both(flags, VSTACK_HUGEPAGES, VSTACK_NOHUGEPAGES))
        return vs_failf(o, VSTACK_EINVAL, "unknown or contradictory flags 0x%x", flags);

    opts->probe = cfg->reserves && !(flags & VSTACK_NOPROBE);
    opts->halve = !(flags & VSTACK_NOHALVE);
    opts->unmap = vs_choose(flags, VSTACK_DECOMMIT_UNMAP, VSTACK_DECOMMIT_REMAP, VS_ENV_DECOMMIT,
                            "unmap", "remap", cfg->default_unmap, o);
    opts->huge = vs_choose(flags, VSTACK_HUGEPAGES, VSTACK_NOHUGEPAGES, VS_ENV_HUGEPAGES, "1", "0", 0, o);
    if (opts->huge && !cfg->huge_page_size) {
        if (flags & VSTACK_HUGEPAGES)
            vs_warnf(o, VSTACK_OK, "transparent huge pages are not available: using normal pages");
        opts->huge = 0;
    }
    /* Fork-wipe has no "on" flag: it is the default wherever the system can. */
    opts->forkwipe = vs_choose(flags, 0, VSTACK_NOFORKWIPE, VS_ENV_FORKWIPE, "1", "0", 1, o) &&
                     cfg->wipes_on_fork;
    /* Populate has no "on" flag either: it is the default wherever the
     * build knows the call; a kernel that refuses it turns it off for that
     * stack or pool at the first refusal (alloc.c, pool.c). */
    opts->populate = vs_choose(flags, 0, VSTACK_NOPOPULATE, VS_ENV_POPULATE, "1", "0", 1, o) && cfg->populates;
    opts->unit = opts->huge ? cfg->huge_page_size : cfg->page_size;
    return VSTACK_OK;
}

size_t vs_round_size(const struct vs_opts *opts, size_t n)
{
    return vs_clamp_round(n < VSTACK_MIN_SIZE ? VSTACK_MIN_SIZE : n, opts->unit);
}

int vs_check_sizes(size_t min, size_t max, const char *what_min, const char *what_max,
                   struct vs_out *o)
{
    if (max < min)
        return vs_failf(o, VSTACK_EINVAL, "%s < %s: %s is %'zu, %s is %'zu", what_max, what_min, what_max,
                        max, what_min, min);
    return VSTACK_OK;
}
