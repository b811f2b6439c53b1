/* testutil.c -- see testutil.h. */
#include "config.h"
#include "testutil.h"
#include "os.h"
#include "tap.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <sys/mman.h>
#endif
#ifdef HAVE_SYS_RESOURCE_H
#include <sys/resource.h>
#endif
#include <sys/types.h>
#include <unistd.h>
#ifdef _WIN32
#include <io.h>
#include <windows.h>
#else
#include <sys/wait.h>
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
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

/* ---- the memory layer ---------------------------------------------------- */

void tu_require_mmap(void)
{
    if (!vs_os_config()->reserves)
        skip_all("the library was built without mmap (see t/without-mmap)");
}

/* ---- what this system does ------------------------------------------------ */

/* A probe's answer, worked out at the first call and kept. */
struct probe_memo {
    int done;
    const char *why;
};

static const char *probe_once(struct probe_memo *m, const char *(*probe)(void))
{
    if (!m->done) {
        m->done = 1;
        m->why = probe();
    }
    return m->why;
}

void tu_require(const char *why)
{
    if (why)
        skip_all("%s", why);
}

#ifndef _WIN32
/* A fresh private anonymous mapping of n pages, or NULL. */
static unsigned char *probe_map(size_t n, int prot)
{
    void *p = mmap(NULL, n * tu_page_size(), prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* fn(arg) in a child of fork: its exit status, or -1 when the child could
 * not run or did not exit (the probe then cannot tell). */
static int probe_in_child(int (*fn)(void *), void *arg)
{
    int status;
    pid_t pid;
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) < 0)
        return -1;
    if (pid == 0)
        _exit(fn(arg));
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
#endif

#if defined(__linux__) && defined(MADV_WIPEONFORK)
static int child_reads_zero(void *arg)
{
    const unsigned char *p = arg;
    return p[0] == 0 && p[tu_page_size() - 1] == 0 ? 0 : 1;
}
#endif

static const char *probe_wipe_on_fork(void)
{
    const char *why = NULL;
    if (!vs_os_config()->wipes_on_fork)
        return "this system has no wipe-on-fork";
#if defined(__linux__) && defined(MADV_WIPEONFORK)
    static char buf[160];
    unsigned char *p = probe_map(1, PROT_READ | PROT_WRITE);
    if (!p)
        return NULL; /* cannot tell: let the test run */
    memset(p, 0x5a, tu_page_size());
    if (madvise(p, tu_page_size(), MADV_WIPEONFORK) != 0) {
        snprintf(buf, sizeof buf, "madvise(MADV_WIPEONFORK) fails here: %s", strerror(errno));
        why = buf;
    } else if (probe_in_child(child_reads_zero, p) == 1) {
        why = "a page marked MADV_WIPEONFORK keeps its data in a child of fork (the advice is accepted and ignored)";
    }
    munmap(p, tu_page_size());
#endif
    return why;
}

const char *tu_lacks_wipe_on_fork(void)
{
    static struct probe_memo m;
    return probe_once(&m, probe_wipe_on_fork);
}

static const char *probe_huge_advice(void)
{
    const char *why = NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    static char buf[160];
    unsigned char *p = probe_map(1, PROT_READ | PROT_WRITE);
    if (p && madvise(p, tu_page_size(), MADV_HUGEPAGE) != 0) {
        snprintf(buf, sizeof buf, "madvise(MADV_HUGEPAGE) fails here (no transparent huge pages): %s",
                 strerror(errno));
        why = buf;
    }
    if (p)
        munmap(p, tu_page_size());
#else
    why = "no MADV_HUGEPAGE on this system";
#endif
    return why;
}

const char *tu_lacks_huge_advice(void)
{
    static struct probe_memo m;
    return probe_once(&m, probe_huge_advice);
}

static const char *probe_enomem_for_unmapped(void)
{
    const char *why = NULL;
#ifdef __linux__
    unsigned char *p = probe_map(1, PROT_NONE);
    if (!p || munmap(p, tu_page_size()) != 0)
        return NULL;
    errno = 0;
    if (madvise(p, tu_page_size(), MADV_DONTNEED) == 0 || errno != ENOMEM)
        why = "madvise of a range that nothing maps does not fail with ENOMEM here";
    else if (mprotect(p, tu_page_size(), PROT_READ) == 0 || errno != ENOMEM)
        why = "mprotect of a range that nothing maps does not fail with ENOMEM here";
#endif
    return why;
}

const char *tu_lacks_enomem_for_unmapped(void)
{
    static struct probe_memo m;
    return probe_once(&m, probe_enomem_for_unmapped);
}

static const char *probe_mincore_of_prot_none(void)
{
    const char *why = NULL;
#ifdef __linux__
    static char buf[160];
    unsigned char vec[1];
    unsigned char *p = probe_map(1, PROT_NONE);
    if (p && mincore(p, tu_page_size(), vec) != 0) {
        snprintf(buf, sizeof buf, "mincore of a PROT_NONE mapping fails here (%s), so a hole cannot be told from it",
                 strerror(errno));
        why = buf;
    }
    if (p)
        munmap(p, tu_page_size());
#else
    why = "mincore is checked on Linux only";
#endif
    return why;
}

const char *tu_lacks_mincore_of_prot_none(void)
{
    static struct probe_memo m;
    return probe_once(&m, probe_mincore_of_prot_none);
}

#if !defined(_WIN32) && defined(HAVE_SYS_RESOURCE_H)
/* In the child: 2 when setrlimit fails, 1 when a 64 MiB read/write mmap
 * succeeds under a 16 MiB limit, 0 when the limit refuses it. */
static int child_limited_mmap(void *arg)
{
    struct rlimit rl;
    if (getrlimit(*(int *)arg, &rl) != 0)
        return 2;
    rl.rlim_cur = (rlim_t)16 << 20;
    if (setrlimit(*(int *)arg, &rl) != 0)
        return 2;
    return probe_map(((size_t)64 << 20) / tu_page_size(), PROT_READ | PROT_WRITE) ? 1 : 0;
}
#endif

const char *tu_lacks_rlimit(int resource)
{
    static int done[2];
    static const char *why[2];
    static char buf[2][160];
#if !defined(_WIN32) && defined(HAVE_SYS_RESOURCE_H)
    const char *name = resource == RLIMIT_AS ? "RLIMIT_AS" : "RLIMIT_DATA";
    int i = resource == RLIMIT_AS ? 0 : 1;
    if (resource != RLIMIT_AS && resource != RLIMIT_DATA)
        bail_out("tu_lacks_rlimit probes RLIMIT_AS and RLIMIT_DATA only");
    if (done[i])
        return why[i];
    done[i] = 1;
    switch (probe_in_child(child_limited_mmap, &resource)) {
    case 1:
        snprintf(buf[i], sizeof buf[i], "setrlimit(%s) is accepted but does not limit mmap here", name);
        return why[i] = buf[i];
    case 2:
        snprintf(buf[i], sizeof buf[i], "setrlimit(%s) fails here", name);
        return why[i] = buf[i];
    default:
        return why[i] = NULL;
    }
#else
    (void)resource;
    (void)done;
    (void)buf;
    return why[0] = "no setrlimit on this system";
#endif
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

/* ---- Linux /proc --------------------------------------------------------- */
/* Elsewhere (Windows included) the files do not open: every reader returns
 * -1 and the checks that need them skip. */

/* A line reader over a file descriptor with a static buffer, so that reading
 * /proc does not itself allocate (and map) memory while we count mappings. */
struct line_reader {
    int fd;
    size_t len, pos;
    char buf[1 << 16];
    char line[4096];
};

static struct line_reader tu_reader;

static int lr_open(struct line_reader *lr, const char *path)
{
    lr->fd = open(path, O_RDONLY | O_CLOEXEC);
    lr->len = lr->pos = 0;
    return lr->fd >= 0 ? 0 : -1;
}

/* The next line, without its newline, or NULL at end of file. */
static const char *lr_next(struct line_reader *lr)
{
    size_t n = 0;
    int any = 0;
    for (;;) {
        if (lr->pos == lr->len) {
            ssize_t r;
            do
                r = read(lr->fd, lr->buf, sizeof lr->buf);
            while (r < 0 && errno == EINTR);
            if (r <= 0)
                break;
            lr->len = (size_t)r;
            lr->pos = 0;
        }
        any = 1;
        char c = lr->buf[lr->pos++];
        if (c == '\n')
            break;
        if (n + 1 < sizeof lr->line)
            lr->line[n++] = c;
    }
    if (!any)
        return NULL;
    lr->line[n] = '\0';
    return lr->line;
}

static void lr_close(struct line_reader *lr)
{
    close(lr->fd);
}

static int smaps_range(uintptr_t lo, uintptr_t hi, struct tu_smaps *out);

#ifdef __linux__
/* Does /proc/self/maps list a PROT_NONE mapping that holds addr? */
static int maps_lists_prot_none(uintptr_t addr)
{
    const char *l;
    int found = 0;
    if (lr_open(&tu_reader, "/proc/self/maps") < 0)
        return 0;
    while ((l = lr_next(&tu_reader))) {
        unsigned long long lo, hi;
        char perms[5];
        if (sscanf(l, "%llx-%llx %4s", &lo, &hi, perms) == 3 && lo <= addr && addr < hi)
            found = strcmp(perms, "---p") == 0;
    }
    lr_close(&tu_reader);
    return found;
}
#endif

static const char *probe_proc_maps(void)
{
    const char *why = NULL;
#ifdef __linux__
    if (access("/proc/self/smaps", R_OK) != 0 || access("/proc/self/maps", R_OK) != 0)
        return "no /proc/self/maps and /proc/self/smaps";
    /* Three pages: PROT_NONE, read/write, and unmapped again. */
    size_t ps = tu_page_size();
    unsigned char *p = probe_map(3, PROT_NONE);
    struct tu_smaps none, rw, hole;
    if (!p)
        return NULL; /* cannot tell */
    if (mprotect(p + ps, ps, PROT_READ | PROT_WRITE) != 0 || munmap(p + 2 * ps, ps) != 0) {
        munmap(p, 3 * ps);
        return NULL;
    }
    uintptr_t a = (uintptr_t)p;
    if (smaps_range(a, a + ps, &none) != 0 || smaps_range(a + ps, a + 2 * ps, &rw) != 0 ||
        smaps_range(a + 2 * ps, a + 3 * ps, &hole) != 0)
        why = "/proc/self/smaps cannot be read";
    else if (hole.covered != 0)
        why = "/proc/self/smaps shows an unmapped page as mapped";
    else if (none.covered != ps || none.none_maps != 1 || rw.covered != ps || rw.rw_maps != 1)
        why = "/proc/self/smaps does not show a PROT_NONE and a read/write page as they are";
    else if (!maps_lists_prot_none(a))
        why = "/proc/self/maps leaves out a PROT_NONE mapping";
    munmap(p, 2 * ps);
#else
    why = "no /proc/self/maps and /proc/self/smaps";
#endif
    return why;
}

const char *tu_lacks_proc_maps(void)
{
    static struct probe_memo m;
    return probe_once(&m, probe_proc_maps);
}

int tu_have_proc(void) { return tu_lacks_proc_maps() == NULL; }

const char *tu_proc_why(void)
{
    const char *why = tu_lacks_proc_maps();
    return why ? why : "/proc/self/smaps could not be read";
}

long tu_maps_count(void)
{
    long n = 0;
    if (!tu_have_proc() || lr_open(&tu_reader, "/proc/self/maps") < 0)
        return -1;
    while (lr_next(&tu_reader))
        n++;
    lr_close(&tu_reader);
    return n;
}

long tu_maps_baseline(void)
{
    /* Through a volatile pointer, or the compiler drops the pair. */
    void *volatile p = malloc(64);
    free(p);
    fflush(stdout);
    return tu_maps_count();
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define TU_ASAN 1
#endif
#endif
#ifndef TU_ASAN
#define TU_ASAN 0
#endif

int tu_under_asan(void) { return TU_ASAN; }

void tu_maps_check(long baseline, long slack, long slack_vg, const char *what)
{
    long now;
    if (baseline < 0 || !tu_have_proc()) {
        skip(1, "%s: %s", what, tu_proc_why());
        return;
    }
    if (tu_under_asan()) {
        skip(1, "%s: AddressSanitizer maps memory of its own", what);
        return;
    }
    if (tap_under_valgrind()) {
        if (slack_vg < 0) {
            skip(1, "%s: mapping counts are not exact under valgrind", what);
            return;
        }
        slack = slack_vg;
    }
    now = tu_maps_count();
    if (!ok(now >= 0 && now <= baseline + slack, "%s: %ld mappings, baseline %ld (+%ld allowed)",
            what, now, baseline, slack))
        diag("  /proc/self/maps has %ld lines", now);
}

long long tu_maps_total(void)
{
    long long total = 0;
    const char *l;
    if (!tu_have_proc() || lr_open(&tu_reader, "/proc/self/maps") < 0)
        return -1;
    while ((l = lr_next(&tu_reader))) {
        unsigned long long lo, hi;
        if (sscanf(l, "%llx-%llx", &lo, &hi) == 2 && !strstr(l, "[vsyscall]"))
            total += (long long)(hi - lo);
    }
    lr_close(&tu_reader);
    return total;
}

/* An anonymous mapping's line: "lo-hi perms offset dev inode" and no name. */
static int anon_line(const char *l, unsigned long long *lo, unsigned long long *hi)
{
    int end = 0;
    char perms[5];
    unsigned long long off, inode;
    unsigned maj, mnr;
    if (sscanf(l, "%llx-%llx %4s %llx %x:%x %llu%n", lo, hi, perms, &off, &maj, &mnr, &inode, &end) < 7)
        return 0;
    while (l[end] == ' ')
        end++;
    return l[end] == '\0' && inode == 0;
}

void tu_maps_snapshot(struct tu_maps_snap *s)
{
    const char *l;
    s->n = -1;
    if (!tu_have_proc() || lr_open(&tu_reader, "/proc/self/maps") < 0)
        return;
    s->n = 0;
    while ((l = lr_next(&tu_reader))) {
        unsigned long long lo, hi;
        if (anon_line(l, &lo, &hi) && s->n < TU_SNAP_MAX) {
            s->lo[s->n] = (uintptr_t)lo;
            s->hi[s->n] = (uintptr_t)hi;
            s->n++;
        }
    }
    lr_close(&tu_reader);
}

int tu_maps_sweep_safe(void) { return !tu_under_asan() && !tap_under_valgrind(); }

long long tu_maps_sweep(const struct tu_maps_snap *before, int unmap)
{
    static struct tu_maps_snap now;
    static uintptr_t new_lo[TU_SNAP_MAX], new_hi[TU_SNAP_MAX];
    long nnew = 0;
    long long bytes = 0;
    if (before->n < 0 || !tu_maps_sweep_safe())
        return -1;
    tu_maps_snapshot(&now);
    if (now.n < 0)
        return -1;
    /* Both lists are sorted by address and their ranges are disjoint. */
    for (long i = 0, j = 0; i < now.n; i++) {
        uintptr_t lo = now.lo[i];
        while (j < before->n && before->hi[j] <= lo)
            j++;
        for (long k = j; lo < now.hi[i]; k++) {
            uintptr_t end = k < before->n && before->lo[k] < now.hi[i] ? before->lo[k] : now.hi[i];
            if (end > lo && nnew < TU_SNAP_MAX) {
                new_lo[nnew] = lo;
                new_hi[nnew++] = end;
                bytes += (long long)(end - lo);
            }
            if (k >= before->n || before->lo[k] >= now.hi[i])
                break;
            lo = before->hi[k];
        }
    }
#ifdef __linux__
    if (unmap)
        for (long i = 0; i < nnew; i++)
            munmap((void *)new_lo[i], new_hi[i] - new_lo[i]);
#else
    (void)unmap; /* /proc/self/maps is Linux's: nothing was found to unmap */
    (void)new_lo;
    (void)new_hi;
#endif
    return bytes;
}

/* Is l the header line of a mapping ("lo-hi perms ...")?  Then fill them. */
static int smaps_header(const char *l, unsigned long long *lo, unsigned long long *hi,
                        char perms[5])
{
    return sscanf(l, "%llx-%llx %4s", lo, hi, perms) == 3 && strchr(l, '-') &&
           isxdigit((unsigned char)l[0]) && strchr(l, ' ') > strchr(l, '-');
}

/* Does a VmFlags line carry flag?  Flags are two-letter words separated
 * by spaces. */
static int smaps_flag(const char *l, const char flag[static 3])
{
    for (const char *p = l + 8; *p; p++)
        if (p[0] == flag[0] && p[1] == flag[1] && p[-1] == ' ' && (p[2] == ' ' || p[2] == '\0'))
            return 1;
    return 0;
}

int tu_smaps_range(uintptr_t lo, uintptr_t hi, struct tu_smaps *out)
{
    if (!tu_have_proc()) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    return smaps_range(lo, hi, out);
}

static int smaps_range(uintptr_t lo, uintptr_t hi, struct tu_smaps *out)
{
    const char *l;
    int inside = 0, none = 0;
    unsigned long long cur_len = 0;
    memset(out, 0, sizeof *out);
    if (lr_open(&tu_reader, "/proc/self/smaps") < 0)
        return -1;
    while ((l = lr_next(&tu_reader))) {
        unsigned long long mlo, mhi;
        char perms[5];
        long kb;
        if (smaps_header(l, &mlo, &mhi, perms)) {
            inside = mlo < hi && mhi > lo;
            none = strcmp(perms, "---p") == 0;
            if (inside) {
                cur_len = (mhi < hi ? mhi : hi) - (mlo > lo ? mlo : lo);
                out->nmaps++;
                out->covered += cur_len;
                out->none_maps += none;
                out->rw_maps += strcmp(perms, "rw-p") == 0;
            }
        } else if (inside && sscanf(l, "Rss: %ld kB", &kb) == 1) {
            out->rss_kb += kb;
        } else if (inside && strncmp(l, "VmFlags:", 8) == 0) {
            if (!smaps_flag(l, "nr"))
                out->without_nr++;
            if (smaps_flag(l, "ac")) {
                out->none_with_ac += none;
                out->ac_bytes += cur_len;
            }
            if (smaps_flag(l, "wf"))
                out->wf_bytes += cur_len;
        }
    }
    lr_close(&tu_reader);
    return 0;
}

int tu_mapped_as(uintptr_t lo, uintptr_t hi, int rw)
{
    struct tu_smaps sm;
    if (lo >= hi)
        return 1;
    if (tu_smaps_range(lo, hi, &sm) != 0)
        return 0;
    return sm.covered == hi - lo && (rw ? sm.rw_maps : sm.none_maps) == sm.nmaps;
}

int tu_overcommit_mode(void)
{
    const char *l;
    int mode = -1;
    if (lr_open(&tu_reader, "/proc/sys/vm/overcommit_memory") < 0)
        return -1;
    if ((l = lr_next(&tu_reader)) && sscanf(l, "%d", &mode) != 1)
        mode = -1;
    lr_close(&tu_reader);
    return mode;
}

long tu_committed_as_kb(void)
{
    const char *l;
    long kb = -1;
    if (lr_open(&tu_reader, "/proc/meminfo") < 0)
        return -1;
    while ((l = lr_next(&tu_reader)))
        if (sscanf(l, "Committed_AS: %ld kB", &kb) == 1)
            break;
    lr_close(&tu_reader);
    return kb;
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

/* ---- checks made in a child process -------------------------------------- */

struct child_record {
    int cond;
    char text[248];
};

void tu_child_ok(int fd, int cond, const char *fmt, ...)
{
    struct child_record r;
    va_list ap;
    memset(&r, 0, sizeof r);
    r.cond = cond != 0;
    va_start(ap, fmt);
    vsnprintf(r.text, sizeof r.text, fmt, ap);
    va_end(ap);
    if (write(fd, &r, sizeof r) != (ssize_t)sizeof r)
        _exit(100);
}

#ifdef VS_COVERAGE
/* libgcov's: write this process's counts now. */
extern void __gcov_dump(void);
#endif

void tu_child_exit(int status)
{
#ifdef VS_COVERAGE
    __gcov_dump();
#endif
    _exit(status);
}

#ifdef _WIN32
/* Windows has no fork, so there is never a child to hear from: the check
 * skips instead. */
int tu_child_collect(int fd, int pid, const char *what)
{
    (void)pid;
    close(fd);
    skip(1, "%s: no fork on Windows", what);
    return 0;
}

void tu_in_child(void (*fn)(int fd, void *arg), void *arg, const char *what)
{
    (void)fn;
    (void)arg;
    skip(1, "%s: no fork on Windows", what);
}
#else
void tu_in_child(void (*fn)(int fd, void *arg), void *arg, const char *what)
{
    int fds[2];
    pid_t pid;
    fflush(stdout);
    fflush(stderr);
    if (pipe(fds) != 0 || (pid = fork()) < 0)
        bail_out("%s: pipe or fork: %s", what, strerror(errno));
    if (pid == 0) {
        close(fds[0]);
        fn(fds[1], arg);
        tu_child_exit(0);
    }
    close(fds[1]);
    tu_child_collect(fds[0], pid, what);
}

int tu_child_collect(int fd, int pid, const char *what)
{
    struct child_record r;
    int n = 0, status = 0;
    for (;;) {
        size_t got = 0;
        while (got < sizeof r) {
            ssize_t k = read(fd, (char *)&r + got, sizeof r - got);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                break;
            got += (size_t)k;
        }
        if (got < sizeof r)
            break;
        r.text[sizeof r.text - 1] = '\0';
        ok(r.cond, "%s: %s", what, r.text);
        n++;
    }
    close(fd);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: child exited with status 0", what)) {
        if (WIFSIGNALED(status))
            diag("  child killed by signal %d", WTERMSIG(status));
        else
            diag("  child exit status %d", WEXITSTATUS(status));
    }
    return n;
}
#endif
