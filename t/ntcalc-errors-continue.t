#!/bin/sh
# SPDX-License-Identifier: MIT
# Each kind of error gives one line on stderr naming the problem, the
# session goes on with the next line, and the exit status says a line
# failed: syntax errors, unset variables, assignments to functions, values
# of the wrong type, division by zero, domain errors, word overflow, the
# stack overflowing, bad defaults.

. "$(cd "$(dirname "$0")" && pwd)/ntcalc-lib.sh"

# Each error line is followed by a good line whose value marks the place.
# Fields: input line | what the message must contain
cat >"$tmp/cases" <<'END'
1+|syntax error
()|syntax error
- -3|syntax error, unexpected '--'
"abc|unfinished string
/* no end|unfinished comment
!=3|syntax error, unexpected '!=' at column 1
1<<2|syntax error, unexpected '<<'
x+=1|syntax error, unexpected '+='
_x|syntax error, unexpected '_'
1.5|real numbers are not supported
foo(3)|not a function
x+1|variable x has no value
gcd=3|syntax error, cannot assign to the function gcd at column 1
gcd+1|syntax error, the function gcd without its arguments
s="a"|s = ...: variables hold integers only
"a"<1|_<_: a string is not an integer
!"a"|!_: a string is not an integer
1&&"a"|_&&_: a string is not an integer
getheap()+1|_+_: a vector is not an integer
gcd(1,2,3)|too many arguments
binomial(5)|missing arguments
1/0|_/_: impossible inverse: division by zero
5 % 0|_%_: impossible inverse: division by zero
5 \ 0|_\_: impossible inverse: division by zero
0^-1|_^_: impossible inverse
(-3)!|_!: domain error in factorial: argument < 0
sqrtint(-1)|sqrtint: domain error in sqrtint: argument < 0
2^-1|_^_: a negative power is not an integer
7/2|_/_: the quotient is not an integer
2^(2^64)|_^_: overflow
fibonacci(2^64)|fibonacci: overflow
(2^64)!|_!: overflow
"a"+1|a string is not an integer
fibonacci(4*10^7)|fibonacci: the stack overflows! current stack size: 40
2^(10^8)|_^_: the stack overflows! the result alone needs 125000
default(foo)|unknown default: foo
default(parisize, "1x")|default: incorrect value for parisize: default(parisize): bad size "1x"
default(parisizemax, 1000)|incorrect value for parisizemax: parisizemax < parisize: parisizemax is 65536 bytes (64 KiB), parisize is 4
default(parisizemax, "512k")|incorrect value for parisizemax: parisizemax < parisize: parisizemax is 512000 bytes (500 KiB), parisize is 4
default(parisize, -5)|incorrect value for parisize
END
i=0
: >"$tmp/in"
: >"$tmp/want"
while IFS='|' read -r line msg; do
    i=$((i + 1))
    printf '%s\n1000+%d\n' "$line" "$i" >>"$tmp/in"
    echo $((1000 + i)) >>"$tmp/want"
done <"$tmp/cases"
ncases=$i

calc --parisize=4M --parisizemax=0 <"$tmp/in"
diffout "$tmp/want"; ok $? "the session goes on after each of the $ncases errors"
test "$rc" -eq 1; ok $? "exit status 1 when a line failed (got $rc)"
test "$(grep -c . "$tmp/err")" -eq "$ncases"; ok $? "one line on stderr per error"
i=0
while IFS='|' read -r line msg; do
    i=$((i + 1))
    got=$(sed -n "${i}p" "$tmp/err")
    case $got in
    *"$msg"*) ok 0 "$line: $got" ;;
    *) ok 1 "$line: wanted '$msg', got '$got'" ;;
    esac
done <"$tmp/cases"
test "$(grep 'stack overflows' "$tmp/err" | grep 'parisizemax: 0' | grep -c 'hint.*default(parisizemax')" -eq 2
ok $? "both overflow messages name the size, parisizemax and the default to raise"

calc -e '1+1' -e '1/0' -e '2+2'
printf '2\n4\n' >"$tmp/want"
diffout "$tmp/want" && test "$rc" -eq 1; ok $? "-e: the next expression runs after an error; status 1"

test "$vgerr" -eq 0; ok $? "no run reported memory errors"
done_testing
