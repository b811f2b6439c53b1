/* SPDX-License-Identifier: MIT */
/* vstack_common.h -- what vstack.h and vstack_pool.h share: error codes,
 * flags, limits, and the opaque storage of a stack's or a pool's state.
 * Included by both; include one of them rather than this. */
#ifndef VSTACK_COMMON_H
#define VSTACK_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define VSTACK_LIKELY(x) __builtin_expect(!!(x), 1)
#define VSTACK_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define VSTACK_LIKELY(x) (x)
#define VSTACK_UNLIKELY(x) (x)
#endif

/* Error codes.  Every function returning int returns VSTACK_OK or one of these. */
#define VSTACK_OK 0
#define VSTACK_ENOMEM 1 /* the system refused memory (reservation or commit) */
#define VSTACK_ESTACK 2 /* the stack overflows: the request exceeds parisizemax */
#define VSTACK_EINVAL 3 /* bad argument; nothing was changed */
#define VSTACK_ESYS 4   /* an OS call failed in a way that is not lack of memory */

/* Flags for vstack_init. */
#define VSTACK_NOPROBE 0x1u         /* skip the trial read/write mapping before reserving */
#define VSTACK_DECOMMIT_UNMAP 0x2u  /* decommit by munmap + mmap (Cygwin's safe path) */
#define VSTACK_DECOMMIT_REMAP 0x4u  /* decommit by mmap(PROT_NONE|MAP_FIXED) over the range */
#define VSTACK_HUGEPAGES 0x8u       /* commit in transparent-huge-page units */
#define VSTACK_NOHUGEPAGES 0x10u    /* never use huge pages, whatever the environment says */
#define VSTACK_NOFORKWIPE 0x20u     /* let fork() copy the free part, as a plain mapping would */
#define VSTACK_NOHALVE 0x40u        /* all or nothing: VSTACK_ENOMEM rather than a smaller reservation */
#define VSTACK_NOPOPULATE 0x80u     /* first touch page by page: no batched MADV_POPULATE_WRITE ahead */

/* The smallest stack, and the reservation cap while running under valgrind. */
#define VSTACK_MIN_SIZE ((size_t)64 << 10)        /* 64 KiB */
#define VSTACK_VALGRIND_MAX ((size_t)512 << 20)   /* 512 MiB */

/* The size of the library's private state in a struct vstack or struct
 * vstack_pool, on every platform.  It is part of the ABI: it only changes
 * with the soname.  The library uses less and checks that it fits. */
#define VSTACK_OPAQUE_SIZE 1024

/* Storage for the library's private state: aligned for any pointer or
 * integer the library keeps there.  Opaque: never read or write it. */
union vstack_opaque_ {
    unsigned char bytes_[VSTACK_OPAQUE_SIZE];
    void *align_ptr_;
    uintmax_t align_int_;
    double align_double_;
};

#endif /* VSTACK_COMMON_H */
