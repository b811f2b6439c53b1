/* SPDX-License-Identifier: MIT */
/* When the stack cannot be shrunk back after a line (the system refuses
 * the decommit, made to fail through the OS test seam), ntcalc says so with
 * the library's sentence as a warning; the line's value stands, and the
 * next line runs on the larger stack. */
#include "config.h"
#include "../calc/calc.h" /* first: it asks for POSIX */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"

static char errtext[4096];

/* Run line with stderr in errtext; returns calc_run_line's status. */
static int run(struct calc *c, const char *line)
{
    if (tu_stderr_begin() != 0)
        bail_out("stderr cannot be captured");
    int rc = calc_run_line(c, line, strlen(line));
    tu_stderr_end(errtext, sizeof errtext);
    return rc;
}

int main(void)
{
    vstack st;
    struct calc c;
    size_t vsize = 0;
    memset(&st, 0, sizeof st);
    if (vstack_init(&st, VSTACK_MIN_SIZE, (size_t)64 << 20, 0) != VSTACK_OK)
        bail_out("vstack_init: %s", vstack_last_error(&st));
    vstack_default_get(&st, "parisizemax", &vsize);
    if (vsize == 0) {
        vstack_destroy(&st);
        skip_all("the stack has a fixed size in this build (no mmap)");
    }
    calc_setup(&c, &st);

    /* 2^(8*10^6) takes 1 MB: the stack grows, and shrinks after the line. */
    vs_os_fail_reset();
    vs_os_fail_nth(VS_OS_REMAP, 1, EINVAL);
    vs_os_fail_nth(VS_OS_UNMAP, 1, EINVAL);
    int rc = run(&c, "0*2^(8*10^6);");
    vs_os_fail_reset();
    is_int(rc, 0, "the line succeeds");
    if (!ok(strncmp(errtext, "  ***   Warning: cannot give back ", 34) == 0 &&
                strstr(errtext, strerror(EINVAL)) != NULL &&
                strchr(errtext, '\n') == errtext + strlen(errtext) - 1,
            "one warning with the library's sentence"))
        diag("stderr: %s", errtext);
    struct vstack_stats s;
    vstack_get_stats(&st, &s);
    ok(s.committed > VSTACK_MIN_SIZE, "the stack stays larger (%zu bytes)", s.committed);
    rc = run(&c, "0*2^(8*10^6);");
    ok(rc == 0 && errtext[0] == 0, "the next line runs, and the stack shrinks without a word");
    vstack_get_stats(&st, &s);
    ok(s.used == 0 && s.committed == s.rsize,
       "nothing is left on the stack, back to parisize (%zu of %zu bytes committed)",
       s.committed, s.rsize);
    vstack_destroy(&st);
    return done_testing();
}
