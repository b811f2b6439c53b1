/* not-on-windows: what a POSIX-only test is built from on Windows.  It runs
 * nothing and says why, as a TAP skip: the build defines T_WHY for each test
 * it stands in for (t/Makefile.inc). */
#include "config.h"

#include "tap.h"

#ifndef T_WHY
#error "T_WHY: the reason this test does not run on Windows"
#endif

int main(void) { skip_all("%s", T_WHY); }
