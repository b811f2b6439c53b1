/* SPDX-License-Identifier: MIT */
/* parse-size: vstack_parse_size accepts GP's size strings (digits with an
 * optional k/m/g/t power of ten, or KiB/MiB/GiB/TiB power of 1024) and
 * rejects everything else, overflow included; vstack_strerror names every
 * code. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <vstack.h>

#include "tap.h"

struct good {
    const char *s;
    unsigned long long want;
};

static const struct good goods[] = {
    {"0", 0},
    {"1", 1},
    {"007", 7},
    {"4096", 4096},
    {"4G", 4000000000ULL},
    {"4g", 4000000000ULL},
    {"512k", 512000},
    {"512K", 512000},
    {"2M", 2000000},
    {"2m", 2000000},
    {"1t", 1000000000000ULL},
    {"1T", 1000000000000ULL},
    {"0k", 0},
    {"1KiB", 1024},
    {"1kiB", 1024},
    {"3MiB", 3ULL << 20},
    {"3miB", 3ULL << 20},
    {"2GiB", 2ULL << 30},
    {"2giB", 2ULL << 30},
    {"1TiB", 1ULL << 40},
    {"1tiB", 1ULL << 40},
    {"16GiB", 16ULL << 30},
};

static const char *const bads[] = {
    "", " 1", "1 ", "+1", "-1", "-0", "1x", "1 G", "1GB", "1Gb", "1Gi", "1G ",
    "1iB", "1ib", "k", "K", "KiB", "1kk", "1KIB", "1Kib", "1KiBB", "1kB", "1.5G",
    "1,5G", "0x10", "1e9", "G1", "1P", "1PiB", "1\n", "\t1",
    /* overflow, whatever the width of size_t */
    "99999999999999999999999", "99999999999999999999999k", "20000000000000000000T",
    "100000000000000000000000000000000000000",
};

int main(void)
{
    size_t n;

    for (size_t i = 0; i < sizeof goods / sizeof goods[0]; i++) {
        int rc;
        n = 12345;
        rc = vstack_parse_size(goods[i].s, &n);
        if ((unsigned long long)(size_t)goods[i].want != goods[i].want) {
            skip(1, "\"%s\" does not fit in size_t", goods[i].s);
            continue;
        }
        is_int(rc, VSTACK_OK, "\"%s\" is accepted", goods[i].s);
        if (!ok(rc == VSTACK_OK && (unsigned long long)n == goods[i].want,
                "\"%s\" is %llu", goods[i].s, goods[i].want))
            diag("  got %llu", (unsigned long long)n);
    }

    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        n = 12345;
        char shown[64];
        size_t k = 0;
        for (const char *c = bads[i]; *c && k + 5 < sizeof shown; c++)
            if (*c == '\n' || *c == '\t')
                k += (size_t)snprintf(shown + k, sizeof shown - k, "\\%c", *c == '\n' ? 'n' : 't');
            else
                shown[k++] = *c;
        shown[k] = '\0';
        is_int(vstack_parse_size(bads[i], &n), VSTACK_EINVAL, "\"%s\" is rejected", shown);
    }
    n = 12345;
    is_int(vstack_parse_size(NULL, &n), VSTACK_EINVAL, "a NULL string is rejected");
    is_int(vstack_parse_size("1M", NULL), VSTACK_EINVAL, "nowhere to write the size: rejected");
    is_int(n, 12345, "a rejected string leaves the size alone");

    /* The edges of size_t: the largest value parses, one more overflows,
     * also through a suffix. */
    if (SIZE_MAX == UINT64_MAX) {
        static const struct good edges[] = {
            {"18446744073709551615", 18446744073709551615ULL},
            {"18446744073709551k", 18446744073709551000ULL},
            {"18446744073m", 18446744073000000ULL},
            {"18446744G", 18446744000000000ULL},
            {"18446744T", 18446744000000000000ULL},
            {"16777215TiB", 16777215ULL << 40},
            {"17179869183GiB", 17179869183ULL << 30},
        };
        static const char *const over[] = {
            "18446744073709551616", "18446744073709551620", "18446744073709552k",
            "18446745T", "16777216TiB", "17179869184GiB", "18014398509481984KiB",
        };
        for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
            n = 0;
            int rc = vstack_parse_size(edges[i].s, &n);
            if (!ok(rc == VSTACK_OK && (unsigned long long)n == edges[i].want,
                    "\"%s\" is %llu", edges[i].s, edges[i].want))
                diag("  rc %d, got %llu", rc, (unsigned long long)n);
        }
        for (size_t i = 0; i < sizeof over / sizeof over[0]; i++)
            is_int(vstack_parse_size(over[i], &n), VSTACK_EINVAL,
                   "\"%s\" overflows and is rejected", over[i]);
    } else if (SIZE_MAX == UINT32_MAX) {
        n = 0;
        ok(vstack_parse_size("4294967295", &n) == VSTACK_OK && n == SIZE_MAX,
           "\"4294967295\" is SIZE_MAX");
        is_int(vstack_parse_size("4294967296", &n), VSTACK_EINVAL, "\"4294967296\" overflows");
        is_int(vstack_parse_size("5G", &n), VSTACK_EINVAL, "\"5G\" overflows");
        is_int(vstack_parse_size("4GiB", &n), VSTACK_EINVAL, "\"4GiB\" overflows");
        is_int(vstack_parse_size("1T", &n), VSTACK_EINVAL, "\"1T\" overflows");
        is_int(vstack_parse_size("1TiB", &n), VSTACK_EINVAL, "\"1TiB\" overflows");
    }

    /* Every code has its own non-empty sentence; unknown codes get one too. */
    {
        static const int codes[] = {VSTACK_OK, VSTACK_ENOMEM, VSTACK_ESTACK, VSTACK_EINVAL,
                                    VSTACK_ESYS};
        const int ncodes = (int)(sizeof codes / sizeof codes[0]);
        int distinct = 1, nonempty = 1;
        for (int i = 0; i < ncodes; i++) {
            const char *a = vstack_strerror(codes[i]);
            if (!a || !*a) {
                nonempty = 0;
                diag("  code %d has no message", codes[i]);
                continue;
            }
            for (int j = 0; j < i; j++) {
                const char *b = vstack_strerror(codes[j]);
                if (b && strcmp(a, b) == 0) {
                    distinct = 0;
                    diag("  codes %d and %d share \"%s\"", codes[i], codes[j], a);
                }
            }
        }
        ok(nonempty, "vstack_strerror gives a message for every code");
        ok(distinct, "vstack_strerror gives distinct messages");
        const char *u1 = vstack_strerror(999), *u2 = vstack_strerror(-1);
        ok(u1 && *u1 && u2 && *u2, "vstack_strerror has a message for unknown codes");
    }

    return done_testing();
}
