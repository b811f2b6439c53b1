#!/bin/sh
# SPDX-License-Identifier: MIT
# ntcalc prints what gp -q prints for good lines of the subset: operators
# with GP's precedence and signs, \ and % with negative operands, the
# functions, comments and blanks, ';' sequences; -e and FILE arguments.
# The expected output below was produced by gp -q (PARI/GP 2.15).

. "$(cd "$(dirname "$0")" && pwd)/ntcalc-lib.sh"

cat >"$tmp/in" <<'END_IN'
1+2
-7 \ 2
-7 % 2
7 \ -2
7 % -2
-7 \ -2
-7 % -2
12 % -5
-12 \ 5
50!
fibonacci(1000)
binomial(1000,500)
binomial(-5,3)
binomial(10^30,3)
binomial(5,7)
fibonacci(-6)
2^3^2
-2^2
2^-(-3)
(-1)^-3
0^0
5!!
-3!
2^3!
1 2
+-3
2*-3
gcd(-12, 18)
gcd(0,-5)
gcd(-5)
isprime(2^127-1)
isprime(561)
isprime(3825123056546413051)
isprime(-7)
nextprime(10^20)
nextprime(-10)
nextprime(2^64)
sqrtint(10^20+5)
sqrtint(0)
6/3
   12  \\ comment
/* hi */ 3 /* x */ + 4
1;2
1;

;
"abc"
007
2^64 - 2^64 + 18446744073709551616 * -3
(2^127-1) \ (2^64+13)
(2^127-1) % -(2^64+13)
-(2^200) \ 7
-(2^200) % 7
10^60 \ -(10^30+1)
2^-0
(7)
((-8))^3
END_IN
cat >"$tmp/want" <<'END_OUT'
3
-4
1
-3
1
4
1
2
-3
30414093201713378043612608166064768844377641568960512000000000000
43466557686937456435688527675040625802564660517371780402481729089536555417949051890403879840079255169295922593080322634775209689623239873322471161642996440906533187938298969649928516003704476137795166849228875
270288240945436569515614693625975275496152008446548287007392875106625428705522193898612483924502370165362606085021546104802209750050679917549894219699518475423665484263751733356162464079737887344364574161119497604571044985756287880514600994219426752366915856603136862602484428109296905863799821216320
-35
166666666666666666666666666666166666666666666666666666666667000000000000000000000000000000
0
-8
512
-4
8
-1
1
6689502913449127057588118054090372586752746333138029810295671352301633557244962989366874165271984981308157637893214090552534408589408121859898481114389650005964960521256960000000000000000000000000000
-6
64
12
-3
-6
6
5
5
1
0
0
0
100000000000000000039
2
18446744073709551629
10000000000
0
2
12
7
2
"abc"
7
-55340232221128654848
9223372036854775801
9223372036854775898
-229562577751284325077423156048737514646028999111827547900197
3
-999999999999999999999999999999
1
7
-512
END_OUT

calc <"$tmp/in"
diffout "$tmp/want"; ok $? "$(wc -l <"$tmp/in") lines give gp's output"
test "$rc" -eq 0; ok $? "exit status 0 when every line succeeds (got $rc)"
test ! -s "$tmp/err"; ok $? "nothing on stderr"

calc -e '2+2' -e '3!' -e '1;'
printf '4\n6\n' >"$tmp/want"
diffout "$tmp/want" && test "$rc" -eq 0; ok $? "-e EXPR, repeated, one line each"

printf '7*6\n' >"$tmp/f0"
calc -e '1+1' --parisize 4M -e 'default(parisize)' -v -e '-3' -- "$tmp/f0"
printf '2\n4000000\n-3\n42\n' >"$tmp/want"
diffout "$tmp/want" && test "$rc" -eq 0
ok $? "-e between other options (one with its value apart) run in order, then FILEs ($rc)"

# Options may follow FILEs (the -e lines still run first); after --, an
# argument that looks like an option is a FILE.
calc "$tmp/f0" -e '2+2' --parisize=4M "$tmp/f0" -e 'default(parisize)'
printf '4\n4000000\n42\n42\n' >"$tmp/want"
diffout "$tmp/want" && test "$rc" -eq 0; ok $? "options after FILEs are options ($rc)"
calc "$tmp/f0" -- -e
test "$rc" -eq 2 && test ! -s "$tmp/out" && test "$(cat "$tmp/err")" = "ntcalc: -e: No such file or directory"
ok $? "after --, -e is a FILE's name (status $rc: $(cat "$tmp/err"))"
calc "$tmp/f0" -e
test "$rc" -eq 2 && test ! -s "$tmp/out" && grep -q '^ntcalc: -e needs an expression$' "$tmp/err"
ok $? "a last -e without its expression is a usage error (status $rc)"

printf '2^10\n' >"$tmp/f1"
printf 'fibonacci(10)\n' >"$tmp/f2"
calc "$tmp/f1" - "$tmp/f2" <"$tmp/in"
head -1 "$tmp/out" | grep -qx 1024 && tail -1 "$tmp/out" | grep -qx 55 &&
    test "$(wc -l <"$tmp/out")" -eq 56; ok $? "FILE arguments, '-' for standard input"

printf 'getstack()\n0*2^(10^6)+getstack()\ngetstack()\n' >"$tmp/in2"
calc <"$tmp/in2"
set -- $(cat "$tmp/out")
test "$1" -eq 0 && test "$2" -ge 125000 && test "$3" -eq 0
ok $? "getstack() is 0 between lines and counts a live 2^(10^6) ($2 bytes)"

printf '1+1\n\\\\ a comment\n' >"$tmp/in3"
calc --echo -e '2*3' "$tmp/in3"
printf '? 2*3\n6\n? 1+1\n2\n? \\\\ a comment\n' >"$tmp/exp3"
diffout "$tmp/exp3"; ok $? "--echo prints each line after '? ' before its result"

test "$vgerr" -eq 0; ok $? "no run reported memory errors${VSTACK_TEST_WRAPPER:+ under $VSTACK_TEST_WRAPPER}"
done_testing
