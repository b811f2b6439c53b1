#!/bin/sh
# SPDX-License-Identifier: MIT
# Variables: name=expr prints its value as gp does (a trailing ';' silences
# it), names are used in expressions, reassignment replaces the value, and
# values live in the heap, so they outlive the stack's reset after each line.
# An unset name, an assignment to a function's name, and an assignment that
# does not fit under --heapsizemax (or NTCALC_HEAPSIZEMAX) are one-line
# errors; the variable keeps its old value and the session goes on.
# getheap() is [objects, words] in gp's shape; -v tells of the heap's
# growth, collections and shrinking, and nothing is said without it.
# The expected output of the first two sessions was produced by gp -q
# (PARI/GP 2.15).

. "$(cd "$(dirname "$0")" && pwd)/ntcalc-lib.sh"

calc -e 'x=1'
if grep -q 'cannot reserve the heap' "$tmp/err"; then
    skip_all "the heap needs a pool, which needs mmap: $(cat "$tmp/err")"
fi

# Words are limbs: 8 bytes, or 4 on a 32-bit build.  The sizes and word
# counts below follow; the gp output they were checked against is gp's on
# 64 bits.
calc -e 'x = 2^64;' -e 'getheap()'
case $(cat "$tmp/out") in
'[1, 5]') W=8 ;;
'[1, 6]') W=4 ;;
*) echo "Bail out! cannot tell the limb size from getheap(): $(cat "$tmp/out")"; exit 1 ;;
esac
words() { # words of a variable holding a number of $1 bits (0: zero)
    echo $(( ($1 + 8 * W - 1) / (8 * W) + 3 ))
}

cat >"$tmp/in" <<'END_IN'
x = 3
x
x + 1
y = x^2; y
z = 5;
z
x = 10
x*y
x = x + 1
x
a1_b = 7
a1_B2 = a1_b * 2
X = 1; Xy2 = 2; X + Xy2
big = 2^200
big + 1
big = big \ 2^100
big
n = 100!; m = n % (10^9+7); m
f = fibonacci(1000); f % 10^20
f = 0; f
1 + w = 3
w
2*w = 3+1
w
2^w = 3
w
!w = 0
w
-w = 3
a = b = c = 7
a + b + c
x = -3
x = +3
0 && (x = 100)
x
1 || (x = 100)
x
1 && (x = 100)
x
x = 1 < 2
x = 3 != 6
gcd(q = 12, 18)
q
t = 5; t = t * t; t = t * t; t
p = nextprime(2^64); isprime(p)
p - 2^64
s = sqrtint(p); s^2 <= p && p < (s+1)^2
x = y = z = 0; x + y + z
e = 2^64; e = e*e; e = e*e; e
x=3;x=x;x
r = (x = 5) + x
END_IN
cat >"$tmp/want" <<'END_OUT'
3
3
4
9
5
10
90
11
11
7
14
3
1606938044258990275541962092341162602522202993782792835301376
1606938044258990275541962092341162602522202993782792835301377
1267650600228229401496703205376
1267650600228229401496703205376
437918130
76137795166849228875
0
4
3
8
4
8
3
1
0
-3
7
21
-3
3
0
3
1
3
1
100
1
1
6
12
625
1
13
1
0
115792089237316195423570985008687907853269984665640564039457584007913129639936
3
10
END_OUT
calc <"$tmp/in"
diffout "$tmp/want"; ok $? "$(wc -l <"$tmp/in") lines with variables give gp's output"
test "$rc" -eq 0 && test ! -s "$tmp/err"; ok $? "exit status 0, nothing on stderr ($rc)"

# A 375 KB value made on one line, on a stack of 4 MB that is emptied after
# every line, is used on the next ones.
cat >"$tmp/in" <<'END_IN'
x = 2^(3*10^6) + 1;
x % (10^9+7)
y = x^2;
y % (2^61-1)
x = y \ x;
(x - 1) == 2^(3*10^6)
END_IN
printf '803957912\n1099513724929\n1\n' >"$tmp/want"
calc --parisize=4M --parisizemax=0 <"$tmp/in"
diffout "$tmp/want" && test "$rc" -eq 0; ok $? "big values outlive the stack's reset ($rc)"
printf 'x = 2^(3*10^6);\ngetstack()\nx = 0*x + getstack()\n' >"$tmp/in"
calc --parisize=4M <"$tmp/in"
set -- $(cat "$tmp/out")
test "$1" -eq 0 && test "$2" -ge 375000; ok $? "the stack is empty between lines, and a read copies the value onto it ($*)"

# getheap(): live values and their words, 3 words each besides the limbs.
cat >"$tmp/in" <<'END_IN'
getheap()
x = 3;
getheap()
y = 2^64;
getheap()
x = 2^128;
getheap()
x = 0; getheap()
z = x; getheap()
END_IN
w64=$(words 65) w128=$(words 129) w0=$(words 0)
printf '[0, 0]\n[1, 4]\n[2, %d]\n[2, %d]\n[2, %d]\n[3, %d]\n' $((4 + w64)) $((w128 + w64)) \
    $((w0 + w64)) $((w0 + w64 + w0)) >"$tmp/want"
calc <"$tmp/in"
diffout "$tmp/want"; ok $? "getheap() counts objects and words as gp's [objects, words]"

# Errors: each one line, the session goes on, old values stay.
cat >"$tmp/in" <<'END_IN'
u + 1
isprime = 2
u = 1/0
u
v = 5
v = 1/0
v
v = "five"
v
w = w + 1
v = nextprime(v) + gcd = 1
v
END_IN
calc <"$tmp/in"
printf '5\n5\n5\n5\n' >"$tmp/want"
diffout "$tmp/want" && test "$rc" -eq 1; ok $? "after each error the next line runs; status 1 ($rc)"
cat >"$tmp/want" <<'END_ERR'
  ***   variable u has no value (ntcalc has no polynomials: assign it first).
  ***   syntax error, cannot assign to the function isprime at column 1: isprime=2.
  *** _/_: impossible inverse: division by zero.
  ***   variable u has no value (ntcalc has no polynomials: assign it first).
  *** _/_: impossible inverse: division by zero.
  ***   v = ...: variables hold integers only (this is a string).
  ***   variable w has no value (ntcalc has no polynomials: assign it first).
  ***   syntax error, cannot assign to the function gcd at column 16: v=nextprime(v)+gcd=1.
END_ERR
diff "$tmp/want" "$tmp/err" >"$tmp/diff"; r=$?; sed 's/^/# /' "$tmp/diff"
ok $r "unset names, functions' names, failed right sides: one line each, the old value stays"

# The heap's limit: 100k holds 7 and 2^(5*10^5) but not 2^(10^6).
cat >"$tmp/in" <<'END_IN'
x = 7
x = 2^(10^6);
x
y = 2^(10^6);
y
z = 2^(5*10^5); z % 1000
getheap()
END_IN
calc --heapsizemax=100k <"$tmp/in"
printf '7\n7\n376\n[2, %d]\n' $(($(words 3) + $(words 500001))) >"$tmp/want"
diffout "$tmp/want" && test "$rc" -eq 1; ok $? "--heapsizemax=100k: x keeps its value, the session goes on ($rc)"
need=$(($(words 1000001) * W)) have=$(($(words 3) * W))
sed -n 1p "$tmp/err" | grep -q "^  \*\*\*   the heap overflows! x needs $need bytes, the variables take $have, heapsizemax: 10[0-9]* (0\.[0-9]* Mbytes); x keeps its value \[hint\] raise it: --heapsizemax=[0-9]*M\.\$"
ok $? "the error says what was needed, what is used, the limit, and that x kept its value: $(sed -n 1p "$tmp/err")"
sed -n 2p "$tmp/err" | grep -q "^  \*\*\*   the heap overflows! y needs $need bytes, .*; y stays unset \[hint\]" &&
    sed -n 3p "$tmp/err" | grep -q 'variable y has no value' && test "$(grep -c . "$tmp/err")" -eq 3
ok $? "a new variable that does not fit stays unset"

NTCALC_HEAPSIZEMAX=100k calc -e 'x = 2^(10^6);' -e 'x = 2^(5*10^5); x % 1000'
test "$(cat "$tmp/out")" = 376 && grep -q 'heap overflows' "$tmp/err" && test "$rc" -eq 1
ok $? "NTCALC_HEAPSIZEMAX sets the limit ($rc)"
NTCALC_HEAPSIZEMAX=100k calc --heapsizemax 10M -e 'x = 2^(10^6); x % 1000'
test "$(cat "$tmp/out")" = 376 && test "$rc" -eq 0 && test ! -s "$tmp/err"; ok $? "the option beats the environment ($rc)"
calc --heapsizemax=lots -e 1
r1=$rc
NTCALC_HEAPSIZEMAX=1x calc -e 1
test "$r1" -eq 2 && test "$rc" -eq 2 && grep -q "bad size for NTCALC_HEAPSIZEMAX: '1x'" "$tmp/err"
ok $? "a bad size is a usage error, status 2 ($r1 $rc)"

# -v: growth, a collection and shrinking, told on stderr; nothing without it.
cat >"$tmp/in" <<'END_IN'
x = 2^(10^6);
x = 1;
x + 1
END_IN
calc --heapsizemax=16M <"$tmp/in"
test "$(cat "$tmp/out")" = 2 && test ! -s "$tmp/err"; ok $? "without -v the heap says nothing"
calc -v --heapsizemax=16M <"$tmp/in"
grep -q '^  \*\*\*   Warning: increasing heap size to [0-9]*\.$' "$tmp/err" &&
    grep -q "^  \*\*\*   Warning: heap collection: 1 objects (4 words) kept, 1 ($(words 1000001) words) freed\.\$" "$tmp/err" &&
    grep -q '^  \*\*\*   Warning: decreasing heap size to 65536\.$' "$tmp/err" && test "$(cat "$tmp/out")" = 2
ok $? "with -v: growth, the collection, shrinking ($(grep -c . "$tmp/err") lines)"
grep -q 'heap' "$tmp/err" && ! grep -v 'heap' "$tmp/err" | grep -q .; ok $? "and nothing else"

test "$vgerr" -eq 0; ok $? "no run reported memory errors${VSTACK_TEST_WRAPPER:+ under $VSTACK_TEST_WRAPPER}"
done_testing
