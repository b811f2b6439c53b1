/* SPDX-License-Identifier: MIT */
/* measure.c -- clocks, statistics and /proc readers shared by the benchmarks. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* sched_setaffinity */
#endif
#include "config.h"

#include <errno.h>
#ifdef __linux__
#include <sched.h>
#endif

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"

uint64_t vsb_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int vsb_pin(long cpu)
{
#ifdef __linux__
    cpu_set_t one;
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
        errno = EINVAL;
        return -1;
    }
    CPU_ZERO(&one);
    CPU_SET((int)cpu, &one);
    return sched_setaffinity(0, sizeof one, &one);
#else
    (void)cpu;
    errno = ENOSYS;
    return -1;
#endif
}

double vsb_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The number after "key:" in a /proc file of "key: value kB" lines. */
static long proc_field_kb(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    char line[256];
    size_t klen = strlen(key);
    long v = -1;

    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            v = strtol(line + klen + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

long vsb_meminfo_kb(const char *key) { return proc_field_kb("/proc/meminfo", key); }
long vsb_status_kb(const char *key) { return proc_field_kb("/proc/self/status", key); }

long vsb_charged_kb(pid_t pid)
{
    char path[64], line[512];
    FILE *f;
    long size = 0, sum = 0;
    int flags = 0;

    if (pid)
        snprintf(path, sizeof path, "/proc/%ld/smaps", (long)pid);
    else
        snprintf(path, sizeof path, "/proc/self/smaps");
    f = fopen(path, "r");
    if (!f)
        return -1;
    /* Each mapping: a header line, "Key: value" lines, VmFlags last. */
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "Size:", 5) == 0) {
            size = strtol(line + 5, NULL, 10);
        } else if (strncmp(line, "VmFlags:", 8) == 0) {
            flags = 1;
            if (strstr(line + 7, " ac ") || strstr(line + 7, " ac\n"))
                sum += size;
        }
    }
    fclose(f);
    return flags ? sum : -1;
}

/* Global, so that no compiler can prove the stores to it useless. */
volatile long vsb_sink;

double vsb_loop_end(uint64_t t0, long iters, long sink)
{
    double ns = (double)(vsb_now_ns() - t0) / (double)iters;

    vsb_sink = sink;
    return ns;
}

long vsb_minor_faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

void vsb_die(const char *fmt, ...)
{
    va_list ap;
    fputs("vsbench: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

void vsb_turn_wait(void)
{
    char b;
    ssize_t n;

    while ((n = read(0, &b, 1)) < 0 && errno == EINTR)
        ;
    if (n != 1)
        vsb_die("--lockstep: no turn came (stdin %s)", n == 0 ? "closed" : strerror(errno));
}

void vsb_turn_pass(void)
{
    fputs("turn\n", stdout);
    if (fflush(stdout) != 0)
        vsb_die("--lockstep: cannot give the turn back: %s", strerror(errno));
    vsb_turn_wait();
}

int vsb_fill(const struct contender *c, size_t nbytes, size_t chunk)
{
    size_t done;

    for (done = 0; done < nbytes; done += chunk) {
        size_t n = nbytes - done < chunk ? nbytes - done : chunk;
        char *p = c->alloc(n);
        if (!p)
            return -1;
        memset(p, (int)(done / chunk) | 1, n);
        VSB_USE(p);
    }
    return 0;
}
