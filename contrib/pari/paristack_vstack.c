/* SPDX-License-Identifier: MIT */
/* paristack_vstack.c -- PARI's stacks on libvstack.
 *
 * contrib/pari/splice copies this file into PARI's src/language/ as
 * paristack_vstack.inc (PARI compiles every .c file there on its own) and
 * has init.c include it where PARI's own definition of pari_mainstack_alloc
 * was, after removing PARI's definitions of the functions below.  It is
 * written against the names and the documented behaviour of PARI 2.15's
 * struct pari_mainstack and of these static functions, and uses PARI's
 * own fix_size, MIN_STACK, pari_warn and pari_err, which init.c defines
 * before this point.
 *
 * Each struct pari_mainstack (the main stack, each thread's stack, an MPI
 * rank's stack) gets a vstack.  PARI's fields keep their meaning exactly
 * (top, bot, vbot, size, rsize, vsize, memused): PARI's inline new_chunk
 * reads them in every program that includes pari.h, and cypari2 reads
 * them too.  The vstack holds the reservation, commits and gives back
 * memory, and takes PARI's avma as its stack pointer (vstack_bind_avma),
 * so that fork() leaves out what lies below avma.
 *
 * The vstack of a pari_mainstack is found in a list that takes no lock:
 * a child of fork() made while another thread was adding a stack can
 * never find a lock held.  Its entries are claimed by compare-and-swap,
 * never freed, and reused once their stack is freed, so that a vstack
 * never moves while it lives. */
#include <stdatomic.h>
#include <stdlib.h>
#include <vstack.h>

_Static_assert(sizeof(pari_sp) == sizeof(vstack_sp), "PARI's avma and vstack's stack pointer differ in size");

struct pv_entry {
    _Atomic(struct pari_mainstack *) owner; /* NULL: free for the next stack */
    struct pv_entry *next;                  /* set once, before the entry is published */
    vstack vs;
};

static _Atomic(struct pv_entry *) pv_list;

static struct pv_entry *
pv_find(struct pari_mainstack *st)
{
  struct pv_entry *e;
  for (e = atomic_load(&pv_list); e; e = e->next)
    if (atomic_load(&e->owner) == st) return e;
  return NULL;
}

/* An entry for st: a free one, or a new one at the head of the list; NULL
 * when there is no memory for it. */
static struct pv_entry *
pv_take(struct pari_mainstack *st)
{
  struct pv_entry *e;
  for (e = atomic_load(&pv_list); e; e = e->next)
  {
    struct pari_mainstack *none = NULL;
    if (atomic_compare_exchange_strong(&e->owner, &none, st)) return e;
  }
  e = (struct pv_entry *)calloc(1, sizeof *e); /* NOT pari_malloc: e_MEM here would be deadly */
  if (!e) return NULL;
  atomic_init(&e->owner, st);
  e->next = atomic_load(&pv_list);
  while (!atomic_compare_exchange_weak(&pv_list, &e->next, e))
    ;
  return e;
}

static void
pv_drop(struct pv_entry *e) { atomic_store(&e->owner, NULL); }

/* The entry of st, which PARI allocated through pari_mainstack_alloc. */
static struct pv_entry *
pv_of(struct pari_mainstack *st)
{
  struct pv_entry *e = pv_find(st);
  if (!e) pari_err_BUG("pari_mainstack: a stack that libvstack does not hold");
  return e;
}

/* Commit [bot rounded down to the page, top), as PARI's own version does
 * with mprotect, and give back what lies below.  Returns 1, or 0 when the
 * system refuses: then vsize drops to the current size, with PARI's
 * warning, and nothing else changes. */
static int
pari_mainstack_setsize(struct pari_mainstack *st, size_t size)
{
  struct pv_entry *e = pv_of(st);
  struct vstack_stats s;
  pari_sp newbot = st->top - size;
  size_t want = st->top - (newbot & ~(pari_sp)(PARI_STACK_ALIGN - 1));

  vstack_get_stats(&e->vs, &s);
  if (want > s.committed)
  {
    if (vstack_grow(&e->vs, want) != VSTACK_OK)
    {
      st->vsize = st->size;
      pari_warn(warnstack, st->vsize);
      return 0;
    }
  }
  /* PARI shrinks only to rsize, which is the vstack's parisize: a reset
   * gives back all above it that avma does not hold. */
  else if (want < s.committed && vstack_reset(&e->vs) != VSTACK_OK)
    pari_err(e_MEM);
  st->bot = newbot;
  st->size = size;
  return 1;
}

/* Reserve vsize (or rsize for a fixed stack) as PARI does: a size the
 * system refuses is halved until it fits, with PARI's warning numerr at
 * each step, and e_MEM below MIN_STACK.  Then commit rsize. */
static void
pari_mainstack_alloc(int numerr, struct pari_mainstack *st, size_t rsize, size_t vsize)
{
  size_t sizemax = vsize ? vsize: rsize, s = fix_size(sizemax);
  struct vstack_stats stats;
  struct pv_entry *e = pv_take(st);

  if (!e) pari_err(e_MEM);
  for (;;)
  {
    size_t r = minuu(rsize, s);
    int rc = vsize ? vstack_init(&e->vs, r, s, VSTACK_NOHALVE)
                   : vstack_init(&e->vs, s, 0, VSTACK_NOHALVE);
    if (rc == VSTACK_OK) break;
    if (s == MIN_STACK) { pv_drop(e); pari_err(e_MEM); } /* nothing smaller to try */
    s = fix_size(s >> 1);
    pari_warn(numerr, s);
  }
  vstack_get_stats(&e->vs, &stats);
  st->top = vstack_top(&e->vs);
  st->vbot = st->top - stats.reserved; /* s, but under valgrind no more than its cap */
  st->vsize = vsize ? stats.reserved: 0;
  st->rsize = minuu(rsize, stats.reserved);
  /* Committing rsize of a reservation of at least rsize: a refusal here
   * means the system has no memory at all. */
  if (!pari_mainstack_setsize(st, st->rsize)) pari_err(e_MEM);
  st->memused = 0;
  /* PARI's paristack_newrsize (gp's allocatemem and default(parisize))
   * replaces the calling thread's stack without pari_mainstack_use: bind
   * avma here, or the new stack would run unbound, the library taking
   * its own untouched stack pointer for PARI's.  A thread's stack, made
   * by another thread, is bound by its thread in pari_mainstack_use. */
  if (st == pari_mainstack) (void)vstack_bind_avma(&e->vs, (vstack_sp *)&avma);
}

static void
pari_mainstack_free(struct pari_mainstack *st)
{
  struct pv_entry *e = pv_find(st);
  if (e) { vstack_destroy(&e->vs); pv_drop(e); }
  st->top = st->bot = st->vbot = 0;
  st->size = st->vsize = 0;
}

/* The calling thread works on st from now on: its avma is st's stack
 * pointer, for the vstack too. */
static void
pari_mainstack_use(struct pari_mainstack *st)
{
  struct pv_entry *e = pv_find(st);
  pari_mainstack = st;
  avma = st->top; /* the stack starts empty */
  if (e) (void)vstack_bind_avma(&e->vs, (vstack_sp *)&avma); /* a fresh stack has no mark to clear */
}
