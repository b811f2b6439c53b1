#!/bin/sh
# SPDX-License-Identifier: MIT
# A result that cannot be written is an error, as in the coreutils: one
# line on stderr naming standard output and the reason, exit status 1, and
# no more input is read: on a full device (ENOSPC, /dev/full) and on a pipe
# whose reader is gone (EPIPE, with SIGPIPE ignored).

. "$(cd "$(dirname "$0")" && pwd)/ntcalc-lib.sh"

# The lines after a failed write would each say something on stderr if
# they ran.
printf '2^100\n1/0\n3+4\n1/0\n' >"$tmp/in"
if [ -c /dev/full ] && ! (echo x >/dev/full) 2>/dev/null; then
    $VSTACK_TEST_WRAPPER "$NTCALC" -e '2^100' >/dev/full 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 99 ] && vgerr=1
    test "$rc" -eq 1 && test "$(cat "$tmp/err")" = "ntcalc: cannot write to standard output: No space left on device"
    ok $? "-e '2^100' >/dev/full: status 1 and one line (status $rc: $(cat "$tmp/err"))"
    $VSTACK_TEST_WRAPPER "$NTCALC" "$tmp/in" >/dev/full 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 99 ] && vgerr=1
    test "$rc" -eq 1 && test "$(grep -c . "$tmp/err")" -eq 1 && grep -q 'No space left on device' "$tmp/err"
    ok $? "a FILE >/dev/full: the first failed write ends the session (status $rc, $(grep -c . "$tmp/err") lines on stderr)"
    $VSTACK_TEST_WRAPPER "$NTCALC" --echo -e '1/0' >/dev/full 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 99 ] && vgerr=1
    test "$rc" -eq 1 && test "$(grep -c . "$tmp/err")" -eq 1 && grep -q 'cannot write to standard output' "$tmp/err"
    ok $? "--echo's copy of the line counts as a result: the line does not run (status $rc)"
else
    skip "no /dev/full that refuses writes here" "-e '2^100' >/dev/full: status 1 and one line"
    skip "no /dev/full that refuses writes here" "a FILE >/dev/full: the first failed write ends the session"
    skip "no /dev/full that refuses writes here" "--echo's copy of the line counts as a result"
fi

# 40 results of 100001 bytes each, far more than a pipe holds: the reader
# takes one line and goes, so a write fails while lines remain.
: >"$tmp/many"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40; do
    echo '10^100000' >>"$tmp/many"
done
echo '1/0' >>"$tmp/many"
(
    trap '' PIPE
    $VSTACK_TEST_WRAPPER "$NTCALC" "$tmp/many" 2>"$tmp/err"
    echo $? >"$tmp/rc"
) | head -c 10 >"$tmp/out"
rc=$(cat "$tmp/rc")
[ "$rc" -eq 99 ] && vgerr=1
test "$rc" -eq 1 && test "$(cat "$tmp/err")" = "ntcalc: cannot write to standard output: Broken pipe"
ok $? "SIGPIPE ignored, the reader gone: status 1 and one line (status $rc: $(head -c 200 "$tmp/err"))"
! grep -q '\*\*\*' "$tmp/err"; ok $? "and the input after the failed write was not run (its 1/0 said nothing)"
test "$(cat "$tmp/out")" = 1000000000; ok $? "the reader got the start of the first result"

test "$vgerr" -eq 0; ok $? "no run reported memory errors"
done_testing
