/* SPDX-License-Identifier: MIT */
/* api-sequence: libFuzzer harness that reads its input as a sequence of API
 * operations on two stacks (init with random sizes and flags, alloc,
 * set_avma, reset, grow, trim, set_size, set_sizemax, default, fork with a
 * check in the child, destroy) and random failures of the OS calls through
 * the test seam (vs_os_fail_nth, vs_os_fail_nth_late for a call that fails
 * partway, vs_os_misplace_next).  A small model says what must hold after
 * each operation:
 *   - used <= committed <= reserved and bot <= lim <= avma <= top;
 *   - avma is where the model says, and every chunk above it holds its data;
 *   - without an armed failure, each call does what the manual says: an
 *     allocation fails exactly when it does not fit under parisizemax, grow,
 *     reset, trim and the setters succeed unless their arguments are wrong;
 *   - with one, a call may fail, but only with a code and a sentence, and
 *     nothing above avma changes (a rebuild that fails keeps the old stack);
 *   - in a child of fork, the data above avma is intact.
 * Huge pages are off unless an init asks for them (rarely), for speed. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vstack.h>

#include "os.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)
#define NST 2
#define NCHUNK 64

struct chunk {
    unsigned char *p;
    size_t n;
    vstack_sp before; /* avma before the allocation */
    uint64_t seed;
};

struct model {
    vstack st;
    int live;            /* initialised */
    int loose;           /* huge pages: sizes are rounded to a unit the model does not know */
    int nchunk;
    struct chunk c[NCHUNK];
    int errs, last_err;  /* error handler calls */
    char last_msg[256];
};

static struct model m[NST];
static int faulty; /* a failure was armed in this input: calls may fail */

/* ---- input ------------------------------------------------------------------ */

static const uint8_t *in;
static size_t left;

static unsigned byte(void)
{
    if (!left)
        return 0;
    left--;
    return *in++;
}

static size_t size_arg(void)
{
    unsigned b = byte();
    switch (b >> 6) {
    case 0: return b & 63;                              /* tiny */
    case 1: return ((b & 63) + 1) * 1024;               /* up to 64 KiB */
    case 2: return ((b & 63) + 1) * 64 * KB + byte();   /* up to 4 MiB, unaligned */
    default: return ((size_t)(b & 63) + 1) * 2 * MB;    /* up to 128 MiB */
    }
}

/* ---- data in chunks: whole for small ones, sampled for large ones ------------- */

static unsigned char pat(uint64_t seed, size_t i) { return (unsigned char)((seed + i) * 0x9e3779b97f4a7c15ULL >> 56); }

/* The bytes of a chunk that carry the pattern: all of a small chunk; the
 * first and last 256 bytes and every 4093rd of a large one. */
static size_t next_sample(size_t i, size_t n)
{
    size_t step = 4093, last = n > 256 ? n - 256 : 0, next = (i / step + 1) * step;
    if (n <= 4096 || i + 1 < 256 || i + 1 >= last)
        return i + 1;
    return next < last ? next : last;
}

static void fill(struct chunk *c)
{
    for (size_t i = 0; i < c->n; i = next_sample(i, c->n))
        c->p[i] = pat(c->seed, i);
}

static int intact(const struct chunk *c)
{
    for (size_t i = 0; i < c->n; i = next_sample(i, c->n))
        if (c->p[i] != pat(c->seed, i))
            return 0;
    return 1;
}

/* ---- what must hold ------------------------------------------------------------- */

static void fail(const char *why, int i)
{
    fprintf(stderr, "api-sequence: stack %d: %s\n", i, why);
    abort();
}

static vstack_sp model_avma(const struct model *s)
{
    return s->nchunk ? (vstack_sp)s->c[s->nchunk - 1].p : vstack_top(&s->st);
}

static void check(int i)
{
    struct model *s = &m[i];
    struct vstack_stats t;
    if (!s->live)
        return;
    vstack_get_stats(&s->st, &t);
    vstack_sp top = vstack_top(&s->st), bot = top - t.committed;
    if (!(t.used <= t.committed && t.committed <= t.reserved))
        fail("used <= committed <= reserved does not hold", i);
    if (!(bot <= s->st.lim && s->st.lim <= s->st.avma && s->st.avma <= top))
        fail("bot <= lim <= avma <= top does not hold", i);
    if (vstack_avma(&s->st) != model_avma(s))
        fail("avma is not where the model says", i);
    for (int k = 0; k < s->nchunk; k++)
        if (!intact(&s->c[k]))
            fail("a chunk above avma lost its data", i);
}

static void on_error(vstack *st, int err, const char *msg, void *ctx)
{
    struct model *s = ctx;
    (void)st;
    s->errs++;
    s->last_err = err;
    snprintf(s->last_msg, sizeof s->last_msg, "%s", msg);
}

static void on_warning(vstack *st, int err, const char *msg, void *ctx)
{
    (void)st;
    (void)err;
    (void)msg;
    (void)ctx;
}

static size_t get(struct model *s, const char *name)
{
    size_t v = 0;
    vstack_default_get(&s->st, name, &v);
    return v;
}

/* A size as the library rounds it without huge pages. */
static size_t rounded(size_t n)
{
    size_t page = vs_os_config()->page_size;
    if (n > SIZE_MAX / 4)
        n = SIZE_MAX / 4;
    if (n < VSTACK_MIN_SIZE)
        n = VSTACK_MIN_SIZE;
    return (n + page - 1) & ~(page - 1);
}

/* A failed call: allowed only with a failure armed, and then only with a
 * code and a sentence. */
static void failed(struct model *s, int i, int rc, const char *what)
{
    if (!faulty && !s->loose)
        fail(what, i);
    if (rc != VSTACK_ENOMEM && rc != VSTACK_ESYS && rc != VSTACK_ESTACK)
        fail("a failure with an unexpected code", i);
    if (!*vstack_last_error(&s->st))
        fail("a failure without a sentence", i);
}

/* ---- the operations --------------------------------------------------------------- */

static void op_init(int i)
{
    struct model *s = &m[i];
    unsigned b = byte();
    unsigned flags = VSTACK_NOHUGEPAGES;
    size_t rsize = ((size_t)(byte() % 64) + 1) * 16 * KB;
    size_t vsize = (b & 3) == 0 ? 0 : rsize * (size_t)((byte() % 64) + 1);
    if (b & 4)
        flags |= VSTACK_NOPROBE;
    if (b & 8)
        flags |= VSTACK_DECOMMIT_UNMAP;
    if (b & 16)
        flags |= VSTACK_NOFORKWIPE;
    if ((b & 0xe0) == 0xe0) /* rarely: huge pages */
        flags = (flags & ~VSTACK_NOHUGEPAGES) | VSTACK_HUGEPAGES;
    if (s->live)
        vstack_destroy(&s->st);
    s->live = 0;
    s->nchunk = 0;
    vstack_set_default_handlers(on_error, on_warning, s);
    int rc = vstack_init(&s->st, rsize, vsize, flags);
    vstack_set_default_handlers(NULL, NULL, NULL);
    if (rc != VSTACK_OK) {
        if (!faulty)
            fail("vstack_init failed with nothing armed", i);
        if (rc != VSTACK_ENOMEM && rc != VSTACK_ESYS)
            fail("vstack_init failed with an unexpected code", i);
        return;
    }
    s->live = 1;
    s->loose = (flags & VSTACK_HUGEPAGES) != 0;
    s->errs = 0;
    vstack_set_error_handler(&s->st, on_error, s);
    vstack_set_warn_handler(&s->st, on_warning, s);
}

static void op_alloc(int i)
{
    struct model *s = &m[i];
    size_t n = size_arg();
    if (s->nchunk == NCHUNK)
        return;
    struct vstack_stats t;
    vstack_get_stats(&s->st, &t);
    vstack_sp av = vstack_avma(&s->st), top = vstack_top(&s->st);
    /* A fixed-size stack ends at parisize (it may not have committed it yet). */
    size_t limit = get(s, "parisizemax") ? get(s, "parisizemax") : t.rsize;
    vstack_sp floor = top - limit;
    int fits = n <= av - floor && ((av - n) & ~(vstack_sp)15) >= floor;
    int errs = s->errs;
    unsigned char *p = vstack_alloc(&s->st, n);
    if (!p) {
        if (s->errs != errs + 1)
            fail("a failed allocation did not call the error handler once", i);
        if (vstack_avma(&s->st) != av)
            fail("a failed allocation moved avma", i);
        if (fits)
            failed(s, i, s->last_err, "an allocation that fits failed");
        else if (s->last_err != VSTACK_ESTACK)
            fail("an overflow is not VSTACK_ESTACK", i);
        return;
    }
    if (!fits && !s->loose)
        fail("an allocation beyond parisizemax succeeded", i);
    if (((uintptr_t)p & 15) || (vstack_sp)p > av || (vstack_sp)p + n > av)
        fail("a chunk is misplaced", i);
    struct chunk *c = &s->c[s->nchunk++];
    c->p = p;
    c->n = n;
    c->before = av;
    c->seed = (uint64_t)byte() << 8 | (uint64_t)s->nchunk;
    fill(c);
}

static void op_pop(int i)
{
    struct model *s = &m[i];
    int k = (int)(byte() % 4) + 1;
    if (k > s->nchunk)
        k = s->nchunk;
    if (!k)
        return;
    s->nchunk -= k;
    vstack_set_avma(&s->st, s->c[s->nchunk].before);
}

static void op_pop_all(int i)
{
    m[i].nchunk = 0;
    vstack_pop_all(&m[i].st);
}

static void op_reset(int i)
{
    struct model *s = &m[i];
    int rc = vstack_reset(&s->st);
    if (rc != VSTACK_OK)
        failed(s, i, rc, "vstack_reset failed");
    else if (!s->loose) {
        struct vstack_stats t;
        vstack_get_stats(&s->st, &t);
        size_t keep = rounded(t.used) > t.rsize ? rounded(t.used) : t.rsize;
        if (t.used && t.committed > keep)
            fail("vstack_reset kept more than max(parisize, used)", i);
    }
}

static void op_grow(int i)
{
    struct model *s = &m[i];
    size_t n = byte() & 1 ? 0 : size_arg();
    struct vstack_stats t;
    vstack_get_stats(&s->st, &t);
    size_t vsize = get(s, "parisizemax"), limit = vsize ? vsize : t.rsize;
    size_t page = vs_os_config()->page_size;
    size_t target = ((n > SIZE_MAX / 4 ? SIZE_MAX / 4 : n) + page - 1) & ~(page - 1);
    int over = n == 0 ? (!vsize || t.committed >= vsize) : (target > limit && target > t.committed);
    int rc = vstack_grow(&s->st, n);
    if (s->loose)
        return;
    if (over && rc != VSTACK_ESTACK && !faulty)
        fail("vstack_grow beyond parisizemax is not VSTACK_ESTACK", i);
    if (!over && rc != VSTACK_OK)
        failed(s, i, rc, "vstack_grow within parisizemax failed");
}

static void op_trim(int i)
{
    struct model *s = &m[i];
    int rc = vstack_trim(&s->st);
    if (rc != VSTACK_OK)
        failed(s, i, rc, "vstack_trim failed");
}

/* set_size, set_sizemax or default(): the contents go, or stay on failure. */
static void op_setter(int i, int kind)
{
    struct model *s = &m[i];
    size_t n = size_arg();
    size_t r = get(s, "parisize"), v = get(s, "parisizemax");
    struct vstack_stats t;
    vstack_get_stats(&s->st, &t);
    int rc, bad;
    char buf[40];
    if (kind == 0) {
        rc = vstack_set_size(&s->st, n);
        bad = v && rounded(n) > v;
    } else if (kind == 1) {
        rc = vstack_set_sizemax(&s->st, n);
        bad = n && rounded(n) < t.rsize;
    } else {
        static const char *const suffix[] = {"", "k", "M", "KiB", "MiB", "x"};
        unsigned b = byte();
        size_t unit = (b % 6) == 1 ? 1000 : (b % 6) == 2 ? 1000000 : (b % 6) == 3 ? 1024 : (b % 6) == 4 ? MB : 1;
        size_t q = n / unit;
        snprintf(buf, sizeof buf, "%zu%s", q, suffix[b % 6]);
        rc = vstack_default(&s->st, b & 64 ? "parisizemax" : "parisize", buf);
        n = q * unit;
        bad = (b % 6) == 5 || (b & 64 ? n && rounded(n) < t.rsize : v && rounded(n) > v);
    }
    (void)r;
    if (rc == VSTACK_OK) {
        if (bad && !s->loose)
            fail("a setter accepted a size it must refuse", i);
        s->nchunk = 0;
        if (vstack_avma(&s->st) != vstack_top(&s->st))
            fail("a setter kept contents", i);
        return;
    }
    if (rc == VSTACK_EINVAL) {
        if (!bad && !s->loose)
            fail("a setter refused a good size", i);
        if (vstack_avma(&s->st) != model_avma(s))
            fail("a refused setter moved avma", i);
        return;
    }
    if (!bad)
        failed(s, i, rc, "a setter failed");
}

static int forks;

static void op_fork(void)
{
    if (forks++ >= 1)
        return;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return;
    if (pid == 0) {
        for (int i = 0; i < NST; i++)
            if (m[i].live)
                for (int k = 0; k < m[i].nchunk; k++)
                    if (!intact(&m[i].c[k]))
                        _exit(1);
        _exit(0);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("a child of fork saw data above avma changed", -1);
}

static void op_seam(void)
{
    static const enum vs_os_call calls[] = {
        VS_OS_PROBE, VS_OS_PROBE_UNMAP, VS_OS_RESERVE, VS_OS_COMMIT, VS_OS_REMAP, VS_OS_UNMAP,
        VS_OS_MAPAGAIN, VS_OS_DISCARD, VS_OS_ADVISE, VS_OS_WIPE, VS_OS_SIGBLOCK, VS_OS_SIGRESTORE,
    };
    /* Not VS_OS_RELEASE nor VS_OS_STRAY_UNMAP: the seam would leave their
     * mappings in this process for good (t/release-failures-are-reported
     * covers them); not EINVAL for the fork-wipe mark, which would turn
     * fork-wipe off for the rest of the run. */
    static const int errs[] = {ENOMEM, EAGAIN, EACCES, EINVAL};
    unsigned b = byte(), c = byte();
    enum vs_os_call call = calls[b % (sizeof calls / sizeof calls[0])];
    faulty = 1;
    if (c & 128) {
        vs_os_misplace_next(c & 1 ? VS_OS_REMAP : VS_OS_MAPAGAIN);
        return;
    }
    int err = errs[(c >> 2) % 4];
    if (call == VS_OS_WIPE && err == EINVAL)
        err = ENOMEM;
    if (c & 16) /* the call is made, then fails: a mark that failed partway */
        vs_os_fail_nth_late(call, (c & 3) + 1, err);
    else
        vs_os_fail_nth(call, (c & 3) + 1, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    in = data;
    left = size;
    faulty = 0;
    forks = 0;
    vs_os_fail_reset();
    for (int ops = 0; left && ops < 200; ops++) {
        unsigned op = byte();
        int i = (op >> 7) & 1;
        op &= 127;
        if (!m[i].live && op % 16 != 0 && op % 16 != 9 && op % 16 != 10)
            continue;
        switch (op % 16) {
        case 0: op_init(i); break;
        case 1: case 2: case 3: op_alloc(i); break;
        case 4: op_pop(i); break;
        case 5: op_reset(i); break;
        case 6: op_grow(i); break;
        case 7: op_trim(i); break;
        case 8: op_setter(i, byte() % 3); break;
        case 9: op_fork(); break;
        case 10: op_seam(); break;
        case 11: op_pop_all(i); break;
        case 12: vstack_claim(&m[i].st); break;
        case 13:
            vstack_destroy(&m[i].st);
            m[i].live = 0;
            m[i].nchunk = 0;
            break;
        default: op_alloc(i); break;
        }
        for (int k = 0; k < NST; k++)
            check(k);
    }
    vs_os_fail_reset();
    for (int i = 0; i < NST; i++) {
        if (m[i].live)
            vstack_destroy(&m[i].st);
        m[i].live = 0;
        m[i].nchunk = 0;
    }
    return 0;
}
