#!/bin/sh
# SPDX-License-Identifier: MIT
# Under a tiny C stack (ulimit -s 32), ntcalc raises the soft limit to the
# floor it needs when the hard limit allows, and works; when the hard limit
# is below that floor it refuses to start, in one line, with status 2.
# Without the raise, ulimit -s 32 killed most runs of these lines with
# SIGSEGV (in the dynamic loader's lazy binding under vstack_init, and in
# GMP's temporaries).  16 KiB is not tested: there even ls / dies of
# SIGSEGV in most runs on a machine where ntcalc passes, and ntcalc in a
# few runs under make: the edge of what the loader and libc need.

. "$(cd "$(dirname "$0")" && pwd)/ntcalc-lib.sh"

[ -n "$VSTACK_UNDER_VALGRIND" ] && skip_all "valgrind gives the program a C stack of its own"
# The environment and the arguments take room on the stack before main:
# keep them small and fixed with env -i, and make sure that ntcalc can get
# as far as main here at all (--version runs no line).
(ulimit -S -s 32 && exec env -i "$NTCALC" --version) >/dev/null 2>&1 ||
    skip_all "no program starts under ulimit -s 32 here (before main)"

printf '50! %% 1000003\nfibonacci(10^6) %% 1000000007\n((((((((((1+2)))))))))) * 3\nisprime(2^1279 - 1)\n' >"$tmp/in"
printf '%s\n' 850717 918091266 9 1 >"$tmp/want"
good=0
runs=20
i=0
while [ "$i" -lt "$runs" ]; do
    i=$((i + 1))
    (ulimit -S -s 32 && exec env -i "$NTCALC" "$tmp/in") >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 0 ] && diff "$tmp/want" "$tmp/out" >/dev/null; then good=$((good + 1)); else statuses="$statuses $rc"; fi
done
test "$good" -eq "$runs"; ok $? "soft ulimit -s 32, hard unlimited: $good of $runs runs give the right values (failures, by status:${statuses:- none})"
test ! -s "$tmp/err"; ok $? "and say nothing on stderr about it"

# The raised limit is what the parser's nesting bound follows: it is
# still about the floor, far below 1000 levels.
printf '%s1%s\n6*7\n' "$(awk 'BEGIN { for (i = 0; i < 1000; i++) printf "(" }')" \
    "$(awk 'BEGIN { for (i = 0; i < 1000; i++) printf ")" }')" >"$tmp/deep"
(ulimit -S -s 32 && exec env -i "$NTCALC" "$tmp/deep") >"$tmp/out" 2>"$tmp/err"
rc=$?
test "$rc" -eq 1 && test "$(cat "$tmp/out")" = 42 && grep -q 'nesting too deep for the C stack' "$tmp/err"
ok $? "1000 levels under it are refused as too deep for the C stack; the next line runs (status $rc)"

(ulimit -s 64 && exec env -i "$NTCALC" -e 1) >"$tmp/out" 2>"$tmp/err"
rc=$?
test "$rc" -eq 2 && test ! -s "$tmp/out" && test "$(grep -c . "$tmp/err")" -eq 1 &&
    grep -q '^ntcalc: the C stack limit (ulimit -s) is 64 KiB, below the [0-9]* KiB ntcalc needs, and cannot be raised: its hard limit is 64 KiB$' "$tmp/err"
ok $? "hard and soft limit 64 KiB: status 2 and one line, no line runs (status $rc: $(cat "$tmp/err"))"

(ulimit -s 8192 && exec env -i "$NTCALC" -e 1) >"$tmp/out" 2>"$tmp/err"
test "$?" -eq 0 && test "$(cat "$tmp/out")" = 1 && test ! -s "$tmp/err"
ok $? "an ordinary 8 MiB limit is left alone"

done_testing
