#!/bin/sh
# SPDX-License-Identifier: MIT
# default(parisize) and default(parisizemax): their values from the options,
# the environment and the built-in defaults; setting them in a session, with
# gp's note on stderr; the stack overflowing with parisizemax 0, then growing
# once parisizemax allows it and shrinking back after the line.

. "$(cd "$(dirname "$0")" && pwd)/ntcalc-lib.sh"

within() { # within VALUE LOW: VALUE is LOW rounded up to a page (64 KiB at most)
    [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le $(($2 + 65536)) ]
}
okg() { # okg STATUS NAME: a check that needs a stack able to grow
    if [ "$fixed" -eq 1 ]; then
        skip "the stack has a fixed size in this build (no mmap)" "$2"
    else
        ok "$@"
    fi
}
unset NTCALC_PARISIZE NTCALC_PARISIZEMAX
calc --parisizemax=256M -e 'default(parisizemax)'
fixed=0
test "$(cat "$tmp/out")" = 0 && fixed=1

printf 'default(parisize)\ndefault(parisizemax)\n' >"$tmp/get"
calc <"$tmp/get"
set -- $(cat "$tmp/out")
test "$1" -eq 8000000 && test "$2" -eq 0; ok $? "built-in parisize 8000000 and parisizemax 0, read back as gp does ($1, $2)"

calc --parisize=16M --parisizemax 256M <"$tmp/get"
set -- $(cat "$tmp/out")
within "$1" 16000000 && within "$2" 256000000; okg $? "--parisize=16M --parisizemax 256M ($1, $2)"

NTCALC_PARISIZE=4M NTCALC_PARISIZEMAX=128MiB calc <"$tmp/get"
set -- $(cat "$tmp/out")
within "$1" 4000000 && within "$2" 134217728; okg $? "NTCALC_PARISIZE=4M NTCALC_PARISIZEMAX=128MiB ($1, $2)"

NTCALC_PARISIZE=4M calc --parisize=2M <"$tmp/get"
set -- $(cat "$tmp/out")
within "$1" 2000000; ok $? "an option beats the environment ($1)"

cat >"$tmp/in" <<'END'
default(parisize, "16M")
default(parisize)
default(parisizemax, 300000000)
default(parisizemax)
default(parisize, 2000000); 5
default(parisize)
END
calc <"$tmp/in"
set -- $(cat "$tmp/out")
test "$1" -eq 16000000 && within "$2" 300000000 && test "$3" -eq 2000000 && test $# -eq 3
okg $? "default(name, value) sets, default(name) reads back: parisize as given ($*)"
test "$rc" -eq 0; ok $? "setting defaults is not a failure (status $rc)"
grep -q '^  \*\*\*   Warning: new stack size = 16000000 (15\.259 Mbytes)\.$' "$tmp/err" &&
    grep -q '^  \*\*\*   Warning: new maximum stack size = 300[0-9]* (28[0-9]\.[0-9]* Mbytes)\.$' "$tmp/err"
okg $? "gp's notes on stderr: new stack size, new maximum stack size"
test "$(grep -c 'new stack size' "$tmp/err")" -eq 2; ok $? "default(parisize, V) ends its line, like gp"

# Overflow with parisizemax 0, recovery by raising it, growth and shrinking.
cat >"$tmp/in" <<'END'
2^(10^8);
default(parisizemax, "256M")
0*2^(10^8)+getstack()
getstack()
default(parisizemax, 0)
2^(10^8);
3+4
END
calc -v --parisize=1M <"$tmp/in"
set -- $(cat "$tmp/out")
test $# -eq 3 && test "$1" -ge 12500000 && test "$2" -eq 0 && test "$3" -eq 7
okg $? "a computation that overflowed runs once parisizemax is raised ($*)"
test "$rc" -eq 1; ok $? "status 1: some lines overflowed"
test "$(grep -c 'the stack overflows' "$tmp/err")" -eq 2
okg $? "both lines with parisizemax 0 overflow, each with one message"
grep -q 'new maximum stack size = 256' "$tmp/err" &&
    grep -q 'new maximum stack size = 10[0-9]* (0\.9' "$tmp/err"
okg $? "parisizemax 0 reports the fixed size, as gp does"
grep -q 'increasing stack size to' "$tmp/err"; okg $? "-v shows the stack growing"
shrunk=$(sed -n 's/.*decreasing stack size to \([0-9]*\).*/\1/p' "$tmp/err" | tail -1)
within "$shrunk" 1000000; okg $? "and shrinking back to parisize after the line ($shrunk)"

# gp's ranges: parisize in [10000, 2^63-1], parisizemax 0 or up to 2^63-1
# (on 64 bits); a value outside is refused, and nothing changes.
cat >"$tmp/in" <<'END'
default(parisize, 0)
default(parisize, 9999)
default(parisize, 2^63)
default(parisize, "0")
default(parisizemax, 2^64-1)
default(parisizemax, 2^63)
default(parisize)
default(parisizemax)
END
calc <"$tmp/in"
set -- $(cat "$tmp/out")
test "$*" = "8000000 0" && test "$rc" -eq 1 && test "$(grep -c . "$tmp/err")" -eq 6
ok $? "values outside gp's ranges are refused, one line each, and change nothing ($*)"
big=$(awk 'BEGIN { printf "%.0f", 2^63 }')
grep -q '^  \*\*\* default: incorrect value for parisize: 0 is not in \[10000, [0-9]*\]\.$' "$tmp/err" &&
    grep -q "^  \*\*\* default: incorrect value for parisize: $big is not in \[10000, [0-9]*\]\.\$" "$tmp/err" &&
    grep -q '^  \*\*\* default: incorrect value for parisize: 0 (0 is not in \[10000, [0-9]*\])\.$' "$tmp/err" &&
    grep -q '^  \*\*\* default: incorrect value for parisizemax: 18446744073709551615 is not in \[0, [0-9]*\]\.$' "$tmp/err"
ok $? "each names the value and the range: $(sed -n 1p "$tmp/err")"

calc --parisize=0 -e 1
r1=$rc
calc --parisize=9999 -e 1
r2=$rc
NTCALC_PARISIZEMAX=18446744073709551615 calc -e 1
test "$r1" -eq 2 && test "$r2" -eq 2 && test "$rc" -eq 2 &&
    grep -q '^ntcalc: bad size for NTCALC_PARISIZEMAX: .*18446744073709551615' "$tmp/err"
ok $? "the options and the environment have the same ranges: status 2 ($r1 $r2 $rc: $(cat "$tmp/err"))"

# As in gp, setting a default to the value it has changes nothing: no
# note, the line goes on, and default() is worth nothing, 0 in arithmetic.
cat >"$tmp/in" <<'END'
default(parisize, "8M") + 1
default(parisize, 8000000)
default(parisizemax, 0) + 2
default(parisize, 8000000) * 5; 6
END
calc <"$tmp/in"
printf '1\n2\n6\n' >"$tmp/want"
diffout "$tmp/want" && test "$rc" -eq 0 && test ! -s "$tmp/err"
ok $? "default(name, its current value) is a no-op worth 0, as in gp (status $rc)"
calc -e 'x = default(parisizemax, 0); x + 3'
test "$(cat "$tmp/out")" = 3 && test "$rc" -eq 0
okg $? "and x = default(...) sets x to 0, as in gp (status $rc)"

calc --parisize=1x -e 1
r1=$rc
calc --bogus -e 1
r2=$rc
NTCALC_PARISIZEMAX=lots calc -e 1
r3=$rc
calc --parisize=8M --parisizemax=1M -e 1
test "$r1" -eq 2 && test "$r2" -eq 2 && test "$r3" -eq 2 && test "$rc" -eq 2
ok $? "bad sizes, unknown options, parisizemax < parisize: status 2 ($r1 $r2 $r3 $rc)"
grep -q '^ntcalc: cannot make a stack of parisize 8000000, parisizemax 1000000: parisizemax < parisize: parisizemax is 10[0-9]* bytes .*, parisize is 80[0-9]* bytes' "$tmp/err"
ok $? "and the start-up error gives the library's sentence: $(cat "$tmp/err")"

test "$vgerr" -eq 0; ok $? "no run reported memory errors"
done_testing
