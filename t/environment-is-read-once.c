/* SPDX-License-Identifier: MIT */
/* environment-is-read-once: the library reads VSTACK_DECOMMIT,
 * VSTACK_HUGEPAGES and VSTACK_FORKWIPE once per process, at the first init
 * of a stack or pool; changing them afterwards changes nothing (vstack(3)).
 * A value it cannot use is ignored with a warning at each init, as read the
 * first time. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <vstack.h>

#include "tap.h"
#include "testutil.h"

static int set(const char *name, const char *value)
{
#ifdef _WIN32
    return _putenv_s(name, value ? value : "");
#else
    return value ? setenv(name, value, 1) : unsetenv(name);
#endif
}

/* Init a stack and a pool; the warnings each gets, as one string. */
static void inits(struct tu_logs *logs, int *stack_rc, int *pool_rc)
{
    vstack st;
    vstack_pool p;
    tu_capture_defaults(logs);
    tu_logs_clear(logs);
    *stack_rc = vstack_init(&st, 1 << 20, 0, 0); /* a fixed stack: no other warning, with or without mmap */
    vstack_set_default_handlers(NULL, NULL, NULL);
    if (*stack_rc == VSTACK_OK)
        vstack_destroy(&st);
    *pool_rc = vstack_pool_init(&p, 1 << 20, 16 << 20, 0);
    if (*pool_rc == VSTACK_OK) {
        ok(strstr(vstack_pool_last_error(&p), "VSTACK_HUGEPAGES=sometimes") != NULL,
           "the pool warns of the value read first: %s", vstack_pool_last_error(&p));
        vstack_pool_destroy(&p);
    } else if (*pool_rc == VSTACK_ESYS && strstr(vstack_pool_last_error(&p), "no mmap")) {
        skip(1, "a pool needs mmap: %s", vstack_pool_last_error(&p));
        *pool_rc = VSTACK_OK; /* nothing to hold against the environment */
    }
}

int main(void)
{
    struct tu_logs logs;
    int srs, prc;

    if (set("VSTACK_HUGEPAGES", "sometimes") != 0)
        bail_out("cannot set VSTACK_HUGEPAGES");
    inits(&logs, &srs, &prc);
    ok(srs == VSTACK_OK && prc == VSTACK_OK, "the first inits succeed");
    ok(logs.warn.count == 1 && strstr(logs.warn.last, "VSTACK_HUGEPAGES=sometimes ignored"),
       "the first init warns of the value it cannot use: %s", logs.warn.last);

    /* A valid value now: still the one read at first. */
    if (set("VSTACK_HUGEPAGES", "0") != 0)
        bail_out("cannot set VSTACK_HUGEPAGES");
    inits(&logs, &srs, &prc);
    ok(srs == VSTACK_OK && prc == VSTACK_OK, "after setenv, the inits succeed");
    ok(logs.warn.count == 1 && strstr(logs.warn.last, "VSTACK_HUGEPAGES=sometimes ignored"),
       "after setenv, the init still sees the value read at first: %s", logs.warn.last);

    /* Gone from the environment: still the one read at first. */
    set("VSTACK_HUGEPAGES", NULL);
    inits(&logs, &srs, &prc);
    ok(logs.warn.count == 1 && strstr(logs.warn.last, "VSTACK_HUGEPAGES=sometimes"),
       "after unsetenv, the init still sees the value read at first: %s", logs.warn.last);
    return done_testing();
}
