#!/bin/sh
# SPDX-License-Identifier: MIT
# Input cannot make ntcalc grow without end or work without end: a line
# longer than --linemax is an error reported as soon as the bound is
# passed, its rest is read and dropped without being stored, and the next
# line runs; results that cannot fit under parisizemax are refused from
# their arguments' size before any work, as gp refuses 2^(2^62).

. "$(cd "$(dirname "$0")" && pwd)/ntcalc-lib.sh"

rep() { # rep TEXT N: TEXT N times
    awk -v t="$1" -v n="$2" 'BEGIN { while (n-- > 0) printf "%s", t }'
}

# A line of 1001 bytes against --linemax=1000, one of exactly 1000 bytes.
{
    rep 1 1001; printf '\n6*7\n'
    rep 2 1000; printf '\n'
    rep 3 1001; printf '\n7*7'
} >"$tmp/in"
calc --linemax=1000 <"$tmp/in"
printf '42\n%s\n49\n' "$(rep 2 1000)" >"$tmp/want"
diffout "$tmp/want"; ok $? "lines over --linemax print nothing; the line of exactly the limit and the others run"
test "$rc" -eq 1; ok $? "exit status 1 (got $rc)"
test "$(grep -c . "$tmp/err")" -eq 2 &&
    test "$(grep -c '^  \*\*\*   input line too long: more than 1000 bytes \[hint\] raise --linemax\.$' "$tmp/err")" -eq 2
ok $? "one line on stderr for each: $(head -1 "$tmp/err")"

calc --linemax=10 -e '1+1+1+1+1+1' -e '2+2'
test "$(cat "$tmp/out")" = 4 && grep -q 'more than 10 bytes' "$tmp/err"
ok $? "-e EXPR has the same bound (status $rc)"
NTCALC_LINEMAX=5 calc -e '123456' -e '12345'
test "$(cat "$tmp/out")" = 12345 && test "$rc" -eq 1; ok $? "NTCALC_LINEMAX sets it"
calc --linemax=1x -e 1
test "$rc" -eq 2 && grep -q "bad size for --linemax" "$tmp/err"; ok $? "a bad --linemax is a usage error (status $rc)"

# 64 MB of NUL bytes on one line, then a good line, under an address-space
# limit the line cannot fit in: it is dropped as it is read.
probe=$( (ulimit -v 49152 2>/dev/null && exec "$NTCALC" -e 6*7) 2>/dev/null)
if [ -n "$VSTACK_UNDER_VALGRIND" ] || [ "$probe" != 42 ]; then
    skip "ntcalc does not run under ulimit -v 48 MiB here (valgrind, a sanitizer)" "64 MB on one line is not stored"
else
    (
        ulimit -v 49152
        { head -c 67108864 /dev/zero; printf '\n6*7\n'; } | "$NTCALC" >"$tmp/out" 2>"$tmp/err"
    )
    rc=$?
    test "$rc" -eq 1 && test "$(cat "$tmp/out")" = 42 && test "$(grep -c . "$tmp/err")" -eq 1 &&
        grep -q 'input line too long: more than 1048576 bytes' "$tmp/err"
    ok $? "64 MB on one line under ulimit -v 48 MiB: one error at the default 1 MiB bound, and the next line runs (status $rc: $(head -c 200 "$tmp/err"))"
fi

# Results too large for parisizemax: refused at once (timeout 60 only so
# that a regression fails instead of hanging), and the next line runs.
cat >"$tmp/in" <<'END'
fibonacci(-2^63)
fibonacci(2^62)
2^(2^62)
(2^62)!
binomial(10^12,10^11)
binomial(10^30,10^10)
3^(10^15)
6*7
END
if command -v timeout >/dev/null 2>&1; then
    to="timeout 60"
else
    to=
fi
$to $VSTACK_TEST_WRAPPER "$NTCALC" --parisizemax=2G <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 99 ] && vgerr=1
test "$rc" -eq 1 && test "$(cat "$tmp/out")" = 42; ok $? "7 results too large for parisizemax 2G are refused; the next line runs (status $rc)"
test "$(grep -c 'the stack overflows! the result alone needs\|does not fit a machine word' "$tmp/err")" -eq 7
ok $? "each says how much the result alone needs, or that an argument does not fit a word"
# With a 32-bit long, these arguments do not fit a machine word at all.
if grep -q '^  \*\*\* fibonacci: overflow' "$tmp/err"; then
    skip "a long has 32 bits: fibonacci(-2^63) is a word overflow" "fibonacci(-2^63): no stack could hold it"
    skip "a long has 32 bits: binomial(10^12,10^11) is a word overflow" "binomial(10^12,10^11): the hint names a parisizemax"
else
    grep '^  \*\*\* fibonacci: the stack overflows! the result alone needs 8e+17 bytes, parisizemax: .* \[hint\] no address space is that large\.$' "$tmp/err" >/dev/null
    ok $? "fibonacci(-2^63): no stack could hold it: $(grep fibonacci "$tmp/err" | head -1)"
    grep -q '^  \*\*\* binomial: .*needs 37500000016 bytes .*\[hint\] \(raise it\|let it grow\): default(parisizemax, "76G")\.$' "$tmp/err"
    ok $? "binomial(10^12,10^11): the hint names a parisizemax: $(grep -m 1 binomial "$tmp/err")"
fi

# The bounds are lower bounds: a result that fits is computed, and one
# whose work does not fit fails by the work, later.
calc --parisize=2M -e '2^(10^7) > 0' -e 'fibonacci(10^7) > 0'
test "$(cat "$tmp/out")" = 1 && test "$(grep -c . "$tmp/err")" -eq 1 &&
    grep -q '^  \*\*\* fibonacci: the stack overflows! current stack size' "$tmp/err"
ok $? "a 1.25 MB power on a 2 MB fixed stack is computed; fibonacci(10^7) (868 KB) overflows by its work (status $rc: $(head -c 100 "$tmp/err"))"

test "$vgerr" -eq 0; ok $? "no run reported memory errors"
done_testing
