/* fork.c -- the table of live stacks, and fork-wipe.
 *
 * fork() copies the page-table entries of every touched page and
 * write-protects the parent's copies, so that the parent later takes a
 * fault per page it writes.  The free part of a stack, below avma, holds
 * only dead data.  Just before fork, the forking thread's stacks mark their
 * touched free part with the system's wipe-on-fork advice: the child gets
 * zero pages there, and fork neither copies nor write-protects them.  Just
 * after fork, parent and child clear the mark again, so that memory handed
 * out later is inherited as usual.
 *
 * Only the forking thread's own stacks are marked: another thread may be
 * allocating on its stack right now, without any call into the library,
 * and its new data must reach the child.  A stack belongs to the thread
 * that created it, or to the last one that called vstack_claim.
 *
 * The table takes no lock, so that a fork from a signal handler can never
 * deadlock on it: slots are claimed with compare-and-swap, blocks of slots
 * are only ever added, and the fork hooks only read.  An idle stack (nothing
 * touched below avma) costs the hooks a few loads and no system call. */
#include "config.h"
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#define VS_SLOTS 64

struct vs_slot {
    _Atomic(vstack *) st;
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

/* ---- the hooks --------------------------------------------------------------- */

static int vs_mine(struct vs_slot *s, vstack **st)
{
    if (atomic_load_explicit(&s->owner, memory_order_acquire) != &vs_thread_tag)
        return 0;
    *st = atomic_load_explicit(&s->st, memory_order_acquire);
    return *st != NULL;
}

/* Mark st's free part; the first mark of this fork blocks signals first, so
 * that no handler runs between the mark and the fork, and then reads the
 * range again. */
static void vs_mark(vstack *st)
{
    struct vstack_private_ *p = &st->priv_;
    struct vs_os_err e;
    uintptr_t lo, hi;

    if (!vs_fork_range(st, &lo, &hi))
        return;
    if (!vs_fork_blocked) {
        if (vs_os_signals_block(&vs_fork_saved, &e) != 0)
            return; /* this stack is copied as a plain mapping would be */
        vs_fork_blocked = 1;
        if (!vs_fork_range(st, &lo, &hi))
            return;
    }
    if (vs_os_wipe_on_fork((void *)lo, hi - lo, 1, &e) == 0) {
        p->wipe_lo = lo;
        p->wipe_hi = hi;
    } else if (e.err == EINVAL || e.err == ENOSYS) {
        atomic_store(&vs_wipe_unavailable, 1); /* a kernel without the advice */
    }
}

static void vs_unmark(vstack *st)
{
    struct vstack_private_ *p = &st->priv_;
    struct vs_os_err e;
    if (p->wipe_hi <= p->wipe_lo)
        return;
    if (vs_os_wipe_on_fork((void *)p->wipe_lo, p->wipe_hi - p->wipe_lo, 0, &e) == 0)
        p->wipe_lo = p->wipe_hi = 0;
    else
        vs_fork_stuck(st); /* allocation clears it later, or fails */
}

static void vs_each_mine(void (*fn)(vstack *))
{
    for (struct vs_block *b = &vs_table; b; b = atomic_load_explicit(&b->next, memory_order_acquire))
        for (int i = 0; i < VS_SLOTS; i++) {
            vstack *st;
            if (vs_mine(&b->slot[i], &st))
                fn(st);
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

int vs_live_add(vstack *st)
{
    if (!st->priv_.forkwipe)
        return 0; /* nothing for the hooks to do with this stack */
    pthread_once(&vs_hooks_once, vs_hooks_register);
    for (struct vs_block *b = &vs_table;;) {
        for (int i = 0; i < VS_SLOTS; i++) {
            vstack *none = NULL;
            if (atomic_compare_exchange_strong(&b->slot[i].st, &none, st)) {
                atomic_store_explicit(&b->slot[i].owner, &vs_thread_tag, memory_order_release);
                st->priv_.slot = &b->slot[i];
                return 0;
            }
        }
        struct vs_block *next = atomic_load(&b->next);
        if (!next) {
            struct vs_block *fresh = calloc(1, sizeof *fresh), *none = NULL;
            if (!fresh)
                return -1;
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

void vs_live_remove(vstack *st)
{
    struct vs_slot *s = st->priv_.slot;
    if (!s)
        return;
    /* The owner goes first: a hook that still sees the owner sees the stack. */
    atomic_store_explicit(&s->owner, NULL, memory_order_release);
    atomic_store_explicit(&s->st, NULL, memory_order_release);
    st->priv_.slot = NULL;
}

void vstack_claim(vstack *st)
{
    struct vs_slot *s = st->priv_.slot;
    if (s)
        atomic_store_explicit(&s->owner, &vs_thread_tag, memory_order_release);
}
