/* SPDX-License-Identifier: MIT */
/* tu-stack.c -- data patterns, the page size and a stack's stats (see
 * testutil.h). */
#include "config.h"
#include "testutil.h"
#include "os.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _WIN32
#include <windows.h>
#endif

/* ---- data patterns ------------------------------------------------------ */

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

/* The pattern is a function of (seed, offset), so any byte can be checked
 * alone: word i holds mix(seed) + i * odd constant. */
static unsigned char pattern_byte(uint64_t base, size_t off)
{
    uint64_t w = base + (uint64_t)(off / 8) * 0x9e3779b97f4a7c15ULL;
    return (unsigned char)(w >> (8 * (off % 8)));
}

void tu_fill(void *p, size_t nbytes, uint64_t seed)
{
    unsigned char *b = p;
    uint64_t base = mix(seed + 1);
    size_t off = 0;
    /* Word-sized stores where the pointer allows it; bytes elsewhere. */
    while (off < nbytes && (((uintptr_t)(b + off) & 7) || off % 8)) {
        b[off] = pattern_byte(base, off);
        off++;
    }
    for (; off + 8 <= nbytes; off += 8) {
        uint64_t w = base + (uint64_t)(off / 8) * 0x9e3779b97f4a7c15ULL;
        unsigned char tmp[8];
        for (int k = 0; k < 8; k++)
            tmp[k] = (unsigned char)(w >> (8 * k));
        memcpy(b + off, tmp, 8);
    }
    for (; off < nbytes; off++)
        b[off] = pattern_byte(base, off);
}

long tu_check(const void *p, size_t nbytes, uint64_t seed)
{
    const unsigned char *b = p;
    uint64_t base = mix(seed + 1);
    size_t off = 0;
    for (; off + 8 <= nbytes; off += 8) {
        uint64_t w = base + (uint64_t)(off / 8) * 0x9e3779b97f4a7c15ULL;
        unsigned char tmp[8];
        for (int k = 0; k < 8; k++)
            tmp[k] = (unsigned char)(w >> (8 * k));
        if (memcmp(b + off, tmp, 8) != 0)
            break;
    }
    for (; off < nbytes; off++)
        if (b[off] != pattern_byte(base, off))
            return (long)off;
    return -1;
}

void *tu_alloc_filled(vstack *st, size_t n, uint64_t seed)
{
    void *p = vstack_alloc(st, n);
    if (!p)
        bail_out("cannot allocate %zu bytes of data: %s", n, vstack_last_error(st));
    tu_fill(p, n, seed);
    return p;
}

/* ---- the memory layer ---------------------------------------------------- */

void tu_require_mmap(void)
{
    if (!vs_os_config()->reserves)
        skip_all("the library was built without mmap (see t/without-mmap)");
}

/* ---- the page size, stats ------------------------------------------------ */

size_t tu_page_size(void)
{
#ifdef _WIN32
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return si.dwPageSize ? si.dwPageSize : 4096;
#else
    long ps = sysconf(_SC_PAGESIZE);
    return ps > 0 ? (size_t)ps : 4096;
#endif
}

size_t tu_round_up(size_t n, size_t unit)
{
    return (n + unit - 1) / unit * unit;
}

vstack_sp tu_bot(const vstack *st) { return vstack_top(st) - tu_stats(st).committed; }

vstack_sp tu_vbot(const vstack *st) { return vstack_top(st) - tu_stats(st).reserved; }

size_t tu_default(const vstack *st, const char *name)
{
    size_t v = (size_t)-1;
    if (vstack_default_get(st, name, &v) != VSTACK_OK)
        return (size_t)-2;
    return v;
}

struct vstack_stats tu_stats(const vstack *st)
{
    struct vstack_stats s;
    memset(&s, 0, sizeof s);
    vstack_get_stats(st, &s);
    return s;
}
