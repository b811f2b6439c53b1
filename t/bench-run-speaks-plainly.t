#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/run, which `make demo` and `make bench` start, takes an empty or
# missing gnuplot as "no plots" (configure leaves GNUPLOT empty without
# gnuplot, and the Makefile passes --gnuplot=''), and what the benchmarks
# and the examples print speaks of the product, not of how it was planned.
# Option parsing is checked by an --only that is refused after it: no
# benchmark runs.
. "$(dirname "$0")/tap.sh"
cd "$src" || { echo "Bail out! cannot enter $src"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-run-t.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

if ! command -v perl >/dev/null 2>&1; then
    echo "1..0 # SKIP no perl"
    exit 0
fi
for arg in "--gnuplot=" "--gnuplot" ""; do
    perl bench/run --quick --outdir="$tmp/out" $arg --only=nothing >"$tmp/o" 2>"$tmp/e"
    rc=$?
    test "$rc" -ne 0 && grep -q -- '--only=nothing: not one of' "$tmp/e" && ! grep -qi 'requires an argument\|usage:' "$tmp/e"
    ok $? "bench/run ${arg:-without --gnuplot}: the options are taken, the refusal is --only's (status $rc: $(head -c 100 "$tmp/e"))"
done
# The driver finds its modules (bench/lib) beside itself, whatever the
# current directory: make bench runs it from the build directory.
(cd "$tmp" && perl "$src/bench/run" --quick --outdir="$tmp/out" --only=nothing >"$tmp/o" 2>"$tmp/e")
rc=$?
test "$rc" -ne 0 && grep -q -- '--only=nothing: not one of' "$tmp/e" && ! grep -q "Can't locate" "$tmp/e"
ok $? "bench/run from another directory loads its modules (status $rc: $(head -c 100 "$tmp/e"))"

# Text the benchmarks, the examples and the calculator print.
found=$(grep -n -i -w -E 'issues?' bench/run bench/lib/*.pm bench/lib/VsBench/*.pm bench/*.c examples/*.c nt/*.c calc/*.c 2>&1)
st=$?
test "$st" -eq 1; ok $? "no word 'issue' in what bench/, examples/, nt/ and calc/ print"
[ "$st" -eq 1 ] || echo "$found" | sed 's/^/#   /'
done_testing
