/* SPDX-License-Identifier: MIT */
/* os_win32.c -- the memory verbs of os.h on Windows.
 *
 * This is the only file of libvstack that calls VirtualAlloc, VirtualFree
 * and VirtualQuery.  A reservation is MEM_RESERVE with PAGE_NOACCESS:
 * address space only, no commit charge.  Commit is MEM_COMMIT with
 * PAGE_READWRITE inside it; decommit is MEM_DECOMMIT, which gives back both
 * the pages and the commit charge and leaves the range reserved.  So both
 * decommit paths of the policy are that one call here, and a reservation
 * never has a hole.  Every call goes through the test seam first (in the
 * test build: src/os.h), and every failure is reported with the call's name and the system's own words for
 * GetLastError(). */
#include "config.h"
#include "os.h"

#include <windows.h>

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define VS_NOT_WHOLE "Windows releases whole reservations only, from the base that reserved them"

/* ---- configuration, read once ------------------------------------------- */

static struct vs_os_config vs_config;
static INIT_ONCE vs_config_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK vs_config_read(PINIT_ONCE once, PVOID param, PVOID *context)
{
    SYSTEM_INFO si;
    (void)once;
    (void)param;
    (void)context;
    GetSystemInfo(&si); /* returns nothing, cannot fail */
    /* Commits are made in pages.  Reservations are placed at the allocation
     * granularity (64 KiB) by Windows itself; the policy needs nothing more. */
    vs_config.page_size = si.dwPageSize ? si.dwPageSize : 4096;
    /* Large pages need SeLockMemoryPrivilege, are committed whole at
     * allocation and cannot be decommitted: nothing for a growing stack. */
    vs_config.huge_page_size = 0;
    vs_config.reserves = 1;
    vs_config.default_unmap = 0; /* MEM_DECOMMIT either way */
    vs_config.wipes_on_fork = 0; /* there is no fork */
    vs_config.discard_decommits = 1;
    return TRUE;
}

const struct vs_os_config *vs_os_config(void)
{
    BOOL done = InitOnceExecuteOnce(&vs_config_once, vs_config_read, NULL, NULL);
    assert(done); /* the callback always succeeds, and so does the call */
    (void)done;
    return &vs_config;
}

/* ---- failures --------------------------------------------------------------- */

/* The errno nearest to a Win32 error code, for the policy's VSTACK_E* codes. */
static int vs_errno_of(DWORD code)
{
    switch (code) {
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_COMMITMENT_LIMIT:
    case ERROR_COMMITMENT_MINIMUM:
    case ERROR_PAGEFILE_QUOTA:
    case ERROR_WORKING_SET_QUOTA:
    case ERROR_NO_SYSTEM_RESOURCES:
        return ENOMEM;
    case ERROR_INVALID_PARAMETER:
    case ERROR_INVALID_ADDRESS:
        return EINVAL;
    case ERROR_ACCESS_DENIED:
        return EACCES;
    default:
        return EIO;
    }
}

/* Report a Win32 call that failed with code: the nearest errno, and the
 * system's words for code, e.g. "Exceeded commitment limit (Windows error
 * 1455)".  If FormatMessage has no words for it, the number alone. */
static int vs_win_fail(struct vs_os_err *e, DWORD code, const char *call)
{
    int err = vs_os_fail(e, vs_errno_of(code), call, NULL);
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS |
                                 FORMAT_MESSAGE_MAX_WIDTH_MASK,
                             NULL, code, 0, e->text, (DWORD)sizeof e->text, NULL);
    /* Our sentences go on after the reason: no trailing period or blanks. */
    while (n > 0 && (e->text[n - 1] == '.' || e->text[n - 1] == ' ' || e->text[n - 1] == '\r' ||
                     e->text[n - 1] == '\n'))
        n--;
    if (n == 0 || n + 32 > sizeof e->text)
        n = 0;
    snprintf(e->text + n, sizeof e->text - n, "%sWindows error %lu%s", n ? " (" : "",
             (unsigned long)code, n ? ")" : "");
    return err;
}

#ifdef VS_TEST_SEAM
/* The Win32 code that a failure injected by the test seam stands for, so
 * that it takes the path of a real one, the system's words included:
 * ENOMEM is the commit limit, EINVAL a bad parameter, EACCES a refusal;
 * anything else a general failure (which reads back as EIO). */
static DWORD vs_win_code_of(int err)
{
    switch (err) {
    case ENOMEM:
        return ERROR_COMMITMENT_LIMIT;
    case EINVAL:
        return ERROR_INVALID_PARAMETER;
    case EACCES:
        return ERROR_ACCESS_DENIED;
    default:
        return ERROR_GEN_FAILURE;
    }
}

/* A Win32 call the seam fails: as if the system had failed it. */
static int vs_win_seam_fail(struct vs_os_err *e, int err, const char *call)
{
    return vs_win_fail(e, vs_win_code_of(err), call);
}
#else
/* The installed library: os.h makes err always 0, and this is never reached. */
#define vs_win_seam_fail(e, err, call) vs_os_fail((e), (err), (call), NULL)
#endif

/* Does [addr, addr+size) hold exactly one whole reservation, starting at its
 * base?  VirtualFree(MEM_RELEASE) frees the whole reservation whatever the
 * caller meant, so anything else is refused before the call. */
static int vs_whole_reservation(void *addr, size_t size, const char *call, struct vs_os_err *e)
{
    MEMORY_BASIC_INFORMATION mbi;
    uintptr_t at = (uintptr_t)addr, end = at + size;
    while (at < end) {
        if (VirtualQuery((void *)at, &mbi, sizeof mbi) == 0)
            return vs_win_fail(e, GetLastError(), "VirtualQuery (before MEM_RELEASE)");
        if (mbi.State == MEM_FREE || mbi.AllocationBase != addr)
            return vs_os_fail(e, EINVAL, call, VS_NOT_WHOLE);
        at = (uintptr_t)mbi.BaseAddress + mbi.RegionSize;
    }
    /* Nothing of the reservation may lie beyond end either.  VirtualQuery
     * fails past the highest address a program may use: nothing is there. */
    if (at > end || (VirtualQuery((void *)end, &mbi, sizeof mbi) != 0 && mbi.State != MEM_FREE &&
                     mbi.AllocationBase == addr))
        return vs_os_fail(e, EINVAL, call, VS_NOT_WHOLE);
    return 0;
}

/* ---- the verbs ---------------------------------------------------------- */

/* The trial: commit the whole size at once (MEM_RESERVE|MEM_COMMIT), then
 * release it.  Windows charges a commit against the system's commit limit
 * (RAM plus page files) and any job limit, so this asks the memory manager
 * the very question the stack will ask when it grows, and gets one atomic
 * answer; no page is touched, so it costs two calls and, for an instant,
 * the charge.  GlobalMemoryStatusEx would only be a snapshot of the free
 * commit, without the job limits, that another process may change at once. */
int vs_os_probe(size_t size, struct vs_os_err *e)
{
    static const char trial[] = "VirtualAlloc (trial MEM_COMMIT of the whole size)";
    static const char release[] = "VirtualFree (MEM_RELEASE of the trial)";
    VS_ASSERT_SIZE(size);
    int err = vs_os_seam(VS_OS_PROBE);
    void *p;
    if (err)
        return vs_win_seam_fail(e, err, trial);
    if ((p = VirtualAlloc(NULL, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE)) == NULL)
        return vs_win_fail(e, GetLastError(), trial);
    err = vs_os_seam(VS_OS_PROBE_UNMAP);
    if (!VirtualFree(p, 0, MEM_RELEASE) && !err) /* the seam: pretend, but never leak the trial */
        return vs_win_fail(e, GetLastError(), release);
    return err ? vs_win_seam_fail(e, err, release) : 0;
}

int vs_os_reserve(size_t size, void **base, struct vs_os_err *e)
{
    static const char call[] = "VirtualAlloc (MEM_RESERVE)";
    VS_ASSERT_SIZE(size);
    /* No address: Windows places it, so no existing allocation is touched. */
    int err = vs_os_seam(VS_OS_RESERVE);
    void *p;
    if (err)
        return vs_win_seam_fail(e, err, call);
    if ((p = VirtualAlloc(NULL, size, MEM_RESERVE, PAGE_NOACCESS)) == NULL)
        return vs_win_fail(e, GetLastError(), call);
    *base = p;
    return 0;
}

int vs_os_commit(void *addr, size_t size, struct vs_os_err *e)
{
    static const char call[] = "VirtualAlloc (MEM_COMMIT)";
    VS_ASSERT_RANGE(addr, size);
    int err = vs_os_seam(VS_OS_COMMIT);
    if (err)
        return vs_win_seam_fail(e, err, call);
    if (VirtualAlloc(addr, size, MEM_COMMIT, PAGE_READWRITE) == NULL)
        return vs_win_fail(e, GetLastError(), call);
    return 0;
}

/* Both paths are MEM_DECOMMIT, which returns the pages and the commit charge
 * and keeps the range reserved: there is no window in which the range is
 * not ours, so *hole is never set.  The seam still counts the path the
 * policy chose (VS_OS_UNMAP or VS_OS_REMAP). */
int vs_os_decommit(void *addr, size_t size, int unmap, int *hole, struct vs_os_err *e)
{
    static const char call[] = "VirtualFree (MEM_DECOMMIT)";
    VS_ASSERT_RANGE(addr, size);
    *hole = 0;
    int err = vs_os_seam(unmap ? VS_OS_UNMAP : VS_OS_REMAP);
    if (err)
        return vs_win_seam_fail(e, err, call);
    if (!VirtualFree(addr, size, MEM_DECOMMIT))
        return vs_win_fail(e, GetLastError(), call);
    return 0;
}

/* MEM_RELEASE takes the reservation's base and a size of 0, and frees all
 * of it: the policy always passes the base and size of what reserve gave
 * (see os.h), and vs_whole_reservation makes sure of it. */
int vs_os_release(void *addr, size_t size, struct vs_os_err *e)
{
    static const char call[] = "VirtualFree (MEM_RELEASE)";
    VS_ASSERT_RANGE(addr, size);
    int err = vs_os_seam(VS_OS_RELEASE);
    if (err)
        return vs_win_seam_fail(e, err, call);
    if ((err = vs_whole_reservation(addr, size, call, e)) != 0)
        return err;
    if (!VirtualFree(addr, 0, MEM_RELEASE))
        return vs_win_fail(e, GetLastError(), call);
    return 0;
}

/* Discard = decommit, then commit again.  MEM_RESET would keep the commit
 * charge and drop the pages, but it leaves their contents undefined, and the
 * contract is that they read as zero; a fresh commit gives zero pages on
 * first touch.  If the second step fails (the commit limit was reached in
 * between), the range stays decommitted: config.discard_decommits tells the
 * policy, which then gives the range back (src/alloc.c, vstack_trim).  The
 * second step is a commit and goes through the seam as VS_OS_COMMIT. */
int vs_os_discard(void *addr, size_t size, struct vs_os_err *e)
{
    static const char call[] = "VirtualFree (MEM_DECOMMIT, to discard)";
    VS_ASSERT_RANGE(addr, size);
    int err = vs_os_seam(VS_OS_DISCARD);
    if (err)
        return vs_win_seam_fail(e, err, call);
    if (!VirtualFree(addr, size, MEM_DECOMMIT))
        return vs_win_fail(e, GetLastError(), call);
    if ((err = vs_os_commit(addr, size, e)) != 0)
        e->call = "VirtualAlloc (MEM_COMMIT again, after discarding)";
    return err;
}

/* No transparent huge pages on Windows (config.huge_page_size is 0, so the
 * policy never asks): nothing to do. */
int vs_os_advise_huge(void *addr, size_t size, struct vs_os_err *e)
{
    VS_ASSERT_RANGE(addr, size);
    int err = vs_os_seam(VS_OS_ADVISE);
    return err ? vs_os_fail(e, err, "huge pages", NULL) : 0;
}

/* There is no fork (config.wipes_on_fork is 0, so the policy never asks). */
int vs_os_wipe_on_fork(void *addr, size_t size, int on, struct vs_os_err *e)
{
    VS_ASSERT_RANGE(addr, size);
    (void)on;
    int err = vs_os_seam(VS_OS_WIPE);
    return vs_os_fail(e, err ? err : ENOSYS, "wipe on fork", "Windows has no fork");
}

/* Not on Windows (config.populates is 0, so the policy never asks): the
 * answer is a kernel's without the advice. */
int vs_os_populate(void *addr, size_t size, struct vs_os_err *e)
{
    VS_ASSERT_RANGE(addr, size);
    int err = vs_os_seam(VS_OS_POPULATE);
    return vs_os_fail(e, err ? err : EINVAL, "populate", "not on Windows");
}

/* ---- signals ------------------------------------------------------------------ */

/* Windows has no asynchronous signals to block: a console's Ctrl-C handler
 * runs in a thread of its own, and cannot interrupt this one in the middle
 * of a change.  The calls still go through the seam, so that the policy's
 * handling of a failure runs here too. */
int vs_os_signals_block(struct vs_os_sigmask *saved, struct vs_os_err *e)
{
    int err = vs_os_seam(VS_OS_SIGBLOCK);
    saved->unused = 0;
    return err ? vs_os_fail(e, err, "block signals", NULL) : 0;
}

int vs_os_signals_restore(const struct vs_os_sigmask *saved, struct vs_os_err *e)
{
    int err = vs_os_seam(VS_OS_SIGRESTORE);
    (void)saved;
    return err ? vs_os_fail(e, err, "restore signals", NULL) : 0;
}
