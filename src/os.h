/* os.h -- the operating-system layer: the only code that maps memory.
 *
 * One verb per change of state of an address range:
 *   reserve   address space only: inaccessible, no commit charge
 *   commit    make [addr, addr+size) of a reservation readable and writable
 *   decommit  give pages and commit charge of a committed range back; the
 *             range stays reserved
 *   release   return a whole reservation to the system
 *   discard   drop the contents of committed pages; they stay committed and
 *             read as zero afterwards
 *   advise_huge  ask for transparent huge pages on a committed range
 * plus probe, a trial of whether the system would let us commit that much.
 *
 * Preconditions, asserted by every verb: addresses and sizes are multiples of
 * vs_os_config()->page_size and sizes are > 0.  Every verb returns 0 or the
 * errno of the call that failed, saved at once; vs_os_failed_call() names
 * that call for the error message.  Nothing here prints.
 */
#ifndef VSTACK_OS_H
#define VSTACK_OS_H

#include <stddef.h>

struct vs_os_config {
    size_t page_size;       /* mapping granularity (64 KiB on Cygwin) */
    size_t huge_page_size;  /* transparent huge page size, 0 if none */
    int has_mmap;           /* 0: the malloc fallback, no reservation */
    int default_unmap;      /* decommit by munmap + mmap by default (Cygwin) */
};

/* Read once, at first use; thread-safe. */
const struct vs_os_config *vs_os_config(void);

/* Would the system let us commit size bytes?  A trial read/write mapping
 * without MAP_NORESERVE, unmapped at once. */
int vs_os_probe(size_t size);
/* Reserve size bytes of inaccessible address space at *base. */
int vs_os_reserve(size_t size, void **base);
int vs_os_commit(void *addr, size_t size);
/* unmap != 0: munmap then map again at the same address (the Cygwin path).
 * *hole is set when the range was unmapped but could not be mapped again:
 * it no longer belongs to us, and the caller must stop using it. */
int vs_os_decommit(void *addr, size_t size, int unmap, int *hole);
int vs_os_release(void *addr, size_t size);
int vs_os_discard(void *addr, size_t size);
int vs_os_advise_huge(void *addr, size_t size);

/* The name of the system call behind the last failure in this thread, for
 * messages ("mprotect", "mmap (re-map after munmap)", ...). */
const char *vs_os_failed_call(void);

/* Test seam: make chosen OS calls fail, so that tests reach every error
 * path.  Only the verbs above consult it; the allocation fast path never
 * does.  Not thread-safe: arm it from the thread under test. */
enum vs_os_call {
    VS_OS_PROBE,     /* mmap of the trial mapping */
    VS_OS_RESERVE,   /* mmap of the reservation */
    VS_OS_COMMIT,    /* mprotect to read/write */
    VS_OS_REMAP,     /* mmap(PROT_NONE|MAP_FIXED) over a committed range */
    VS_OS_UNMAP,     /* munmap, first half of the unmap path */
    VS_OS_MAPAGAIN,  /* mmap at the same address, second half of the unmap path */
    VS_OS_RELEASE,   /* munmap of a whole reservation */
    VS_OS_DISCARD,   /* madvise(MADV_DONTNEED) */
    VS_OS_ADVISE,    /* madvise(MADV_HUGEPAGE) */
    VS_OS_NCALLS
};
/* Make the nth next call of that kind fail with errno err (nth = 1: the very
 * next one); nth = 0 disarms it. */
void vs_os_fail_nth(enum vs_os_call call, unsigned long nth, int err);
/* Disarm every call and zero the counters. */
void vs_os_fail_reset(void);
/* How many calls of that kind were attempted since the last reset. */
unsigned long vs_os_count(enum vs_os_call call);

/* For the verbs only (os_seam.c): count a call of that kind and name it for
 * vs_os_failed_call(); returns the errno to fake, or 0 to make the call. */
int vs_os_seam(enum vs_os_call call, const char *name);
void vs_os_set_call(const char *name);

#endif
