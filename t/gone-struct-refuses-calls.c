/* SPDX-License-Identifier: MIT */
/* gone-struct-refuses-calls: every entry point has a defined behaviour on
 * a struct that holds no stack or pool (zeroed and never initialised, or
 * destroyed): the calls that return a code return VSTACK_EINVAL with a
 * sentence that says there is no stack; an allocation fails through the
 * error handler with VSTACK_EINVAL and returns NULL; the getters read
 * zeros; destroy does nothing.  vstack_alloc(st, 0) on a live stack
 * returns avma itself (a valid pointer to nothing) and moves nothing.  The
 * messages say what was asked and what is true: an overflow names the
 * size limit that applies (a fixed stack's parisize, not what is
 * committed), suggests a parisizemax that would hold the request, or says
 * that none can; a reservation lowered from SIZE_MAX names SIZE_MAX.  A
 * pool's pages, given back and committed again, read as defined zeros
 * under memcheck. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <vstack.h>

#include "tap.h"
#include "testutil.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

static struct tu_logs logs;

static int says_no_stack(const char *msg, const char *call)
{
    return strstr(msg, call) && (strstr(msg, "no stack here") || strstr(msg, "no pool here"));
}

static void stack_calls(vstack *st, const char *how)
{
    size_t out = 77;
    struct vstack_stats s;
    static vstack_sp var;

    is_int(vstack_grow(st, 4 * MB), VSTACK_EINVAL, "%s: vstack_grow", how);
    ok(says_no_stack(vstack_last_error(st), "vstack_grow"), "%s: says there is no stack: %s", how,
       vstack_last_error(st));
    is_int(vstack_reset(st), VSTACK_EINVAL, "%s: vstack_reset", how);
    is_int(vstack_trim(st), VSTACK_EINVAL, "%s: vstack_trim", how);
    is_int(vstack_set_size(st, 4 * MB), VSTACK_EINVAL, "%s: vstack_set_size", how);
    is_int(vstack_set_sizemax(st, 64 * MB), VSTACK_EINVAL, "%s: vstack_set_sizemax", how);
    is_int(vstack_default(st, "parisize", "4M"), VSTACK_EINVAL, "%s: vstack_default (parisize)", how);
    ok(says_no_stack(vstack_last_error(st), "vstack_set_size") && vstack_last_error_code(st) == VSTACK_EINVAL,
       "%s: and says why: %s", how, vstack_last_error(st));
    is_int(vstack_default(st, "parisizemax", "1G"), VSTACK_EINVAL, "%s: vstack_default (parisizemax)", how);
    is_int(vstack_default_get(st, "parisize", &out), VSTACK_EINVAL, "%s: vstack_default_get", how);
    is_int(out, 77, "%s: which leaves *out alone", how);
    is_int(vstack_bind_avma(st, &var), VSTACK_EINVAL, "%s: vstack_bind_avma", how);
    int errs = logs.err.count;
    ok(vstack_alloc(st, 100) == NULL && logs.err.count == errs + 1 && logs.err.last_err == VSTACK_EINVAL &&
           says_no_stack(logs.err.last, "vstack_alloc"),
       "%s: vstack_alloc fails through the error handler: %s", how, logs.err.last);
    ok(vstack_new_chunk(st, 10) == NULL && logs.err.count == errs + 2, "%s: vstack_new_chunk too", how);
    vstack_set_avma_debug(st, 4096);
    ok(logs.err.count == errs + 3 && logs.err.last_err == VSTACK_EINVAL && says_no_stack(logs.err.last, "vstack_set_avma"),
       "%s: vstack_set_avma_debug too: %s", how, logs.err.last);
    vstack_get_stats(st, &s);
    ok(s.used == 0 && s.committed == 0 && s.reserved == 0, "%s: the stats are zeros", how);
    ok(vstack_top(st) == 0, "%s: vstack_top is 0", how);
    vstack_claim(st);
    vstack_destroy(st);
    vstack_destroy(st);
    ok(vstack_reset(st) == VSTACK_EINVAL && vstack_top(st) == 0,
       "%s: claim and destroy (twice) leave it as it was: still no stack", how);
}

static void gone_stacks(void)
{
    vstack st;
    memset(&st, 0, sizeof st);
    vstack_set_default_handlers(tu_err_handler, tu_warn_handler, &logs);
    stack_calls(&st, "a zeroed struct");
    if (vstack_init(&st, 1 * MB, 64 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init");
    if (!vstack_alloc(&st, 2 * MB))
        bail_out("alloc");
    vstack_destroy(&st);
    stack_calls(&st, "a destroyed stack");
    is_int(vstack_init(&st, 1 * MB, 64 * MB, 0), VSTACK_OK, "the struct can be initialised again");
    ok(vstack_alloc(&st, 64 * KB) != NULL, "and works");
    vstack_destroy(&st);
}

static void pool_calls(vstack_pool *p, const char *how)
{
    is_int(vstack_pool_resize(p, 4 * MB), VSTACK_EINVAL, "%s: vstack_pool_resize", how);
    ok(says_no_stack(vstack_pool_last_error(p), "vstack_pool_resize"), "%s: says there is no pool: %s", how,
       vstack_pool_last_error(p));
    is_int(vstack_pool_set_limits(p, 1 * MB, 8 * MB), VSTACK_EINVAL, "%s: vstack_pool_set_limits", how);
    vstack_pool_set_used(p, 1 * MB);
    ok(vstack_pool_last_error_code(p) == VSTACK_EINVAL &&
           says_no_stack(vstack_pool_last_error(p), "vstack_pool_set_used"),
       "%s: vstack_pool_set_used leaves VSTACK_EINVAL in the last error", how);
    ok(vstack_pool_base(p) == NULL && vstack_pool_size(p) == 0, "%s: base NULL, size 0", how);
    vstack_pool_destroy(p);
    ok(vstack_pool_resize(p, 2 * MB) == VSTACK_EINVAL && vstack_pool_base(p) == NULL,
       "%s: destroy leaves it as it was: still no pool", how);
}

static void gone_pools(void)
{
    vstack_pool p;
    memset(&p, 0, sizeof p);
    pool_calls(&p, "a zeroed pool");
    if (vstack_pool_init(&p, 1 * MB, 64 * MB, 0) != VSTACK_OK)
        bail_out("vstack_pool_init");
    vstack_pool_destroy(&p);
    pool_calls(&p, "a destroyed pool");
}

static void alloc_zero(void)
{
    vstack st;
    if (vstack_init(&st, 1 * MB, 64 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init");
    unsigned char *a = vstack_alloc(&st, 48);
    vstack_sp av = vstack_avma(&st);
    unsigned char *z = vstack_alloc(&st, 0);
    ok(z != NULL && (vstack_sp)z == av && vstack_avma(&st) == av,
       "vstack_alloc(st, 0) returns avma and moves nothing");
    ok(a != NULL && z == a, "which is the last allocation's address");
    vstack_destroy(&st);
}

static void messages(void)
{
    vstack st;
    int errs;

    /* A fixed stack of 1 MiB that has committed nothing yet. */
    if (vstack_init(&st, 1 * MB, 0, 0) != VSTACK_OK)
        bail_out("vstack_init");
    errs = logs.err.count;
    ok(vstack_alloc(&st, 2 * MB) == NULL && logs.err.count == errs + 1, "a fixed stack overflows");
    ok(strstr(logs.err.last, "fixed size of 1048576 bytes") && !strstr(logs.err.last, " 0 bytes ("),
       "its size is parisize, not what is committed: %s", logs.err.last);
    ok(strstr(logs.err.last, "default(parisizemax, \"1G\")") != NULL,
       "it suggests a parisizemax that holds twice the request: %s", logs.err.last);
    is_int(vstack_grow(&st, 8 * MB), VSTACK_ESTACK, "vstack_grow past a fixed size");
    ok(strstr(vstack_last_error(&st), "fixed size") && strstr(vstack_last_error(&st), "8388608"),
       "says it is fixed, and names the size asked for: %s", vstack_last_error(&st));
    vstack_destroy(&st);

    /* A request no stack can hold. */
    if (vstack_init(&st, 1 * MB, 64 * MB, 0) != VSTACK_OK)
        bail_out("vstack_init");
    errs = logs.err.count;
    ok(vstack_alloc(&st, SIZE_MAX / 2) == NULL && logs.err.count == errs + 1 &&
           strstr(logs.err.last, "no parisizemax can hold") && !strstr(logs.err.last, "default("),
       "a request beyond the address space suggests no parisizemax: %s", logs.err.last);
    errs = logs.err.count;
    ok(vstack_alloc(&st, 100 * MB) == NULL && logs.err.count == errs + 1 &&
           strstr(logs.err.last, "parisizemax is 67108864") && strstr(logs.err.last, "(parisizemax, \"1G\")"),
       "a request that a larger parisizemax would hold: %s", logs.err.last);
    vstack_destroy(&st);

    /* SIZE_MAX asked: the warning names it, not the clamped value. */
    tu_logs_clear(&logs);
    int rc = vstack_init(&st, 1 * MB, SIZE_MAX, 0);
    if (rc == VSTACK_OK) {
        ok(strstr(vstack_last_error(&st), "18446744073709551615") || sizeof(size_t) < 8,
           "parisizemax SIZE_MAX: the warning names what was asked: %s", vstack_last_error(&st));
        ok(!strstr(vstack_last_error(&st), "4611686018427387904"), "and not the clamped size");
        vstack_destroy(&st);
    } else {
        skip(2, "init(1 MiB, SIZE_MAX) failed here: %s", vstack_last_error(&st));
    }
}

/* Given back and committed again, a pool's pages read as zero, and
 * memcheck sees them defined (vstack_pool(3)). */
static void pool_pages_defined(void)
{
    vstack_pool p;
    if (vstack_pool_init(&p, 1 * MB, 64 * MB, 0) != VSTACK_OK)
        bail_out("vstack_pool_init");
    vstack_pool_resize(&p, 8 * MB);
    memset(vstack_pool_base(&p), 0x77, 8 * MB);
    vstack_pool_resize(&p, 1 * MB);
    vstack_pool_resize(&p, 8 * MB);
    const unsigned char *b = vstack_pool_base(&p);
    size_t nonzero = 0;
    for (size_t i = 1 * MB; i < 8 * MB; i += 4096)
        nonzero += b[i] != 0; /* memcheck: a branch on each byte read */
    is_int(nonzero, 0, "a pool's pages given back and committed again read as zero%s",
           tap_under_valgrind() ? ", defined for memcheck" : "");
    vstack_pool_destroy(&p);
}

int main(void)
{
    tu_require_mmap();
    tu_capture_defaults(&logs);
    gone_stacks();
    gone_pools();
    alloc_zero();
    messages();
    pool_pages_defined();
    vstack_set_default_handlers(NULL, NULL, NULL);
    return done_testing();
}
