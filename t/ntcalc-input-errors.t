#!/bin/sh
# Bad input is refused loudly: a line with a NUL byte is an error of that
# line (the session goes on, status 1).

. "$(cd "$(dirname "$0")" && pwd)/ntcalc-lib.sh"

echo "1..4"
printf '1+1\000garbage\n2+2\n\000\n3*3\n7\000\n' >"$tmp/nul"
calc <"$tmp/nul"
printf '4\n9\n' >"$tmp/want"
diffout "$tmp/want"; ok $? "lines with a NUL byte print nothing; the others run"
test "$rc" -eq 1; ok $? "exit status 1 (got $rc)"
test "$(grep -c . "$tmp/err")" -eq 3 &&
    test "$(grep -c '^  \*\*\*   syntax error, unexpected NUL byte at column [0-9]' "$tmp/err")" -eq 3 &&
    grep -q 'column 4: 1+1\.$' "$tmp/err"
ok $? "one line on stderr each, naming the NUL byte and its column"

test "$vgerr" -eq 0; ok $? "no run reported memory errors"
