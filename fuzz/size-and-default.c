/* SPDX-License-Identifier: MIT */
/* size-and-default: libFuzzer harness for the size parser and GP's
 * default().  The input is a size string (and, by its first byte, the
 * default it is given to).  vstack_parse_size must agree with a reference
 * parser written from the manual's words; vstack_default must either refuse
 * with VSTACK_EINVAL and change nothing, or succeed and read back what it
 * was given (parisize as given, parisizemax page-rounded), or fail for lack
 * of memory with the old stack, its data and its sizes intact. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <vstack.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KB ((size_t)1 << 10)

/* vstack(3): decimal digits, then nothing, or one of k, m, g, t (either
 * case; powers of 10), or one of KiB, MiB, GiB, TiB (the letter in either
 * case, then exactly "iB"; powers of 1024).  Anything else, and overflow,
 * is VSTACK_EINVAL. */
static int reference(const char *s, size_t *out)
{
    size_t n = 0, mult = 1, base = 1000;
    int power;
    if (*s < '0' || *s > '9')
        return VSTACK_EINVAL;
    for (; *s >= '0' && *s <= '9'; s++) {
        size_t d = (size_t)(*s - '0');
        if (n > (SIZE_MAX - d) / 10)
            return VSTACK_EINVAL;
        n = n * 10 + d;
    }
    switch (*s) {
    case 0: *out = n; return VSTACK_OK;
    case 'k': case 'K': power = 1; break;
    case 'm': case 'M': power = 2; break;
    case 'g': case 'G': power = 3; break;
    case 't': case 'T': power = 4; break;
    default: return VSTACK_EINVAL;
    }
    if (strcmp(s + 1, "iB") == 0)
        base = 1024;
    else if (s[1] != 0)
        return VSTACK_EINVAL;
    while (power--) {
        if (mult > SIZE_MAX / base)
            return VSTACK_EINVAL;
        mult *= base;
    }
    if (n && mult > SIZE_MAX / n)
        return VSTACK_EINVAL;
    *out = n * mult;
    return VSTACK_OK;
}

static vstack st;
static unsigned char *live;
static size_t live_n;
static uint64_t live_seed;

static void fill(unsigned char *p, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)((seed + i) * 0x9e3779b97f4a7c15ULL >> 56);
}

static int intact(const unsigned char *p, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)((seed + i) * 0x9e3779b97f4a7c15ULL >> 56))
            return 0;
    return 1;
}

static void make_live(void)
{
    vstack_pop_all(&st);
    live_n = 4 * KB + (size_t)(live_seed % 4096);
    live = vstack_alloc(&st, live_n);
    if (!live)
        abort();
    fill(live, live_n, ++live_seed);
}

static size_t get(const char *name)
{
    size_t v = 0;
    if (vstack_default_get(&st, name, &v) != VSTACK_OK)
        abort();
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"parisize", "parisizemax", "parisiz", "", "PARISIZE"};
    char s[64];
    size_t got = 0, want = 0;
    int rc, ref;

    if (size == 0 || size > sizeof s)
        return 0;
    if (!st.avma) {
        if (vstack_init(&st, 256 * KB, 16 << 20, VSTACK_NOHUGEPAGES) != VSTACK_OK)
            abort();
        make_live();
    }
    const char *name = names[data[0] % 5];
    memcpy(s, data + 1, size - 1);
    s[size - 1] = 0;

    /* The parser against the reference. */
    rc = vstack_parse_size(s, &got);
    ref = reference(s, &want);
    if (rc != ref || (rc == VSTACK_OK && got != want))
        abort();

    /* default() on a stack with live data. */
    size_t r0 = get("parisize"), v0 = get("parisizemax");
    struct vstack_stats before, after;
    vstack_get_stats(&st, &before);
    vstack_sp av = vstack_avma(&st), top = vstack_top(&st);
    rc = vstack_default(&st, name, s);
    vstack_get_stats(&st, &after);
    if (after.used > after.committed || after.committed > after.reserved)
        abort();
    if (data[0] % 5 >= 2 || ref != VSTACK_OK) {
        /* An unknown name or a bad size: refused, nothing changed. */
        if (rc != VSTACK_EINVAL || !*vstack_last_error(&st))
            abort();
    }
    if (rc == VSTACK_OK) {
        size_t r = get("parisize"), v = get("parisizemax");
        if (vstack_avma(&st) != vstack_top(&st) || after.used != 0)
            abort(); /* contents discarded */
        if (v && r > v)
            abort();
        if (data[0] % 5 == 0 && r != want && r != after.committed && !(want < VSTACK_MIN_SIZE))
            abort(); /* parisize reads back as given, unless clipped or raised to the minimum */
        if (data[0] % 5 == 1 && v % 4096 != 0)
            abort();
        make_live();
    } else {
        /* Refused or failed: the old stack, its sizes and its data. */
        if (rc != VSTACK_EINVAL && rc != VSTACK_ENOMEM && rc != VSTACK_ESYS)
            abort();
        if (vstack_avma(&st) != av || vstack_top(&st) != top || get("parisize") != r0 ||
            get("parisizemax") != v0 || after.committed != before.committed || !intact(live, live_n, live_seed))
            abort();
    }
    /* Keep the stack small for the next input. */
    if (get("parisize") > (16 << 20) || get("parisizemax") > ((size_t)1 << 30) || get("parisizemax") == 0) {
        vstack_destroy(&st);
        if (vstack_init(&st, 256 * KB, 16 << 20, VSTACK_NOHUGEPAGES) != VSTACK_OK)
            abort();
        make_live();
    }
    return 0;
}
