/* SPDX-License-Identifier: MIT */
/* fork-after-computation.c -- what a child of fork() sees of PARI's stack
 * after a large computation that was popped.
 *
 *   fork-after-computation vstack|stock
 *
 * Built against an installed PARI (contrib/pari/check compiles it with
 * DIR/include and DIR/lib).  PARI starts with an 8 MB stack and a
 * parisizemax of 2 GB (paristack_setsize), builds about 1 GiB of t_INT on
 * its stack, keeps a small result and pops the rest, then forks.  The
 * child checks the live data (by value) and reads pages below avma that
 * the computation wrote; the parent checks that fork() left its own popped
 * pages as they were.  With "vstack" (PARI on libvstack) those pages read
 * as zero in the child, proof that fork-wipe marked [bot, avma); with
 * "stock" the child reads the parent's data, as fork() copies it.  Where
 * the kernel has no MADV_WIPEONFORK, the zero checks are skipped.
 *
 * The same again after PARI's parallel engine has run (parvector with
 * nbthreads 2), a fork from a thread of our own that has its own PARI
 * stack (pari_thread_valloc/pari_thread_start), a fork from a SIGALRM
 * handler in the middle of a computation, and a fork after
 * paristack_newrsize (gp's allocatemem) replaced the stack.
 *
 * Prints TAP lines without numbers ("ok - ...", "not ok - ...", "# ..."),
 * which contrib/pari/check numbers; exits 1 if any check failed. */
#define _GNU_SOURCE
#include <errno.h>
#include <pari/pari.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

#define MiB (1UL << 20)
#define SAMPLES 16

static int failures;
static int expect_wipe; /* the child reads zeros below avma */
static const char *no_wipe_reason;
static size_t page;

static void
report(int ok, const char *what)
{
  printf("%s - %s\n", ok ? "ok" : "not ok", what);
  if (!ok) failures++;
  fflush(stdout);
}

static void
skip(const char *what, const char *why)
{
  printf("ok - %s # SKIP %s\n", what, why);
  fflush(stdout);
}

/* Does this kernel wipe a page on fork?  Asked of a scratch page. */
static int
kernel_wipes_on_fork(void)
{
  void *p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  int ok;
  if (p == MAP_FAILED) return 0;
  ok = madvise(p, page, MADV_WIPEONFORK) == 0;
  if (munmap(p, page) != 0) return 0;
  return ok;
}

/* ---- data whose values the child can check without allocating ----------- */

/* A t_VEC of n t_INT 2^64 + i (two words each): built before a computation,
 * it must be intact in every child. */
static GEN
make_keep(long n)
{
  GEN v = cgetg(n + 1, t_VEC);
  long i;
  for (i = 1; i <= n; i++)
  {
    GEN x = cgetipos(4);
    *int_LSW(x) = (ulong)i;
    *int_MSW(x) = 1;
    gel(v, i) = x;
  }
  return v;
}

static int
keep_intact(GEN v, long n)
{
  long i;
  if (typ(v) != t_VEC || lg(v) != n + 1) return 0;
  for (i = 1; i <= n; i++)
  {
    GEN x = gel(v, i);
    if (typ(x) != t_INT || lgefint(x) != 4 || signe(x) <= 0) return 0;
    if ((ulong)*int_LSW(x) != (ulong)i || *int_MSW(x) != 1) return 0;
  }
  return 1;
}

/* A t_INT that fits a word, checked by value. */
static int
is_word(GEN x, ulong value)
{
  return typ(x) == t_INT && lgefint(x) == 3 && signe(x) > 0 && (ulong)*int_LSW(x) == value;
}

/* ---- the computation ------------------------------------------------------ */

struct computation
{
  GEN result;       /* the sum of 1..n, left at avma */
  ulong expected;   /* n(n+1)/2 */
  pari_sp lowest;   /* the lowest avma the computation reached */
  char *sample[SAMPLES]; /* pages it wrote, below avma once popped */
  uint64_t sum[SAMPLES]; /* what the parent had in them */
};

/* Builds n t_INT on the stack (32 bytes each with the vector), sums them,
 * keeps the sum and pops the rest.  The samples are pages between the
 * lowest avma and a margin below the final one. */
static void
compute(struct computation *c, long n)
{
  pari_sp av = avma, high;
  GEN v = cgetg(n + 1, t_VEC);
  long i;
  size_t span;

  for (i = 1; i <= n; i++) gel(v, i) = utoipos((ulong)i);
  c->lowest = avma;
  c->result = gerepileuptoint(av, vecsum(v));
  c->expected = (ulong)n * (ulong)(n + 1) / 2;
  high = (avma & ~(pari_sp)(page - 1)) - 2 * MiB;
  span = high - c->lowest;
  for (i = 0; i < SAMPLES; i++)
    c->sample[i] = (char *)((c->lowest + span / SAMPLES * i + page - 1) & ~(pari_sp)(page - 1));
}

static uint64_t
page_sum(const char *p)
{
  const uint64_t *w = (const uint64_t *)p;
  uint64_t h = 1469598103934665603ULL;
  size_t i;
  for (i = 0; i < page / sizeof *w; i++) h = (h ^ w[i]) * 1099511628211ULL;
  return h;
}

static int
page_is_zero(const char *p)
{
  const uint64_t *w = (const uint64_t *)p;
  size_t i;
  for (i = 0; i < page / sizeof *w; i++)
    if (w[i]) return 0;
  return 1;
}

/* The parent's view of its samples, before the fork: they hold data. */
static int
record_samples(struct computation *c)
{
  int i, nonzero = 1;
  for (i = 0; i < SAMPLES; i++)
  {
    c->sum[i] = page_sum(c->sample[i]);
    if (page_is_zero(c->sample[i])) nonzero = 0;
  }
  return nonzero;
}

/* What the child found, as bits of its exit status. */
enum { LIVE_BAD = 1, BELOW_NOT_ZERO = 2, BELOW_NOT_COPIED = 4, OTHER_BAD = 8 };

/* In the child: async-signal-safe, reads only. */
static int
child_checks(const struct computation *c, GEN keep, long nkeep)
{
  int i, bits = 0, zero = 0, copied = 0;
  if (!is_word(c->result, c->expected)) bits |= LIVE_BAD;
  if (keep && !keep_intact(keep, nkeep)) bits |= LIVE_BAD;
  for (i = 0; i < SAMPLES; i++)
  {
    if (page_is_zero(c->sample[i])) zero++;
    else if (page_sum(c->sample[i]) == c->sum[i]) copied++;
  }
  if (zero != SAMPLES) bits |= BELOW_NOT_ZERO;
  if (copied != SAMPLES) bits |= BELOW_NOT_COPIED;
  return bits;
}

/* The parent's report on a child's exit status, and its own check that its
 * popped pages are what they were. */
static void
report_child(const char *where, pid_t pid, const struct computation *c)
{
  int status, bits, i, same = 1;
  char what[256];

  if (pid < 0)
  {
    snprintf(what, sizeof what, "%s: fork: %s", where, strerror(errno));
    report(0, what);
    return;
  }
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) { report(0, "waitpid"); return; }
  if (!WIFEXITED(status))
  {
    snprintf(what, sizeof what, "%s: the child ended with status %#x", where, status);
    report(0, what);
    return;
  }
  bits = WEXITSTATUS(status);
  snprintf(what, sizeof what, "%s: the child reads the live result and the data kept above it", where);
  report(!(bits & (LIVE_BAD | OTHER_BAD)), what);
  if (expect_wipe)
  {
    snprintf(what, sizeof what, "%s: the child reads zeros in %d pages below avma that the computation wrote",
             where, SAMPLES);
    report(!(bits & BELOW_NOT_ZERO), what);
  }
  else
  {
    snprintf(what, sizeof what, "%s: the child reads the parent's popped data below avma (fork copied it)", where);
    if (no_wipe_reason) skip(what, no_wipe_reason);
    else report(!(bits & BELOW_NOT_COPIED), what);
  }
  for (i = 0; i < SAMPLES; i++)
    if (page_sum(c->sample[i]) != c->sum[i]) same = 0;
  snprintf(what, sizeof what, "%s: the parent's popped pages are unchanged by the fork", where);
  report(same, what);
}

/* Compute, fork, check: in the calling thread, on its PARI stack. */
static void
fork_after(const char *where, struct computation *c, long n, GEN keep, long nkeep, GEN extra_keep,
           long nextra)
{
  char what[256];
  pid_t pid;
  size_t used;

  compute(c, n);
  used = pari_mainstack->top - c->lowest;
  snprintf(what, sizeof what, "%s: the computation used %zu MiB of PARI's stack and kept its result",
           where, used / MiB);
  report(is_word(c->result, c->expected) && (keep == NULL || keep_intact(keep, nkeep)), what);
  snprintf(what, sizeof what, "%s: the pages below avma hold the parent's data before the fork", where);
  report(record_samples(c), what);
  fflush(NULL);
  pid = fork();
  if (pid == 0)
  {
    int bits = child_checks(c, keep, nkeep);
    if (extra_keep && !keep_intact(extra_keep, nextra)) bits |= OTHER_BAD;
    _exit(bits);
  }
  report_child(where, pid, c);
}

/* ---- a thread of our own with its own PARI stack ------------------------------ */

struct thread_arg
{
  struct pari_thread pth;
  GEN main_keep; /* on the main thread's stack */
  long nkeep;
};

static void *
thread_main(void *p)
{
  struct thread_arg *a = (struct thread_arg *)p;
  struct computation c;
  GEN mine;
  (void)pari_thread_start(&a->pth);
  mine = make_keep(1000);
  /* 64 MiB: grows the thread's 8 MB stack, and more than the 8 MiB from
   * which a free part is marked. */
  fork_after("a fork from a thread of ours", &c, 2L << 20, mine, 1000, a->main_keep, a->nkeep);
  pari_thread_close();
  return NULL;
}

/* ---- a fork from a signal handler ------------------------------------------------ */

static volatile sig_atomic_t alarm_done;
static volatile pid_t alarm_pid;
static int alarm_errno;
static struct computation *alarm_c;
static GEN alarm_keep;
static long alarm_nkeep;
static GEN alarm_busy; /* the work in progress, at the time of the signal */

static void
on_alarm(int sig)
{
  pid_t pid;
  (void)sig;
  pid = fork();
  if (pid == 0)
  {
    int bits = child_checks(alarm_c, alarm_keep, alarm_nkeep);
    _exit(bits);
  }
  alarm_errno = errno;
  alarm_pid = pid;
  alarm_done = 1;
}

static void
fork_in_signal_handler(struct computation *c, GEN keep, long nkeep)
{
  struct sigaction sa;
  struct itimerval it;
  pari_sp av = avma;
  long rounds = 0;
  char what[160];

  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGALRM, &sa, NULL) != 0) { report(0, "sigaction(SIGALRM)"); return; }
  alarm_c = c;
  alarm_keep = keep;
  alarm_nkeep = nkeep;
  if (!record_samples(c)) { report(0, "the pages below avma hold data before the signal"); return; }
  fflush(NULL);
  memset(&it, 0, sizeof it);
  it.it_value.tv_usec = 100000;
  if (setitimer(ITIMER_REAL, &it, NULL) != 0) { report(0, "setitimer"); return; }
  /* A computation that allocates all the time, until the handler has
   * forked: a vector of 10^4 t_INT (320 kB) a round, in the same place
   * each time, above the samples (which end 2 MiB below av). */
  while (!alarm_done && rounds < 100000000)
  {
    long i;
    GEN v;
    set_avma(av);
    v = cgetg(10001, t_VEC);
    for (i = 1; i <= 10000; i++) gel(v, i) = utoipos((ulong)(rounds + i));
    alarm_busy = v;
    rounds++;
  }
  set_avma(av);
  if (!alarm_done) { report(0, "a fork from a SIGALRM handler: the signal never came"); return; }
  errno = alarm_errno;
  snprintf(what, sizeof what, "a fork from a SIGALRM handler during a computation (round %ld)", rounds);
  report_child(what, alarm_pid, c);
}

/* ---- after paristack_newrsize ------------------------------------------------------ */

static void no_recover(long e) { (void)e; }

/* gp's allocatemem and default(parisize) call paristack_newrsize, which
 * replaces the stack (its contents go) without pari_mainstack_use.  It ends
 * with the error-recovery callback, which in a library program exits:
 * held off here. */
static void
fork_after_newrsize(struct computation *c, long n)
{
  void (*saved)(long) = cb_pari_err_recover;
  GEN keep;
  cb_pari_err_recover = no_recover;
  paristack_newrsize(16 * 1000000);
  cb_pari_err_recover = saved;
  keep = make_keep(1000);
  fork_after("after paristack_newrsize (gp's allocatemem)", c, n, keep, 1000, NULL, 0);
}

/* ---- main ---------------------------------------------------------------------- */

int
main(int argc, char **argv)
{
  struct computation c1, c2, c3, c4;
  struct thread_arg ta;
  pthread_t th;
  GEN keep, par;
  long n = 1L << 25; /* 2^25 t_INT with their vector: 1 GiB */
  char what[200];
  int err;

  if (argc != 2 || (strcmp(argv[1], "vstack") && strcmp(argv[1], "stock")))
  {
    fprintf(stderr, "usage: %s vstack|stock\n", argv[0]);
    return 2;
  }
  page = (size_t)sysconf(_SC_PAGESIZE);
  expect_wipe = !strcmp(argv[1], "vstack");
  if (expect_wipe && !kernel_wipes_on_fork())
  {
    expect_wipe = 0;
    no_wipe_reason = "the kernel has no MADV_WIPEONFORK";
    printf("# %s: the zero checks are skipped\n", no_wipe_reason);
  }

  pari_init_opts(8 * 1000000, 0, INIT_JMPm | INIT_DFTm);
  DEBUGMEM = 0; /* no "increasing stack size" warnings */
  paristack_setsize(8 * 1000000, 2000 * 1000000UL);
  snprintf(what, sizeof what, "PARI %ld.%ld.%ld (%s engine): parisize %zu, parisizemax %zu",
           (long)(PARI_VERSION_CODE >> 16), (long)((PARI_VERSION_CODE >> 8) & 255), (long)(PARI_VERSION_CODE & 255),
           PARI_MT_ENGINE, pari_mainstack->rsize, pari_mainstack->vsize);
  report(pari_mainstack->rsize == 8000000 && pari_mainstack->vsize >= 1800 * MiB, what);

  keep = make_keep(10000);
  fork_after("after 1 GiB of t_INT", &c1, n, keep, 10000, NULL, 0);
  snprintf(what, sizeof what, "the stack grew from parisize to %zu bytes on its own", pari_mainstack->size);
  report(pari_mainstack->size > 1024 * MiB, what);

  /* PARI's parallel engine: threads with stacks of their own (pthread), or
   * the MPI engine run as one process. */
  (void)setdefault("nbthreads", "2", d_SILENT);
  (void)setdefault("threadsizemax", "256M", d_SILENT);
  par = gp_read_str("[parvector(4, k, #vector(10^6 * k, i, i)), parapply(x -> x^2, [1, 2, 3, 4])]");
  snprintf(what, sizeof what, "parvector and parapply with nbthreads 2 (%s engine)", PARI_MT_ENGINE);
  report(typ(par) == t_VEC && lg(par) == 3 && lg(gel(par, 1)) == 5 && lg(gel(par, 2)) == 5
         && is_word(gmael(par, 1, 4), 4000000) && is_word(gmael(par, 2, 4), 16), what);
  fork_after("after the parallel engine ran, 1 GiB again", &c2, n, keep, 10000, NULL, 0);

#ifdef ENABLE_TLS
  ta.main_keep = keep;
  ta.nkeep = 10000;
  pari_thread_valloc(&ta.pth, 8 * 1000000, 256 * MiB, NULL);
  if ((err = pthread_create(&th, NULL, thread_main, &ta)) != 0)
  {
    snprintf(what, sizeof what, "pthread_create: %s", strerror(err));
    report(0, what);
  }
  else
  {
    pthread_join(th, NULL);
  }
  pari_thread_free(&ta.pth);
#else
  (void)ta; (void)th; (void)err; (void)thread_main;
  skip("a fork from a thread of ours",
       "PARI built without TLS: avma and pari_mainstack are shared by all threads, so no second thread has a stack");
#endif

  /* c3: a computation whose pages lie below the signal's avma. */
  compute(&c3, n / 4);
  fork_in_signal_handler(&c3, keep, 10000);

  /* Last: it replaces the stack, keep and all. */
  fork_after_newrsize(&c4, n / 4);

  pari_close();
  printf("# %s\n", failures ? "some checks failed" : "all checks passed");
  return failures != 0;
}
