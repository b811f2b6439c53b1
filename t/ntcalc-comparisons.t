#!/bin/sh
# SPDX-License-Identifier: MIT
# The comparison and boolean operators print what gp -q prints: == != <>
# === < <= > >= give 1 or 0 and share one level, left to right, so that
# 1<2<3 is (1<2)<3 and 3>2>1 is (3>2)>1, which is 0; && and || (and &, GP's
# old spelling of &&) share the loosest level, left to right, so that
# 1||1&&0 is 0, and do not evaluate a right side they do not need; prefix !
# binds as tightly as postfix !, so !2^2 is (!2)^2 and !5! is (!5)!; and
# "!=" is one token unless an '=' follows it: 5!=3 is 5 != 3, 3!!=6 is
# 3! != 6, 3!==6 is 3! == 6.
# The expected output below was produced by gp -q (PARI/GP 2.15).

. "$(cd "$(dirname "$0")" && pwd)/ntcalc-lib.sh"

cat >"$tmp/in" <<'END_IN'
1 == 1
1 == 2
1 != 2
2 != 2
1 <> 2
1 <> 1
1 < 2
2 < 1
2 < 2
1 <= 2
2 <= 2
3 <= 2
2 > 1
1 > 2
2 >= 2
1 >= 2
1 === 1
1 === 2
-5 < 3
-5 > -6
2^64 > 2^63
2^64 == 18446744073709551616
-(2^64) < -(2^63)
10^30 != 10^30 + 1
0 == -0
1 < 2 < 3
3 > 2 > 1
1 < 3 > 2
10 > 9 > 8
1 == 1 == 1
2 == 2 == 2
1 < 2 == 1
0 < 0 <= 0
5 >= 5 >= 1
2 > 1 == 1
1 + 1 == 2
2 * 3 > 5
1 - 1 < 1
1 < 2 + 3 * 4
2^3 < 9
-1 == -1
-(1 < 2)
2 < 3 != 0
2 < 3 == 0
1 && 1
1 && 0
0 && 1
0 && 0
2 && 3
-1 && 5
0 || 0
0 || 2
1 || 0
1 && 0 || 1
1 || 1 && 0
0 || 1 && 0
(1 || 1) && 0
1 || (1 && 0)
1 && 2 && 3
1 == 1 && 2 == 2 || 0
1 < 2 && 2 < 3
0 && 1/0
1 || 1/0
0 && nextprime(10^3000)
1 & 2
0 & 5
!0
!1
!5
!-1
!!5
!!0
-!0
-!5
!0 == 1
!(0 == 1)
!0 < 1
!2^2
2^!0
2 * !0
!-1 + 1
!-0!
!5!
5!
5! == 120
5!=3
5! = 3
3!=6
3!!=6
3!==6
5!!=3
0!=1
1!=1
!0!
(!0)!
3! < 7
2^3! > 60
fibonacci(10) == 55
isprime(7) && isprime(11)
gcd(12, 18) == 6 || 1/0
binomial(5, 2) >= 10
END_IN
cat >"$tmp/want" <<'END_OUT'
1
0
1
0
1
0
1
0
0
1
1
0
1
0
1
0
1
0
1
1
1
1
1
1
1
1
0
0
0
1
0
1
1
1
1
1
1
1
1
1
1
-1
1
0
1
0
0
0
1
1
0
1
1
1
0
0
0
1
1
1
1
0
1
0
1
0
1
0
0
0
1
0
-1
0
1
1
0
0
2
2
1
0
1
120
1
1
1
1
0
1
1
1
0
1
1
1
1
1
1
1
1
END_OUT

calc <"$tmp/in"
diffout "$tmp/want"; ok $? "$(wc -l <"$tmp/in") lines give gp's output"
test "$rc" -eq 0 && test ! -s "$tmp/err"; ok $? "exit status 0, nothing on stderr ($rc)"

# Short-circuit: the right side is checked but not run.  Were it run,
# nextprime(10^3000) would take minutes and 2^(10^9) would overflow the
# small fixed stack.
calc --parisize=1M -e '0 && nextprime(10^3000)' -e '1 || 2^(10^9)' -e '0 & 2^(10^9)'
printf '0\n1\n0\n' >"$tmp/want"
diffout "$tmp/want" && test "$rc" -eq 0; ok $? "the side that is not needed is not evaluated ($rc)"

# ... but its syntax and the number of arguments of a function are checked
# before anything runs, as gp does; an unknown function is an error only
# when it is called, as in gp.
calc -e '0 && (1+)' -e '1 || gcd(1,2,3)' -e '0 && foo(1)' -e '6*7'
test "$(cat "$tmp/out")" = "0
42" && test "$(grep -c . "$tmp/err")" -eq 2 &&
    grep -q "syntax error, unexpected ')'" "$tmp/err" && grep -q 'too many arguments' "$tmp/err"
ok $? "a bad right side is still an error: $(tr '\n' ' ' <"$tmp/err")"

test "$vgerr" -eq 0; ok $? "no run reported memory errors${VSTACK_TEST_WRAPPER:+ under $VSTACK_TEST_WRAPPER}"
done_testing
