/* SPDX-License-Identifier: MIT */
/* tu-proc.c -- what Linux shows of this process's mappings: /proc/self/maps
 * and smaps, the commit charge (see testutil.h). */
#include "config.h"
#include "testutil.h"
#include "tu-internal.h"
#include "tap.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <sys/mman.h>
#endif
#include <sys/types.h>
#include <unistd.h>
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

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
    unsigned char *p = tu_probe_map(3, PROT_NONE);
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
    static struct tu_probe_memo m;
    return tu_probe_once(&m, probe_proc_maps);
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
