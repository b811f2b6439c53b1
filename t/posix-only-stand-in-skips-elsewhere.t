#!/bin/sh
# SPDX-License-Identifier: MIT
# t/posix-only-on-windows.t stands in for the POSIX-only tests in a Windows
# build's make check (which passes their names in T_POSIX_TESTS); anywhere
# else, as under prove t/ on Linux, it skips itself and passes.
. "$(dirname "$0")/tap.sh"
here=$(cd "$(dirname "$0")" && pwd)
out=$(env -u T_POSIX_TESTS sh "$here/posix-only-on-windows.t" 2>&1)
rc=$?
test "$rc" -eq 0 && case $out in "1..0 # SKIP "*) true ;; *) false ;; esac
ok $? "without T_POSIX_TESTS: a skipped plan and status 0 (status $rc: $(printf "%s" "$out" | tr "#" "-"))"
out=$(T_POSIX_TESTS='t/a.t t/b.t' sh "$here/posix-only-on-windows.t" 2>&1)
rc=$?
test "$rc" -eq 0 && test "$(printf '%s\n' "$out" | grep -c '^ok [12] - t/[ab]\.t # SKIP ')" -eq 2 &&
    test "$(printf '%s\n' "$out" | tail -1)" = "1..2"
ok $? "with T_POSIX_TESTS: one skipped check per test named (status $rc)"
done_testing
