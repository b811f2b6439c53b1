/* SPDX-License-Identifier: MIT */
/* testing.h -- what the library offers its own tests beyond the public API
 * and the OS layer's seam (os.h), in the test build of the library alone
 * (VS_TEST_SEAM).  Not installed. */
#ifndef VSTACK_TESTING_H
#define VSTACK_TESTING_H

/* The environment is read once per process (options.c); a test that sets
 * it between two inits calls this first, so that the next init reads it
 * again. */
void vs_env_forget(void);

/* How many sentences the library has written out (report.c) since the
 * process began: a sentence is recorded as its format and arguments, and
 * written out only where it is read. */
unsigned long vs_formatted_count(void);

#endif
