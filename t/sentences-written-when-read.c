/* SPDX-License-Identifier: MIT */
/* sentences-written-when-read: a failure or warning is recorded as its
 * format and its arguments (src/report.c), and written out only where
 * somebody reads it: in a handler's call, or in vstack_last_error.  A call
 * that succeeds, or whose warning nobody hears, writes nothing.  Written
 * out, each sentence reads as printf would have written it, sizes in words;
 * a string of the caller's is copied when recorded, so that the sentence
 * outlives it. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <vstack.h>

#include "internal.h"
#include "tap.h"
#include "testing.h"
#include "testutil.h"

/* ---- the recorder and the writer, directly ------------------------------- */

/* Each format, recorded then written, against snprintf's own writing. */
static void matches_printf(void)
{
    struct vs_out o;
    char got[VS_MSG_LEN], want[VS_MSG_LEN];
    int x = -42;
    uintptr_t addr = (uintptr_t)&x;

#define SAME(fmt, ...)                                                                                          \
    do {                                                                                                        \
        vs_out_init(&o);                                                                                        \
        vs_failf(&o, VSTACK_EINVAL, fmt, __VA_ARGS__);                                                          \
        snprintf(want, sizeof want, fmt, __VA_ARGS__);                                                          \
        ok(strcmp(vs_line_format(&o.fail, got, sizeof got), want) == 0, "%s: \"%s\" (printf: \"%s\")", fmt, got, \
           want);                                                                                               \
    } while (0)
    SAME("%s and %s", "one", "two");
    SAME("%d %i %u %x %c", x, 7, 4000000000u, 0xbeefu, 'q');
    SAME("%ld %lu %lld %llu", -5L, 6UL, -7LL, 18000000000000000000ULL);
    SAME("%zu bytes, %5d|%-6s|%08x", (size_t)123456789, 12, "ab", 0x1fu);
    SAME("%p at %#" PRIxPTR ", 100%% sure", (void *)&x, addr);
    SAME("%.3s|%.10s|%-8.2s|", "abcdef", "xy", "pqrs");
    SAME("tail %s", "");
#undef SAME
}

static void sizes_in_words(void)
{
    struct vs_out o;
    char got[VS_MSG_LEN];
    vs_out_init(&o);
    vs_warnf(&o, VSTACK_OK, "%'zu, %'zu, %'zu and %'zu", (size_t)512, (size_t)1 << 20, (size_t)2000003072,
             (size_t)3 << 30);
    vs_line_format(&o.warn[0], got, sizeof got);
    ok(strcmp(got, "512 bytes, 1048576 bytes (1 MiB), 2000003072 bytes (1.86 GiB) and 3221225472 bytes (3 GiB)")
           == 0,
       "%%'zu writes a size in words: %s", got);
    is_int(o.nwarn, 1, "one warning recorded");
    is_int(o.warn[0].code, VSTACK_OK, "with its code");
}

/* A caller's string written %.Ns is copied when recorded (up to N bytes);
 * the copies of one sentence share VS_COPY_LEN bytes, and what does not
 * fit is cut, never overrun. */
static void callers_strings_copied(void)
{
    struct vs_out o;
    char got[VS_MSG_LEN], name[32], value[200];
    snprintf(name, sizeof name, "parisize");
    snprintf(value, sizeof value, "12 apples");
    vs_out_init(&o);
    vs_failf(&o, VSTACK_EINVAL, "default(%.24s): bad \"%.5s\"", name, value);
    memset(name, 'X', sizeof name - 1);
    memset(value, 'Y', sizeof value - 1);
    vs_line_format(&o.fail, got, sizeof got);
    ok(strcmp(got, "default(parisize): bad \"12 ap\"") == 0,
       "the caller's strings as they were when recorded, cut at their precision: %s", got);

    value[sizeof value - 1] = '\0';
    vs_out_init(&o);
    vs_failf(&o, VSTACK_EINVAL, "[%.150s][%.150s][%.150s]", value, value, value);
    vs_line_format(&o.fail, got, sizeof got);
    size_t first = strspn(got + 1, "Y");
    ok(first == VS_COPY_LEN - 1 && strcmp(got + 1 + first, "][][]") == 0,
       "copies past VS_COPY_LEN bytes are cut, then empty: %s", got);
}

static void os_reason_and_limits(void)
{
    struct vs_out o;
    char got[VS_MSG_LEN], want[VS_MSG_LEN], small[16];
    struct vs_os_err e;
    vs_os_fail(&e, ENOMEM, "mmap", NULL);
    vs_out_init(&o);
    is_int(vs_fail_os(&o, &e, "cannot grow from %'zu", (size_t)4096), VSTACK_ENOMEM, "ENOMEM is VSTACK_ENOMEM");
    snprintf(want, sizeof want, "cannot grow from 4096 bytes (4 KiB): mmap: %s", strerror(ENOMEM));
    vs_line_format(&o.fail, got, sizeof got);
    ok(strcmp(got, want) == 0, "the OS call and its reason follow the sentence: %s", got);
    vs_os_fail(&e, EPERM, "madvise", "no such advice here");
    vs_warn_os(&o, &e, "advice refused");
    vs_line_format(&o.warn[0], got, sizeof got);
    ok(strcmp(got, "advice refused: madvise: no such advice here") == 0, "a reason in words: %s", got);
    is_int(o.warn[0].code, VSTACK_ESYS, "EPERM is VSTACK_ESYS");

    vs_line_format(&o.fail, small, sizeof small);
    ok(strcmp(small, "cannot grow fro") == 0, "a short buffer gets the start, ended: \"%s\"", small);
    vs_line_format(&o.fail, small, 1);
    ok(small[0] == '\0', "a buffer of one byte gets \"\"");

    vs_warn_failure(&o, &o);
    is_int(o.nwarn, 2, "a failure recorded again as a warning");
    vs_line_format(&o.warn[1], got, sizeof got);
    ok(strcmp(got, want) == 0 && o.warn[1].code == VSTACK_ENOMEM, "with its words and its code: %s", got);

    struct vs_line last;
    vs_out_last(&o, &last);
    ok(last.code == VSTACK_ENOMEM && strcmp(vs_line_format(&last, got, sizeof got), want) == 0,
       "the last error is the failure, not the later warning");
    vs_out_init(&o);
    vs_out_last(&o, &last);
    ok(last.code == VSTACK_OK && strcmp(vs_line_format(&last, got, sizeof got), "") == 0,
       "nothing recorded: no sentence, code VSTACK_OK");

    /* One conversion more than a sentence may have: written up to it. */
    vs_out_init(&o);
    vs_failf(&o, VSTACK_EINVAL, "%d %d %d %d %d %d %d end", 1, 2, 3, 4, 5, 6, 7);
    vs_line_format(&o.fail, got, sizeof got);
    ok(strcmp(got, "1 2 3 4 5 6 ") == 0, "past VS_NARGS arguments the sentence stops: \"%s\"", got);
}

/* ---- through the API: written where read, and only there ----------------- */

static int heard;
static char heard_msg[VS_MSG_LEN];
static void pool_hear(vstack_pool *p, int err, const char *msg, void *ctx)
{
    (void)p, (void)err, (void)ctx;
    heard++;
    snprintf(heard_msg, sizeof heard_msg, "%s", msg);
}

static void written_where_read(void)
{
    vstack st;
    vstack_pool pool;
    unsigned long n0;

    if (vstack_init(&st, 1 << 20, 64 << 20, 0) != VSTACK_OK)
        bail_out("vstack_init: %s", vstack_last_error(&st));
    size_t max = 0, mib;
    vstack_default_get(&st, "parisizemax", &max); /* 0 where there is no mmap: a fixed stack */
    mib = max ? 63 : 0;
    n0 = vs_formatted_count();
    for (size_t i = 0; i < mib; i++)
        if (!vstack_alloc(&st, 1 << 20))
            bail_out("vstack_alloc: %s", vstack_last_error(&st));
    vstack_reset(&st);
    is_int((long long)(vs_formatted_count() - n0), 0, "%zu MiB of growth and a reset write no sentence", mib);

    char value[] = "12 apples";
    n0 = vs_formatted_count();
    is_int(vstack_default(&st, "parisize", value), VSTACK_EINVAL, "a bad size is refused");
    is_int((long long)(vs_formatted_count() - n0), 0, "its sentence is not written while nobody reads it");
    memcpy(value, "99 pears!", sizeof value);
    const char *msg = vstack_last_error(&st);
    is_int((long long)(vs_formatted_count() - n0), 1, "vstack_last_error writes it");
    ok(strstr(msg, "bad size \"12 apples\"") != NULL, "with the value as it was given: %s", msg);
    is_int(vstack_last_error_code(&st), VSTACK_EINVAL, "the code is there without writing anything");
    is_int((long long)(vs_formatted_count() - n0), 1, "reading the code writes nothing");
    vstack_destroy(&st);
    ok(strcmp(vstack_last_error(&st), "") == 0, "a destroyed stack has no last error");

    int rc = vstack_pool_init(&pool, 1 << 20, 256 << 20, 0);
    if (rc == VSTACK_ESYS && strstr(vstack_pool_last_error(&pool), "no mmap")) {
        skip(6, "a pool needs mmap: %s", vstack_pool_last_error(&pool));
        return;
    }
    if (rc != VSTACK_OK)
        bail_out("vstack_pool_init: %s", vstack_pool_last_error(&pool));
    if (vstack_pool_set_limits(&pool, 4 << 20, 0) != VSTACK_OK)
        bail_out("vstack_pool_set_limits: %s", vstack_pool_last_error(&pool));
    n0 = vs_formatted_count();
    is_int(vstack_pool_resize(&pool, 8 << 20), VSTACK_OK, "the pool grows past its soft limit");
    is_int((long long)(vs_formatted_count() - n0), 0, "the warning with no handler to hear it is not written");
    msg = vstack_pool_last_error(&pool);
    ok(strstr(msg, "past its soft limit 4194304 bytes (4 MiB)") != NULL, "it is written when read: %s", msg);
    vstack_pool_set_warn_handler(&pool, pool_hear, NULL);
    if (vstack_pool_set_limits(&pool, 12 << 20, 0) != VSTACK_OK)
        bail_out("vstack_pool_set_limits: %s", vstack_pool_last_error(&pool));
    n0 = vs_formatted_count();
    is_int(vstack_pool_resize(&pool, 16 << 20), VSTACK_OK, "grows past the new soft limit");
    ok(heard == 1 && strstr(heard_msg, "the pool grew to 16777216 bytes (16 MiB)") != NULL,
       "the handler hears it written: %s", heard_msg);
    is_int((long long)(vs_formatted_count() - n0), 1, "written once, for the handler");
    vstack_pool_destroy(&pool);
}

int main(void)
{
    matches_printf();
    sizes_in_words();
    callers_strings_copied();
    os_reason_and_limits();
    written_where_read();
    return done_testing();
}
