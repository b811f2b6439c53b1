/* SPDX-License-Identifier: MIT */
/* measure.h -- clocks, statistics and /proc readers shared by the benchmarks. */
#ifndef VSBENCH_MEASURE_H
#define VSBENCH_MEASURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "contender.h"

/* Keep p and everything it points to alive: the compiler must assume the
 * memory is read, so neither the stores nor the allocation can go away. */
#define VSB_USE(p) __asm__ volatile("" : : "r"(p) : "memory")
/* Forget every value held in registers: the start of each fast-path
 * iteration, standing for the code a real program runs between two
 * allocations.  Without it the compiler may carry the stack pointer from
 * one iteration to the next, which no real caller could. */
#define VSB_OPAQUE() __asm__ volatile("" : : : "memory")
/* Make the compiler produce p, and nothing more: no memory is assumed read,
 * so values may stay in registers, but an allocation whose result goes
 * nowhere (malloc then free) cannot be optimised away. */
#define VSB_KEEP(p) __asm__ volatile("" : : "r"(p))
/* The end of a tight loop that started at t0: ns per iteration.  Its sum
 * goes to a volatile, so that the loop cannot be dropped. */
double vsb_loop_end(uint64_t t0, long iters, long sink);

#define VSB_MiB ((size_t)1 << 20)
#define VSB_GiB ((size_t)1 << 30)

/* Monotonic clock in nanoseconds. */
uint64_t vsb_now_ns(void);
/* The median of v[0..n-1] (n > 0); sorts v in place. */
double vsb_median(double *v, size_t n);
/* Field key of /proc/meminfo (e.g. "Committed_AS") in kB, -1 if unknown. */
long vsb_meminfo_kb(const char *key);
/* Field key of /proc/self/status (e.g. "VmRSS") in kB, -1 if unknown. */
long vsb_status_kb(const char *key);
/* What the mappings of process pid (0: this one) are charged to
 * Committed_AS: the sizes of those its smaps flags "ac", in kB; -1 if
 * unknown (no smaps, or no VmFlags in it). */
long vsb_charged_kb(pid_t pid);
/* Minor page faults of this process so far. */
long vsb_minor_faults(void);
/* Keep this process, and the children it forks, on CPU cpu.  0, or -1
 * where the system cannot (errno says why). */
int vsb_pin(long cpu);
/* Taking turns (--lockstep).  The processes of one table run side by side
 * but one at a time, each for a slice of its measurement in turn, so that
 * whatever slows the machine for a second (a neighbour on the host, a busy
 * hypervisor) falls on every contender alike instead of on whichever ran
 * then.  bench/run hands the turn over with one byte on stdin; a process
 * gives it back with a line "turn" on stdout.  It keeps the turn for all it
 * does in between (setting up, a computation, its exit), so that nothing
 * untimed runs beside another's timed work.  Both die if stdin is closed. */
void vsb_turn_wait(void); /* the first turn: before anything else */
void vsb_turn_pass(void); /* give the turn back, wait for the next */
/* Print a message on stderr and exit with status 2. */
void vsb_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Push nbytes onto c's stack in chunks of chunk bytes, writing every byte
 * (a computation that uses that much).  Returns 0, or -1 if it did not fit. */
int vsb_fill(const struct contender *c, size_t nbytes, size_t chunk);

#endif
