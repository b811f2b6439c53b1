/* SPDX-License-Identifier: MIT */
/* huge-page-size-comes-from-sysfs: the library reads the transparent huge
 * page size once, from /sys/kernel/mm/transparent_hugepage: none when
 * "enabled" is missing, empty or says [never]; otherwise hpage_pmd_size,
 * or 2 MiB when that file is missing, unreadable or 0.  Without huge pages,
 * VSTACK_HUGEPAGES still makes a working stack of normal pages, with a
 * warning; VSTACK_HUGEPAGES=1 in the environment is ignored quietly.  With
 * them, the unit of a VSTACK_HUGEPAGES stack is the size read, and a refused
 * reservation of one such unit is not halved.  Each case
 * runs in a child that reads the files for the first time, through a
 * stand-in for fopen (the linker's --wrap) that serves the test's contents
 * for those two files only, so that every kind of system is tried here. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vstack.h>

#include "os.h"
#include "tap.h"
#include "testutil.h"
#include "testing.h"

#define MB ((size_t)1 << 20)
#define THP_DIR "/sys/kernel/mm/transparent_hugepage/"

/* The contents served for the two files; NULL: the file does not exist. */
static const char *fake_enabled, *fake_size;
static int served;

#if HAVE_LD_WRAP
FILE *__real_fopen(const char *path, const char *mode);
FILE *__wrap_fopen(const char *path, const char *mode);

FILE *__wrap_fopen(const char *path, const char *mode)
{
    size_t n = strlen(THP_DIR);
    if (strncmp(path, THP_DIR, n) != 0)
        return __real_fopen(path, mode);
    const char *text = strcmp(path + n, "enabled") == 0 ? fake_enabled : fake_size;
    served++;
    if (!text) {
        errno = ENOENT;
        return NULL;
    }
    FILE *f = tmpfile();
    if (f && (fputs(text, f) < 0 || fseek(f, 0, SEEK_SET) != 0)) {
        fclose(f);
        f = NULL;
    }
    return f;
}
#endif

struct thp_case {
    const char *what, *enabled, *size;
    size_t want; /* the huge page size the library must read */
};

static void in_child(int fd, void *arg)
{
    const struct thp_case *c = arg;
    struct tu_logs logs;
    vstack st;
    fake_enabled = c->enabled;
    fake_size = c->size;
    size_t got = vs_os_config()->huge_page_size;
    tu_child_ok(fd, served > 0, "the library read the files");
    tu_child_ok(fd, got == c->want, "huge page size %zu (want %zu)", got, c->want);

    tu_capture_defaults(&logs);
    int rc = vstack_init(&st, 1 * MB + 1, 64 * MB, VSTACK_HUGEPAGES);
    tu_child_ok(fd, rc == VSTACK_OK, "VSTACK_HUGEPAGES: vstack_init succeeds");
    if (rc != VSTACK_OK)
        return;
    size_t unit = c->want ? c->want : vs_os_config()->page_size;
    struct vstack_stats s = tu_stats(&st);
    if (c->want)
        tu_child_ok(fd, logs.warn.count == 0, "no warning");
    else
        tu_child_ok(fd, logs.warn.count == 1 && strstr(logs.warn.last, "transparent huge pages are not available") &&
                            logs.warn.last_err == VSTACK_OK,
                    "one warning, that huge pages are not available: %s", logs.warn.last);
    tu_child_ok(fd, s.rsize == tu_round_up(1 * MB + 1, unit) && vstack_top(&st) % unit == 0,
                "parisize and top in units of %zu bytes (parisize %zu)", unit, s.rsize);
    unsigned char *p = vstack_alloc(&st, 3 * MB);
    if (p)
        tu_fill(p, 3 * MB, 11);
    tu_child_ok(fd, p && tu_check(p, 3 * MB, 11) < 0 && vstack_reset(&st) == VSTACK_OK, "the stack works");
    vstack_destroy(&st);

    if (c->want) {
        /* One huge page refused: half of it rounds up to it again, so
         * there is nothing smaller to try. */
        vs_os_fail_reset();
        vs_os_fail_nth(VS_OS_PROBE, 1, ENOMEM);
        rc = vstack_init(&st, unit, unit, VSTACK_HUGEPAGES);
        tu_child_ok(fd, rc == VSTACK_ENOMEM && vs_os_count(VS_OS_PROBE) == 1,
                    "one huge page refused: VSTACK_ENOMEM after one trial (%d, %lu trials)", rc,
                    vs_os_count(VS_OS_PROBE));
        vs_os_fail_reset();
        if (rc == VSTACK_OK)
            vstack_destroy(&st);
    }
    if (!c->want) {
        tu_logs_clear(&logs);
        setenv("VSTACK_HUGEPAGES", "1", 1);
        vs_env_forget();
        rc = vstack_init(&st, 1 * MB + 1, 64 * MB, 0);
        unsetenv("VSTACK_HUGEPAGES");
        vs_env_forget();
        tu_child_ok(fd, rc == VSTACK_OK && logs.warn.count == 0 &&
                            tu_stats(&st).rsize == tu_round_up(1 * MB + 1, vs_os_config()->page_size),
                    "VSTACK_HUGEPAGES=1 is ignored quietly, normal pages (%d warnings)",
                    logs.warn.count);
        if (rc == VSTACK_OK)
            vstack_destroy(&st);
    }
}

int main(void)
{
    static const struct thp_case cases[] = {
        {"no THP directory", NULL, NULL, 0},
        {"an empty enabled file", "", "2097152\n", 0},
        {"THP disabled", "always madvise [never]\n", "2097152\n", 0},
        {"THP on madvise, 4 MiB pages", "always [madvise] never\n", "4194304\n", 4 * MB},
        {"THP always, no hpage_pmd_size", "[always] madvise never\n", NULL, 2 * MB},
        {"THP on madvise, hpage_pmd_size unreadable", "always [madvise] never\n", "huge\n", 2 * MB},
        {"THP on madvise, hpage_pmd_size 0", "always [madvise] never\n", "0\n", 2 * MB},
    };
#if !HAVE_LD_WRAP
    skip_all("the linker has no --wrap: fopen cannot be replaced");
#endif
#if !defined(VS_OS_UNIX) || !HAVE_DECL_MADV_HUGEPAGE
    skip_all("the library reads the huge page size only with mmap and MADV_HUGEPAGE");
#endif
    /* The stand-in must see the calls of code built as the library is (a
     * header may rename fopen); nothing here may read the configuration
     * before the children do. */
    fake_enabled = "[never]\n";
    FILE *f = fopen(THP_DIR "enabled", "r");
    if (f)
        fclose(f);
    if (!served)
        skip_all("fopen is not the function the stand-in replaces here");
    served = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        tu_in_child(in_child, (void *)&cases[i], cases[i].what);
    return done_testing();
}
