#!/bin/sh
# SPDX-License-Identifier: MIT
# On Windows, each test that needs fork, POSIX signals, setrlimit, /proc or
# the calls of src/os_unix.c is reported here as skipped, with the reason:
# none of them vanishes from the count.  The build passes their names in
# T_POSIX_TESTS (t/Makefile.inc); Windows' own tests of the same ground are
# t/windows-page-states, t/windows-os-call-failures and
# t/windows-static-16g-lifecycle.  Outside a Windows build's make check
# (prove t/ on Linux, say) there is nothing to stand in for: those tests
# are programs of their own there, and this script skips itself.
if [ -z "${T_POSIX_TESTS}" ]; then
    echo "1..0 # SKIP stands in for the POSIX-only tests in a Windows build's make check only"
    exit 0
fi
set -- ${T_POSIX_TESTS}
n=0
for t in "$@"; do
    n=$((n + 1))
    echo "ok $n - $t # SKIP needs fork, POSIX signals, setrlimit, /proc or the POSIX memory calls"
done
echo "1..$n"
