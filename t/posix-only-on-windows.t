#!/bin/sh
# On Windows, each test that needs fork, POSIX signals, setrlimit, /proc or
# the calls of src/os_unix.c is reported here as skipped, with the reason:
# none of them vanishes from the count.  The build passes their names in
# T_POSIX_TESTS (t/Makefile.inc); Windows' own tests of the same ground are
# t/windows-page-states, t/windows-os-call-failures and
# t/windows-static-16g-lifecycle.
set -- ${T_POSIX_TESTS:?T_POSIX_TESTS is not set: run this through make check}
n=0
for t in "$@"; do
    n=$((n + 1))
    echo "ok $n - $t # SKIP needs fork, POSIX signals, setrlimit, /proc or the POSIX memory calls"
done
echo "1..$n"
