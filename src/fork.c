/* fork.c -- the list of live stacks, and trimming them before fork().
 *
 * fork() copies the page-table entries of every touched page.  Pages below
 * avma hold dead data; discarding them before fork makes the child cheaper
 * and charges it nothing for them. */
#include "config.h"
#include "internal.h"

#include <pthread.h>

static pthread_mutex_t vs_live_lock = PTHREAD_MUTEX_INITIALIZER;
static vstack *vs_live_head;
static int vs_trim_on_fork;
/* Its address tells the threads apart: unique among live threads. */
static _Thread_local char vs_thread_tag;

void vs_live_add(vstack *st)
{
    st->owner = &vs_thread_tag;
    pthread_mutex_lock(&vs_live_lock);
    st->prev_live = NULL;
    st->next_live = vs_live_head;
    if (vs_live_head)
        vs_live_head->prev_live = st;
    vs_live_head = st;
    pthread_mutex_unlock(&vs_live_lock);
}

void vs_live_remove(vstack *st)
{
    pthread_mutex_lock(&vs_live_lock);
    if (st->prev_live)
        st->prev_live->next_live = st->next_live;
    else if (vs_live_head == st)
        vs_live_head = st->next_live;
    if (st->next_live)
        st->next_live->prev_live = st->prev_live;
    st->next_live = st->prev_live = NULL;
    pthread_mutex_unlock(&vs_live_lock);
}

/* The lock is held from prepare until fork() returns in both processes, so
 * the child never inherits a list that another thread was changing.  Only
 * the forking thread's own stacks are trimmed: another thread may be
 * allocating on its stack right now, and discarding pages under it would
 * destroy what it just wrote. */
static void vs_atfork_prepare(void)
{
    pthread_mutex_lock(&vs_live_lock);
    if (vs_trim_on_fork)
        for (vstack *st = vs_live_head; st; st = st->next_live)
            if (st->owner == &vs_thread_tag)
                (void)vstack_trim(st); /* a failure only costs speed; it is in st->errmsg */
}

static void vs_atfork_release(void) { pthread_mutex_unlock(&vs_live_lock); }

static pthread_once_t vs_atfork_once = PTHREAD_ONCE_INIT;
static int vs_atfork_err;

static void vs_atfork_register(void)
{
    vs_atfork_err = pthread_atfork(vs_atfork_prepare, vs_atfork_release, vs_atfork_release);
}

int vstack_atfork_trim(int on)
{
    pthread_once(&vs_atfork_once, vs_atfork_register);
    if (vs_atfork_err)
        return vs_errno_code(vs_atfork_err);
    pthread_mutex_lock(&vs_live_lock);
    vs_trim_on_fork = on != 0;
    pthread_mutex_unlock(&vs_live_lock);
    return VSTACK_OK;
}
