#!/bin/sh
# SPDX-License-Identifier: MIT
# ntcalc against a live gp, when one is installed (gp on PATH, or $GP):
# the good lines of t/ntcalc-good-lines.t, t/ntcalc-comparisons.t and
# t/ntcalc-variables.t, and random lines of the subset (operators, \ and %
# with signs, powers, comparisons, && and ||, !, the functions, and
# variables where the build has them), must print exactly what gp -q
# prints.  The random lines come from a fixed seed, printed below;
# NTCALC_GP_SEED and NTCALC_GP_LINES choose others.
# Without gp every check is skipped: gp is an optional peer.

. "$(cd "$(dirname "$0")" && pwd)/ntcalc-lib.sh"

gp=${GP:-gp}
seed=${NTCALC_GP_SEED:-20261203}
lines=${NTCALC_GP_LINES:-400}
checks="good-lines comparisons variables random"

if ! command -v "$gp" >/dev/null 2>&1 || ! echo 1+1 | "$gp" -q -f >/dev/null 2>&1; then
    for what in $checks; do
        skip "no gp on PATH (set GP=/path/to/gp to compare)" "$what"
    done
    done_testing
    exit 0
fi
echo "# gp $("$gp" --version-short 2>/dev/null); seed $seed, $lines random lines"

# same NAME INPUT: both programs read INPUT; their standard outputs must be equal.
same() {
    calc <"$2"
    "$gp" -q -f <"$2" >"$tmp/gp" 2>&1
    if [ "$rc" -eq 0 ] && diff "$tmp/gp" "$tmp/out" >"$tmp/diff"; then
        ok 0 "$1: $(grep -c . <"$2") lines print what gp prints"
    else
        sed 's/^/# /' "$tmp/diff" "$tmp/err" | head -40
        ok 1 "$1: ntcalc (status $rc) and gp differ"
    fi
}

# Without mmap there is no heap, and no variables: their lines are left out.
calc -e 'x=1'
vars=1
grep -q 'cannot reserve the heap' "$tmp/err" && vars=0

# The first here-document of each of those scripts holds its good lines.
for what in good-lines comparisons variables; do
    if [ "$what" = variables ] && [ $vars -eq 0 ]; then
        skip "no variables in a build without mmap" "$what"
        continue
    fi
    awk '/<<.END_IN.$/ { p = 1; next } /^END_IN$/ { if (p) exit } p' \
        "$here/ntcalc-$what.t" >"$tmp/$what.in"
    if [ -s "$tmp/$what.in" ]; then
        same "$what" "$tmp/$what.in"
    else
        ok 1 "$what: no input found in t/ntcalc-$what.t"
    fi
done

# Random lines.  Divisors are never zero, exponents small, factorials and
# Fibonacci numbers moderate: every line has a value in both programs, and
# the size of the numbers stays far below the 8 MB stack.
awk -v seed="$seed" -v count="$lines" -v vars=$vars '
function num(   d, s, i) {
    d = 1 + int(rand() * (rand() < 0.3 ? 40 : 6)); s = ""
    for (i = 0; i < d; i++) s = s int(rand() * 10)
    sub(/^0+/, "", s); if (s == "") s = "0"
    return (rand() < 0.25 ? "-" : "") s
}
function nonzero(   s) { s = num(); return s ~ /^-?0$/ ? "7" : s }
function ex(depth,   r) {
    if (depth <= 0 || rand() < 0.2) return num()
    r = int(rand() * 16)
    if (r == 0) return "(" ex(depth - 1) ")+" ex(depth - 1)
    if (r == 1) return ex(depth - 1) "-(" ex(depth - 1) ")"
    if (r == 2) return "(" ex(depth - 1) ")*(" ex(depth - 1) ")"
    if (r == 3) return "(" ex(depth - 1) ")\\" nonzero()
    if (r == 4) return "(" ex(depth - 1) ")%" nonzero()
    if (r == 5) return "(" ex(depth - 1) ")^" int(rand() * 5)
    if (r == 6) return "gcd(" ex(depth - 1) "," ex(depth - 1) ")"
    if (r == 7) return "binomial(" ex(depth - 1) "," int(rand() * 8) ")"
    if (r == 8) return int(rand() * 30) "!"
    if (r == 9) return "fibonacci(" (int(rand() * 400) - 100) ")"
    if (r == 10) return "(" ex(depth - 1) ")" cmp[1 + int(rand() * 6)] "(" ex(depth - 1) ")"
    if (r == 11) return "(" ex(depth - 1) ")&&(" ex(depth - 1) ")"
    if (r == 12) return "(" ex(depth - 1) ")||(" ex(depth - 1) ")"
    if (r == 13) return "!(" ex(depth - 1) ")"
    if (r == 14) return "sqrtint((" ex(depth - 1) ")^2)"
    return "-(" ex(depth - 1) ")"
}
BEGIN {
    split("== != < <= > >=", cmp, " ")
    srand(seed)
    if (vars) print "v0 = 0; v1 = 0; v2 = 0"
    for (i = vars; i < count; i++)
        if (vars && i % 5 == 4) print "v" i % 3 " = " ex(3) "; v" (i + 1) % 3 " + v" i % 3
        else print ex(4)
}' >"$tmp/random.in"
same random "$tmp/random.in"

test "$vgerr" -eq 0 || ok 1 "no run reported memory errors"
done_testing
