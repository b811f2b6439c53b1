/* SPDX-License-Identifier: MIT */
/* size.c -- sizes as numbers and as words: GP size strings, rounding, and
 * the human form used in messages.  A leaf: it knows nothing of stacks. */
#include "config.h"
#include "internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t vs_round_up(size_t n, size_t unit)
{
    if (n > SIZE_MAX - (unit - 1))
        return 0;
    return (n + unit - 1) & ~(unit - 1);
}

size_t vs_clamp_round(size_t n, size_t unit)
{
    return vs_round_up(n > VS_SIZE_CLAMP ? VS_SIZE_CLAMP : n, unit);
}

int vs_fmt_size(size_t n, char *buf, size_t len)
{
    static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (n < 1024)
        return snprintf(buf, len, "%zu bytes", n);
    double v = (double)n / 1024;
    int i = 0;
    while (v >= 1024 && i < 5) {
        v /= 1024;
        i++;
    }
    return snprintf(buf, len, "%zu bytes (%.3g %s)", n, v, unit[i]);
}

/* Multiply *n by m; 0 on overflow. */
static int vs_mul(size_t *n, size_t m)
{
    if (*n > SIZE_MAX / m)
        return 0;
    *n *= m;
    return 1;
}

int vstack_parse_size(const char *s, size_t *out)
{
    size_t n = 0, mult = 1;
    const char *p = s;
    if (!s || !out || *p < '0' || *p > '9')
        return VSTACK_EINVAL;
    for (; *p >= '0' && *p <= '9'; p++)
        if (!vs_mul(&n, 10) || n > SIZE_MAX - (size_t)(*p - '0'))
            return VSTACK_EINVAL;
        else
            n += (size_t)(*p - '0');
    if (*p) {
        static const char letters[] = "kmgt";
        const char *l = strchr(letters, *p | 0x20);
        if (!l || !*l)
            return VSTACK_EINVAL;
        int power = (int)(l - letters) + 1;
        size_t base = 1000;
        if (p[1] == 0)
            ;
        else if (strcmp(p + 1, "iB") == 0)
            base = 1024;
        else
            return VSTACK_EINVAL;
        while (power--)
            if (!vs_mul(&mult, base))
                return VSTACK_EINVAL;
    }
    if (!vs_mul(&n, mult))
        return VSTACK_EINVAL;
    *out = n;
    return VSTACK_OK;
}
