#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check-catches-failures.sh: contrib/pari/check's reading of PARI's test
# harness, on a fake build tree whose make targets print what PARI's dotest
# prints.  A test reported as BUG, a test that never ran, a gp binary that
# left no result on a test's line, and a target that ran no test at all
# must each fail; a passed test and a skipped one must not; a difference
# listed in known-differences passes only when the stock build shows the
# same one.  Needs no PARI.
# Prints TAP; exits 1 if check read something wrong.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vstack-pari-selftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/prefix/lib/pari" "$tmp/work/pari/Obuild"
echo "{ \"pari\": \"2.15.2\", \"mt\": \"pthread\", \"stock\": \"no\", \"work\": \"$tmp/work\" }" \
    >"$tmp/prefix/lib/pari/vstack-build.json"
ob=$tmp/work/pari/Obuild
# The fake harness: prints a result line per test name, as dotest does,
# from what the table says of it (absent: the test never runs).
cat >"$ob/fake-dotest" <<'EOF'
#!/bin/sh
for t in "$@"; do
    t=${t%%_*}
    case "$dotestSUF:$t" in
    dyn:alpha) echo "* Testing alpha            gp-dyn..TIME=   12   " ;;
    dyn:beta) echo "* Testing beta             gp-dyn..BUG [3]"; printf '%s\n' '*** 1,1 ****' '! 2' '--- 1,1 ----' '! 3' >beta-dyn.dif ;;
    dyn:gamma) echo "! Skipping gamma: optional package elldata not installed." ;;
    "sta dyn:parallel") echo "* Testing parallel         gp-dyn..TIME=    2   " ;;
    "sta dyn:alpha") echo "* Testing alpha            gp-sta..TIME=    1   gp-dyn..TIME=    1   " ;;
    "sta dyn:beta") echo "* Testing beta             gp-sta..TIME=    1   gp-dyn..TIME=    1   " ;;
    esac
done
echo "+++ Total bench for gp-dyn is 15"
EOF
cat >"$ob/Makefile" <<'EOF'
DOTEST = sh ./fake-dotest
TESTS  = alpha beta gamma delta
dyntest-all:
	@env dotestSUF=dyn $(DOTEST) $(TESTS)
test-parallel:
	@env "dotestSUF=sta dyn" $(DOTEST) parallel
bench:
	@env "dotestSUF=sta dyn" $(DOTEST)   alpha  beta_200
test-all:
	@true
EOF

# Two fake stock builds: one where beta shows the same difference, one
# where it shows another.
for kind in same other; do
    mkdir -p "$tmp/stock-$kind/lib/pari" "$tmp/work-$kind/pari/Obuild"
    echo "{ \"pari\": \"2.15.2\", \"mt\": \"pthread\", \"stock\": \"yes\", \"work\": \"$tmp/work-$kind\" }" \
        >"$tmp/stock-$kind/lib/pari/vstack-build.json"
    new=3
    [ $kind = other ] && new=4
    printf 'dotest-beta:\n\t@printf "%%s\\n" "*** 1,1 ****" "! 2" "--- 1,1 ----" "! %s" >beta-dyn.dif\n' $new \
        >"$tmp/work-$kind/pari/Obuild/Makefile"
done
echo "beta a reason of ours" >"$tmp/known"

out=$tmp/check.out
"$here/../check" --prefix="$tmp/prefix" --only=pari >"$out" 2>&1
status=$?
"$here/../check" --prefix="$tmp/prefix" --only=pari --tests=all >"$tmp/all.out" 2>&1
status_all=$?

for kind in same other; do
    "$here/../check" --prefix="$tmp/prefix" --only=pari --known="$tmp/known" --stock="$tmp/stock-$kind" \
        >"$tmp/known-$kind.out" 2>&1
done
"$here/../check" --prefix="$tmp/prefix" --only=pari --known="$tmp/known" >"$tmp/known-alone.out" 2>&1

n=0 bad=0
expect() { # WHAT PATTERN FILE: the file has a line matching the pattern
    n=$((n + 1))
    if grep -qE "$2" "$3"; then echo "ok $n - $1"; else echo "not ok $n - $1"; bad=1; fi
}
expect "a passed test passes" '^ok [0-9]+ - dyntest-all: alpha \(ms: gp-dyn 12\)$' "$out"
expect "a test reported as BUG fails, with its diff" '^not ok [0-9]+ - dyntest-all: beta: gp-dyn.s output differs' "$out"
expect "the diff is shown" '^# ! 3$' "$out"
expect "a skipped test is a SKIP" '^ok [0-9]+ - dyntest-all: gamma # SKIP optional package elldata not installed\.$' "$out"
expect "a test that never ran fails" '^not ok [0-9]+ - dyntest-all: 1 of the 4 tests PARI lists did not run: delta ' "$out"
expect "a gp with no result on a test's line fails" '^not ok [0-9]+ - test-parallel: parallel did not run with gp-sta' "$out"
expect "a target whose tests were all reported says so" '^ok [0-9]+ - bench: each of the 2 tests PARI lists was reported' "$out"
expect "the summary counts them" '^check: 5 passed, 3 failed, 1 skipped$' "$out"
n=$((n + 1))
if [ $status -eq 1 ]; then echo "ok $n - check exits 1"; else echo "not ok $n - check exits $status, not 1"; bad=1; fi
expect "a target that runs no test fails" '^not ok [0-9]+ - test-all: 4 of the 4 tests PARI lists did not run' "$tmp/all.out"
n=$((n + 1))
if [ $status_all -eq 1 ]; then echo "ok $n - check --tests=all exits 1"; else echo "not ok $n - check --tests=all exits $status_all"; bad=1; fi
expect "a known difference that stock shows too passes" \
    '^ok [0-9]+ - dyntest-all: beta with gp-dyn differs from PARI.s reference as in the stock build: a reason of ours$' \
    "$tmp/known-same.out"
expect "a known difference that stock shows otherwise fails" \
    '^not ok [0-9]+ - dyntest-all: beta: .*lists it \(a reason of ours\), but the stock build .* does not show the same' \
    "$tmp/known-other.out"
expect "a known difference without a stock build fails" \
    '^not ok [0-9]+ - dyntest-all: beta: .*lists it \(a reason of ours\), but no --stock build to confirm it' \
    "$tmp/known-alone.out"
echo "1..$n"
if [ $bad -ne 0 ]; then sed 's/^/# /' "$out"; fi
exit $bad
