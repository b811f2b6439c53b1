/* SPDX-License-Identifier: MIT */
/* fork.c -- the table of live stacks and pools, and fork-wipe.
 *
 * fork() copies the page-table entries of every touched page and
 * write-protects the parent's copies, so that the parent later takes a
 * fault per page it writes.  The free part of a stack, below avma, holds
 * only dead data.  Just before fork, the forking thread's stacks mark their
 * touched free part with the system's wipe-on-fork advice: the child gets
 * zero pages there, and fork neither copies nor write-protects them.  Just
 * after fork, parent and child clear that mark again, so that memory handed
 * out later is inherited as usual.
 *
 * A stack that is reset marks its free part at once, and that mark is kept
 * across forks (vs_fork_keep): lim stays above it, so the fast path never
 * hands out memory inside it, and the first allocation below lim clears it.
 * A fork after a reset then makes no system call at all.
 *
 * Only the forking thread's own stacks are marked at fork time: another
 * thread may be allocating on its stack right now, without any call into
 * the library, and its new data must reach the child.  A stack belongs to
 * the thread that created it, or to the last one that called vstack_claim.
 *
 * The table takes no lock, so that a fork from a signal handler can never
 * deadlock on it: slots are claimed with compare-and-swap, blocks of slots
 * are only ever added, and the fork hooks only read.  An idle stack (nothing
 * touched below avma) costs the hooks a few loads and no system call.
 *
 * A struct must stay at its address from init to destroy, and be destroyed
 * before its memory is used again.  A program that breaks that rule (frees
 * a stack, lets a local one go out of scope, initialises one twice) leaves
 * an entry that points at memory that is no longer a stack.  The entry's
 * check word, the struct's own address scrambled, which init sets and
 * destroy clears, lets the hooks tell most such entries apart: they leave
 * them out, drop them from the table, and say so under valgrind or in a
 * library built with VSTACK_DEBUG.  The memory is read all the same, so
 * memory that was unmapped, or a check word that the new contents happen
 * to match, cannot be told: the rule stands. */
#include "config.h"
#include "internal.h"

#include "track.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <unistd.h>
#endif

#define VS_SLOTS 64
/* Scrambles an address into a check word: a stray copy of the address
 * alone is not a valid one. */
#define VS_CHECK_KEY ((uintptr_t)0x5a17c0de9e3779b9ULL)

struct vs_slot {
    _Atomic(struct vs_fork *) f;
    _Atomic(const void *) owner; /* the owning thread's tag, or NULL */
};

struct vs_block {
    struct vs_slot slot[VS_SLOTS];
    _Atomic(struct vs_block *) next;
};

static struct vs_block vs_table;
/* Its address tells the threads apart: unique among live threads, and the
 * same for the forking thread in the child. */
static _Thread_local char vs_thread_tag;
/* Signals were blocked by the prepare hook of this thread's fork. */
static _Thread_local int vs_fork_blocked;
static _Thread_local struct vs_os_sigmask vs_fork_saved;
/* Set when the system turned out not to have wipe-on-fork after all. */
static atomic_int vs_wipe_unavailable;

/* ---- the marks -------------------------------------------------------------- */

/* The part of f's range that this fork has to mark: all of it, less the
 * kept mark [lo, keep), which starts it.  A kept mark that does not start
 * the range cannot be: the rest is left unmarked then, and copied. */
static int vs_fork_todo(const struct vs_fork *f, uintptr_t *lo, uintptr_t *hi)
{
    if (!f->range(f, lo, hi))
        return 0;
    if (f->lo < f->keep) {
        if (f->lo != *lo)
            return 0;
        *lo = f->keep;
    }
    return *lo < *hi;
}

/* Mark [lo, hi); a system without the advice turns fork-wipe off.  Any
 * other failure may have come partway, with some of the range's mappings
 * marked already (a split refused at the map count limit): the mark is
 * undone at once, and *unsure says when that failed too, so that the
 * caller records the range as marked and clears it before handing any of
 * it out.  Nothing unrecorded stays marked. */
static int vs_wipe(uintptr_t lo, uintptr_t hi, int *unsure, struct vs_os_err *e)
{
    struct vs_os_err undo;
    *unsure = 0;
    if (vs_os_wipe_on_fork((void *)lo, hi - lo, 1, e) == 0)
        return 0;
    if (e->err == EINVAL || e->err == ENOSYS)
        atomic_store(&vs_wipe_unavailable, 1); /* a kernel without the advice */
    else
        *unsure = vs_os_wipe_on_fork((void *)lo, hi - lo, 0, &undo) != 0;
    return e->err;
}

/* Record [lo, hi) as marked by this fork, after a kept mark if any. */
static void vs_fork_took(struct vs_fork *f, uintptr_t lo, uintptr_t hi)
{
    if (f->keep <= f->lo)
        f->lo = f->keep = lo;
    f->hi = hi;
}

/* Clear what an earlier fork marked and could not clear; a kept mark
 * stays.  0, or the errno of the failed unmark. */
static int vs_unmark_try(struct vs_fork *f)
{
    struct vs_os_err e;
    if (f->hi <= f->keep)
        return 0;
    if (vs_os_wipe_on_fork((void *)f->keep, f->hi - f->keep, 0, &e) != 0)
        return e.err;
    if (f->lo < f->keep)
        f->hi = f->keep;
    else
        vs_fork_none(f);
    return 0;
}

/* Mark f's free part for this fork; the first mark of this fork blocks
 * signals first, so that no handler runs between the mark and the fork,
 * and then reads the range again.  A mark an earlier fork could not clear
 * is cleared first: a stack whose embedder allocates without a call
 * (vstack_bind_avma) may hold live data there by now. */
static void vs_mark(struct vs_fork *f)
{
    struct vs_os_err e;
    uintptr_t lo, hi;
    int unsure;

    (void)vs_unmark_try(f);
    if (!vs_fork_todo(f, &lo, &hi))
        return;
    if (!vs_fork_blocked) {
        if (vs_os_signals_block(&vs_fork_saved, &e) != 0)
            return; /* this one is copied as a plain mapping would be */
        vs_fork_blocked = 1;
        if (!vs_fork_todo(f, &lo, &hi))
            return;
    }
    if (vs_wipe(lo, hi, &unsure, &e) == 0 || unsure)
        vs_fork_took(f, lo, hi); /* unmarked after fork, or stuck */
}

int vs_fork_clear(struct vs_fork *f, struct vs_os_err *e)
{
    int err = 0;
    if (f->lo < f->hi)
        err = vs_os_wipe_on_fork((void *)f->lo, f->hi - f->lo, 0, e);
    if (!err)
        vs_fork_none(f);
    return err;
}

int vs_fork_keep(struct vs_fork *f, struct vs_os_err *e)
{
    uintptr_t lo, hi, from;
    int err = 0, unsure = 0;

    if (!f->slot || atomic_load_explicit(&vs_wipe_unavailable, memory_order_relaxed))
        return 0;
    if (!f->range(f, &lo, &hi))
        return vs_fork_clear(f, e); /* nothing free is touched: nothing to keep */
    if (f->hi > f->lo && f->lo == lo && f->hi <= hi) {
        from = f->hi; /* what is marked already starts the range: mark the rest */
    } else if ((err = vs_fork_clear(f, e)) != 0) {
        return err;
    } else {
        from = lo;
    }
    if (from < hi)
        err = vs_wipe(from, hi, &unsure, e);
    if (err && !unsure)
        return err; /* what was marked before stays, and stays recorded */
    f->lo = lo;
    f->keep = f->hi = hi;
    return err;
}

/* Clear what this fork marked; a kept mark stays. */
static void vs_unmark(struct vs_fork *f)
{
    if (vs_unmark_try(f) != 0)
        f->stuck(f); /* cleared later (the next fork, or the slow path), or the next use fails */
}

/* ---- the hooks --------------------------------------------------------------- */

static uintptr_t vs_check_of(const struct vs_fork *f) { return (uintptr_t)f ^ VS_CHECK_KEY; }

/* Tell of an entry whose struct went away without destroy, where misuse is
 * to be reported: one line on stderr, with write(), which a fork hook may
 * call. */
static void vs_report_stale(const struct vs_fork *f)
{
#if defined(VSTACK_DEBUG) || defined(HAVE_VALGRIND_MEMCHECK_H)
#ifndef VSTACK_DEBUG
    if (!vs_running_on_valgrind())
        return;
#endif
#ifndef _WIN32
    static const char digits[] = "0123456789abcdef";
    char line[160] = "vstack: the stack or pool at 0x";
    size_t n = strlen(line);
    uintptr_t a = (uintptr_t)f;
    for (int shift = (int)sizeof a * 8 - 4; shift >= 0; shift -= 4)
        line[n++] = digits[(a >> shift) & 15];
    const char *rest = " went away without vstack_destroy (freed, moved or initialised again): "
                       "left out of fork-wipe\n";
    size_t m = strlen(rest);
    memcpy(line + n, rest, m < sizeof line - n ? m : sizeof line - n);
    (void)!write(2, line, n + m < sizeof line ? n + m : sizeof line);
#endif
#else
    (void)f;
#endif
}

static void vs_each_mine(void (*fn)(struct vs_fork *))
{
    for (struct vs_block *b = &vs_table; b; b = atomic_load_explicit(&b->next, memory_order_acquire))
        for (int i = 0; i < VS_SLOTS; i++) {
            struct vs_slot *s = &b->slot[i];
            if (atomic_load_explicit(&s->owner, memory_order_acquire) != &vs_thread_tag)
                continue;
            struct vs_fork *f = atomic_load_explicit(&s->f, memory_order_acquire);
            if (!f)
                continue;
            if (f->check != vs_check_of(f) || f->slot != s) {
                /* Not a live stack any more: leave it out, and free the slot. */
                vs_report_stale(f);
                if (atomic_compare_exchange_strong(&s->f, &f, NULL))
                    atomic_store_explicit(&s->owner, NULL, memory_order_release);
                continue;
            }
            fn(f);
        }
}

static void vs_prepare(void)
{
    if (!atomic_load_explicit(&vs_wipe_unavailable, memory_order_relaxed))
        vs_each_mine(vs_mark);
}

/* After fork, in the parent and in the child alike. */
static void vs_after(void)
{
    struct vs_os_err e;
    if (!vs_fork_blocked)
        return;
    vs_each_mine(vs_unmark);
    vs_fork_blocked = 0;
    (void)vs_os_signals_restore(&vs_fork_saved, &e); /* nobody to tell inside fork */
}

static pthread_once_t vs_hooks_once = PTHREAD_ONCE_INIT;

static void vs_hooks_register(void)
{
    if (pthread_atfork(vs_prepare, vs_after, vs_after) != 0)
        atomic_store(&vs_wipe_unavailable, 1);
}

/* ---- the table --------------------------------------------------------------- */

int vs_live_registered(const struct vs_fork *f)
{
    const struct vs_slot *s = f->slot;
    for (struct vs_block *b = &vs_table; b; b = atomic_load_explicit(&b->next, memory_order_acquire))
        if (s >= b->slot && s < b->slot + VS_SLOTS)
            return atomic_load_explicit(&s->f, memory_order_acquire) == f && f->check == vs_check_of(f);
    return 0;
}

int vs_live_add(struct vs_fork *f)
{
    pthread_once(&vs_hooks_once, vs_hooks_register);
    /* An entry left for this address by a struct that went away without
     * destroy goes first: one address, one entry. */
    for (struct vs_block *b = &vs_table; b; b = atomic_load_explicit(&b->next, memory_order_acquire))
        for (int i = 0; i < VS_SLOTS; i++) {
            struct vs_fork *old = f;
            if (atomic_load_explicit(&b->slot[i].f, memory_order_relaxed) == f &&
                atomic_compare_exchange_strong(&b->slot[i].f, &old, NULL))
                atomic_store_explicit(&b->slot[i].owner, NULL, memory_order_release);
        }
    f->check = vs_check_of(f);
    for (struct vs_block *b = &vs_table;;) {
        for (int i = 0; i < VS_SLOTS; i++) {
            struct vs_fork *none = NULL;
            if (atomic_compare_exchange_strong(&b->slot[i].f, &none, f)) {
                atomic_store_explicit(&b->slot[i].owner, &vs_thread_tag, memory_order_release);
                f->slot = &b->slot[i];
                return 0;
            }
        }
        struct vs_block *next = atomic_load(&b->next);
        if (!next) {
            struct vs_block *fresh = calloc(1, sizeof *fresh), *none = NULL;
            if (!fresh) {
                f->check = 0;
                return -1;
            }
            if (atomic_compare_exchange_strong(&b->next, &none, fresh))
                next = fresh;
            else {
                free(fresh);
                next = none;
            }
        }
        b = next;
    }
}

void vs_live_remove(struct vs_fork *f)
{
    struct vs_slot *s = f->slot;
    /* The owner goes first: a hook that still sees the owner sees the
     * entry.  A slot that no longer holds f (a hook dropped it as stale,
     * and another stack took it) is left alone. */
    if (s && atomic_load_explicit(&s->f, memory_order_acquire) == f) {
        atomic_store_explicit(&s->owner, NULL, memory_order_release);
        atomic_store_explicit(&s->f, NULL, memory_order_release);
    }
    f->slot = NULL;
    f->check = 0;
}

void vs_live_claim(struct vs_fork *f)
{
    struct vs_slot *s = f->slot;
    if (s)
        atomic_store_explicit(&s->owner, &vs_thread_tag, memory_order_release);
}
