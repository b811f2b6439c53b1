/* SPDX-License-Identifier: MIT */
/* tu-logs.c -- what the library says: handler capture, what a message
 * mentions, and what goes to stderr (see testutil.h). */
#include "config.h"
#include "testutil.h"
#include "tap.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef _WIN32
#include <io.h>
#endif

/* ---- handler capture ---------------------------------------------------- */

void tu_log_clear(struct tu_log *log)
{
    memset(log, 0, sizeof *log);
    log->last_err = -1;
}

void tu_logs_clear(struct tu_logs *logs)
{
    tu_log_clear(&logs->err);
    tu_log_clear(&logs->warn);
}

static void tu_log_add(struct tu_log *log, int err, const char *msg)
{
    size_t len;
    if (!msg)
        msg = "(null)";
    log->count++;
    log->last_err = err;
    snprintf(log->last, sizeof log->last, "%s", msg);
    len = strlen(log->all);
    if (len + 2 < sizeof log->all)
        snprintf(log->all + len, sizeof log->all - len, "%s%s", len ? "\n" : "", msg);
}

void tu_err_handler(vstack *st, int err, const char *msg, void *ctx)
{
    (void)st;
    tu_log_add(&((struct tu_logs *)ctx)->err, err, msg);
}

void tu_warn_handler(vstack *st, int err, const char *msg, void *ctx)
{
    (void)st;
    tu_log_add(&((struct tu_logs *)ctx)->warn, err, msg);
}

void tu_capture_defaults(struct tu_logs *logs)
{
    tu_logs_clear(logs);
    vstack_set_default_handlers(tu_err_handler, tu_warn_handler, logs);
}

void tu_capture_stack(vstack *st, struct tu_logs *logs)
{
    tu_logs_clear(logs);
    vstack_set_error_handler(st, tu_err_handler, logs);
    vstack_set_warn_handler(st, tu_warn_handler, logs);
}

void tu_logs_diag(const struct tu_logs *logs)
{
    if (logs->err.count)
        diag("  %d error message(s):\n#   %s", logs->err.count, logs->err.all);
    if (logs->warn.count)
        diag("  %d warning(s):\n#   %s", logs->warn.count, logs->warn.all);
    if (!logs->err.count && !logs->warn.count)
        diag("  no message was delivered");
}

int tu_contains_nocase(const char *text, const char *needle)
{
    size_t n = strlen(needle);
    for (; *text; text++) {
        size_t i = 0;
        while (i < n && text[i] &&
               tolower((unsigned char)text[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return 1;
    }
    return n == 0;
}

/* Does text contain the decimal number v, not inside a longer number, and
 * (when unit is non-zero) followed by optional spaces and that letter? */
static int mentions_number(const char *text, unsigned long long v, char unit)
{
    char num[32];
    size_t len = (size_t)snprintf(num, sizeof num, "%llu", v);
    for (const char *p = strstr(text, num); p; p = strstr(p + 1, num)) {
        const char *q = p + len;
        if (p > text && (isdigit((unsigned char)p[-1]) || p[-1] == '.'))
            continue;
        if (!unit) {
            if (!isdigit((unsigned char)*q) && *q != '.')
                return 1;
            continue;
        }
        while (*q == ' ')
            q++;
        if (tolower((unsigned char)*q) == tolower((unsigned char)unit))
            return 1;
    }
    return 0;
}

int tu_mentions_size(const char *text, size_t n)
{
    static const char units[] = "KMGT";
    unsigned long long v = n;
    if (mentions_number(text, v, 0))
        return 1;
    for (int i = 0; i < 4; i++) {
        unsigned long long bin = 1ULL << (10 * (i + 1));
        unsigned long long dec = 1;
        for (int j = 0; j <= i; j++)
            dec *= 1000;
        if (v && v % bin == 0 && mentions_number(text, v / bin, units[i]))
            return 1;
        if (v && v % dec == 0 && mentions_number(text, v / dec, units[i]))
            return 1;
    }
    return 0;
}

/* ---- stderr capture ------------------------------------------------------ */

static int saved_stderr = -1;
static FILE *capture_file;

int tu_stderr_begin(void)
{
    fflush(stderr);
    capture_file = tmpfile();
    if (!capture_file)
        return -1;
    saved_stderr = dup(2);
    if (saved_stderr < 0 || dup2(fileno(capture_file), 2) < 0) {
        fclose(capture_file);
        capture_file = NULL;
        return -1;
    }
    return 0;
}

size_t tu_stderr_end(char *buf, size_t size)
{
    size_t n = 0;
    fflush(stderr);
    if (saved_stderr >= 0) {
        dup2(saved_stderr, 2);
        close(saved_stderr);
        saved_stderr = -1;
    }
    if (capture_file) {
        rewind(capture_file);
        n = fread(buf, 1, size - 1, capture_file);
        fclose(capture_file);
        capture_file = NULL;
    }
    buf[n] = '\0';
    return n;
}
