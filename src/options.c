/* options.c -- flags and environment resolved into options, and the one
 * check of a pair of sizes.  Shared by every kind of reservation. */
#include "config.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define VS_FLAGS_KNOWN                                                                       \
    (VSTACK_NOPROBE | VSTACK_DECOMMIT_UNMAP | VSTACK_DECOMMIT_REMAP | VSTACK_HUGEPAGES | \
     VSTACK_NOHUGEPAGES | VSTACK_NOFORKWIPE | VSTACK_NOHALVE)

/* One yes/no choice: the flag `yes` or `no` if one is given, else the
 * environment variable `name` (`on` or `off`; anything else is ignored with a
 * warning), else `dflt`. */
static int vs_choose(unsigned flags, unsigned yes, unsigned no, const char *name, const char *on,
                     const char *off, int dflt, struct vs_out *o)
{
    const char *env;
    if (flags & yes)
        return 1;
    if (flags & no)
        return 0;
    if ((env = getenv(name)) == NULL || !*env)
        return dflt;
    if (strcmp(env, on) == 0)
        return 1;
    if (strcmp(env, off) == 0)
        return 0;
    vs_warnf(o, VSTACK_EINVAL, "%s=%s ignored: use %s or %s", name, env, on, off);
    return dflt;
}

static int vs_both(unsigned flags, unsigned a, unsigned b) { return (flags & (a | b)) == (a | b); }

int vs_resolve_options(unsigned flags, struct vstack_opts_ *opts, struct vs_out *o)
{
    const struct vs_os_config *cfg = vs_os_config();

    if ((flags & ~VS_FLAGS_KNOWN) || vs_both(flags, VSTACK_DECOMMIT_UNMAP, VSTACK_DECOMMIT_REMAP) ||
        vs_both(flags, VSTACK_HUGEPAGES, VSTACK_NOHUGEPAGES))
        return vs_failf(o, VSTACK_EINVAL, "unknown or contradictory flags 0x%x", flags);

    opts->probe = cfg->reserves && !(flags & VSTACK_NOPROBE);
    opts->halve = !(flags & VSTACK_NOHALVE);
    opts->unmap = vs_choose(flags, VSTACK_DECOMMIT_UNMAP, VSTACK_DECOMMIT_REMAP, "VSTACK_DECOMMIT",
                            "unmap", "remap", cfg->default_unmap, o);
    opts->huge = vs_choose(flags, VSTACK_HUGEPAGES, VSTACK_NOHUGEPAGES, "VSTACK_HUGEPAGES", "1", "0", 0, o);
    if (opts->huge && !cfg->huge_page_size) {
        if (flags & VSTACK_HUGEPAGES)
            vs_warnf(o, VSTACK_OK, "transparent huge pages are not available: using normal pages");
        opts->huge = 0;
    }
    /* Fork-wipe has no "on" flag: it is the default wherever the system can. */
    opts->forkwipe = vs_choose(flags, 0, VSTACK_NOFORKWIPE, "VSTACK_FORKWIPE", "1", "0", 1, o) &&
                     cfg->wipes_on_fork;
    opts->unit = opts->huge ? cfg->huge_page_size : cfg->page_size;
    return VSTACK_OK;
}

size_t vs_round_size(const struct vstack_opts_ *opts, size_t n)
{
    return vs_clamp_round(n < VSTACK_MIN_SIZE ? VSTACK_MIN_SIZE : n, opts->unit);
}

int vs_check_sizes(size_t min, size_t max, const char *what_min, const char *what_max,
                   struct vs_out *o)
{
    char b1[48], b2[48];
    if (max < min)
        return vs_failf(o, VSTACK_EINVAL, "%s < %s: %s is %s, %s is %s", what_max, what_min, what_max,
                        vs_fmt_size(max, b1), what_min, vs_fmt_size(min, b2));
    return VSTACK_OK;
}
