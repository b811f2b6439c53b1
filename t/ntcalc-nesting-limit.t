#!/bin/sh
# SPDX-License-Identifier: MIT
# Deep nesting is a syntax error of its line, not a crash: parentheses,
# function calls, chains of prefix signs, of prefix !, of right-associative
# ^ and of assignments, and signs after ^, each at the limit (1000 levels:
# evaluated), just past it and far past it (a one-line error), with the next
# line still run; under a small C stack (ulimit -s), fewer levels.

. "$(cd "$(dirname "$0")" && pwd)/ntcalc-lib.sh"

rep() { # rep STRING COUNT: STRING repeated COUNT times
    awk -v s="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'
}
# Fields: shape | depth | expected value, or "error"
cat >"$tmp/cases" <<'END'
paren|1000|1
paren|1001|error
paren|20000|error
call|1000|1
call|1001|error
call|50000|error
pow|1000|1
pow|1001|error
pow|100000|error
signs|500|2
signs|501|error
signs|1000000|error
powsign|500|1
powsign|501|error
powsign|300000|error
not|1000|1
not|1001|error
not|1000000|error
assign|1000|1
assign|1001|error
assign|300000|error
END
: >"$tmp/in"
: >"$tmp/want"
# Without mmap there is no heap, and assignments fail whatever their depth.
calc -e 'x=1'
if grep -q 'cannot reserve the heap' "$tmp/err"; then
    grep -v '^assign|' "$tmp/cases" >"$tmp/c2" && mv "$tmp/c2" "$tmp/cases"
fi
nerr=0
ncases=0
while IFS='|' read -r shape d val; do
    ncases=$((ncases + 1))
    case $shape in
    paren) line="$(rep '(' "$d")1$(rep ')' "$d")" ;;          # d levels
    call) line="$(rep 'gcd(' "$d")1$(rep ')' "$d")" ;;        # d levels
    pow) line="$(rep '1^' "$d")1" ;;                          # d levels
    signs) line="1$(rep '+-' "$d")1" ;;                       # 2d-1 prefix signs
    powsign) line="$(rep '1^-' "$d")1" ;;                     # 2d levels
    not) line="$(rep '!' "$d")1" ;;                           # d levels
    assign) line="$(rep 'a=' "$d")1" ;;                       # d levels
    esac
    printf '%s\n6*7\n' "$line" >>"$tmp/in"
    if [ "$val" = error ]; then
        nerr=$((nerr + 1))
    else
        echo "$val" >>"$tmp/want"
    fi
    echo 42 >>"$tmp/want"
done <"$tmp/cases"

# The deepest lines are longer than the default --linemax.
calc --linemax=8M <"$tmp/in"
diffout "$tmp/want"
ok $? "$ncases lines nested up to 1000000 deep: those within the limit give their value, each is followed by a line that runs"
test "$rc" -eq 1; ok $? "exit status 1 (got $rc)"
test "$(grep -c . "$tmp/err")" -eq "$nerr"; ok $? "one line on stderr for each of the $nerr lines too deep"
test "$(grep -c '^  \*\*\*   syntax error, nesting too deep (more than 1000 levels) at column [0-9]*: ' "$tmp/err")" -eq "$nerr"
ok $? "each says: syntax error, nesting too deep, with the limit and the column"

# Inside -e too, and before anything of the line runs: 2^(10^8) would
# overflow the small fixed stack if it were evaluated first.
calc --parisize=1M -e "2^(10^8)+$(rep '(' 1001)1$(rep ')' 1001)" -e '1+1'
test "$(cat "$tmp/out")" = 2 && grep -q 'nesting too deep' "$tmp/err" && ! grep -q overflows "$tmp/err"
ok $? "-e: a line too deep is rejected before any of it runs; the next one runs"

# Under a small C stack the parser stops earlier, with the same kind of
# error, instead of overflowing the C stack: 1000 levels need about half a
# MB, far more than ulimit -s 256 leaves.
printf '%s\n6*7\n' "$(rep '(' 1000)1$(rep ')' 1000)" >"$tmp/small"
(ulimit -s 256 && exec $VSTACK_TEST_WRAPPER "$NTCALC" <"$tmp/small" >"$tmp/out" 2>"$tmp/err")
rc=$?
[ "$rc" -eq 99 ] && vgerr=1
test "$rc" -eq 1 && test "$(cat "$tmp/out")" = 42 && test "$(grep -c . "$tmp/err")" -eq 1 &&
    grep -q '^  \*\*\*   syntax error, nesting too deep for the C stack ([0-9]* levels, see ulimit -s) at column [0-9]*: ' "$tmp/err"
ok $? "ulimit -s 256: 1000 levels are too deep for the C stack, said in one line; the next line runs (status $rc: $(head -c 120 "$tmp/err"))"

test "$vgerr" -eq 0; ok $? "no run reported memory errors"
done_testing
