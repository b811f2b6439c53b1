/* SPDX-License-Identifier: MIT */
/* tu-env.c -- the environment the library reads (see testutil.h).  Its own
 * object: vs_env_forget is in the test build of the library only, and a test
 * linked against the release library must not pull it in through libtap.a. */
#include "config.h"
#include "testutil.h"
#include "tap.h"
#include "testing.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void tu_env(const char *name, const char *value)
{
#ifdef _WIN32
    /* No setenv there; an empty value removes the variable. */
    if (_putenv_s(name, value ? value : "") != 0)
        bail_out("_putenv_s(%s) failed", name);
#else
    if (value ? setenv(name, value, 1) : unsetenv(name))
        bail_out("setting %s failed: %s", name, strerror(errno));
#endif
    vs_env_forget();
}
