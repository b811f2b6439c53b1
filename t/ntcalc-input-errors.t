#!/bin/sh
# SPDX-License-Identifier: MIT
# Bad input is refused loudly: a line with a NUL byte is an error of that
# line (the session goes on, status 1); a FILE that cannot be read (a
# directory) is reported with strerror (status 1); a FILE that cannot be
# opened is a start-up error (status 2) and no line runs.

. "$(cd "$(dirname "$0")" && pwd)/ntcalc-lib.sh"

printf '1+1\000garbage\n2+2\n\000\n3*3\n7\000\n' >"$tmp/nul"
calc <"$tmp/nul"
printf '4\n9\n' >"$tmp/want"
diffout "$tmp/want"; ok $? "lines with a NUL byte print nothing; the others run"
test "$rc" -eq 1; ok $? "exit status 1 (got $rc)"
test "$(grep -c . "$tmp/err")" -eq 3 &&
    test "$(grep -c '^  \*\*\*   syntax error, unexpected NUL byte at column [0-9]' "$tmp/err")" -eq 3 &&
    grep -q 'column 4: 1+1\.$' "$tmp/err"
ok $? "one line on stderr each, naming the NUL byte and its column"

printf '6*7\n' >"$tmp/f1"
calc "$tmp"
test "$rc" -eq 1 && test ! -s "$tmp/out" && test "$(cat "$tmp/err")" = "ntcalc: $tmp: Is a directory"
ok $? "a directory as FILE: 'ntcalc: FILE: Is a directory', status 1 (got $rc: $(cat "$tmp/err"))"
calc <"$tmp"
test "$rc" -eq 1 && test "$(cat "$tmp/err")" = "ntcalc: standard input: Is a directory"
ok $? "a directory as standard input: named 'standard input', status 1 (got $rc)"
calc "$tmp" "$tmp/f1"
test "$rc" -eq 1 && test "$(cat "$tmp/out")" = 42 && test "$(grep -c . "$tmp/err")" -eq 1
ok $? "the FILEs after one that cannot be read still run; status 1 (got $rc)"

calc -e '1+1' "$tmp/f1" "$tmp/missing"
test "$rc" -eq 2 && test ! -s "$tmp/out" &&
    test "$(cat "$tmp/err")" = "ntcalc: $tmp/missing: No such file or directory"
ok $? "a missing FILE: status 2 and no line runs, not even -e ones (got $rc: $(cat "$tmp/err"))"
calc "$tmp/f1/x"
test "$rc" -eq 2 && test ! -s "$tmp/out" && grep -q 'Not a directory' "$tmp/err"
ok $? "a FILE under a plain file (ENOTDIR): status 2 (got $rc)"
calc - "$tmp/f1" - <"$tmp/f1"
test "$rc" -eq 0 && test "$(cat "$tmp/out")" = "42
42" && test ! -s "$tmp/err"
ok $? "'-' twice: standard input is read once, then is at its end; status 0"

test "$vgerr" -eq 0; ok $? "no run reported memory errors"
done_testing
