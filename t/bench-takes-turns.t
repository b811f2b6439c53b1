#!/bin/sh
# SPDX-License-Identifier: MIT
# vsbench --lockstep, what bench/run relies on to run the contenders of a
# table side by side: a process waits for a byte on stdin before it starts
# and before every slice of its measurement, says "turn" on stdout when it
# gives the turn back, and keeps the turn for everything in between.  With
# no turn to come (stdin closed) it stops with a clear message and prints no
# result; a command that cannot take turns is refused.  vsbench runs under
# $VSTACK_TEST_EMULATOR when make check has one for this build's programs.
. "$(dirname "$0")/tap.sh"
build=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
vsbench=$build/bench/vsbench
if [ ! -x "$vsbench" ]; then
    echo "1..0 # SKIP no bench/vsbench in this build (the benchmarks need fork and mmap)"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-turns-t.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
fork() { $VSTACK_TEST_EMULATOR "$vsbench" fork --contender=vstack --vsize=64MiB --used=8MiB --states=idle --child=exit \
    --forks=20 --lockstep=10; }

# turns BYTES: that many turns on stdin.
turns() { head -c "$1" /dev/zero; }

turns 100 | fork >"$tmp/o" 2>"$tmp/e"
rc=$?
test "$rc" -eq 0; ok $? "20 forks in turns of 10, turns to spare: status 0 (got $rc: $(head -c 200 "$tmp/e"))"
# A turn before each slice, the result once the series is done.
lines=$(cut -d, -f1 "$tmp/o" | tr '\n' ' ')
test "$lines" = "turn turn fork "; ok $? "two turns given back, then the result line (got: $lines)"
forks=$(grep '^fork,' "$tmp/o" | cut -d, -f8)
test "$forks" = 20; ok $? "all 20 forks timed (got ${forks:-none})"

# One byte to start and one for the first slice: the second slice never
# comes.  The process must stop there, not go on without its turn.
turns 2 | fork >"$tmp/o" 2>"$tmp/e"
rc=$?
test "$rc" -eq 2 && grep -q 'no turn came (stdin closed)' "$tmp/e"
ok $? "stdin closed before its second slice: status 2 and why (got $rc: $(head -c 200 "$tmp/e"))"
! grep -q '^fork,' "$tmp/o"; ok $? "... and no result line from a series cut short"
test "$(grep -c '^turn$' "$tmp/o")" -eq 2; ok $? "... after giving back the two turns it had"

turns 0 | fork >"$tmp/o" 2>"$tmp/e"
rc=$?
test "$rc" -eq 2 && grep -q 'no turn came' "$tmp/e" && ! test -s "$tmp/o"
ok $? "no turn at all: nothing is done or printed, status 2 (got $rc)"

# growth takes turns every N chunks of its two computations: 4 MiB in
# chunks of 1 MiB, a turn for each, is 4 turns each; one line at the end.
# (4 MiB fits in the fixed stack of a build without mmap too.)
turns 100 | $VSTACK_TEST_EMULATOR "$vsbench" growth --contender=vstack --vsize=1GiB --used=4MiB --chunk=1MiB --lockstep=1 \
    >"$tmp/o" 2>"$tmp/e"
rc=$?
test "$rc" -eq 0 && test "$(grep -c '^turn$' "$tmp/o")" -eq 8 && test "$(grep -c '^growth,' "$tmp/o")" -eq 1 \
    && test "$(tail -n 1 "$tmp/o" | cut -d, -f1)" = growth
ok $? "growth: 8 turns, then one whole result line (status $rc: $(tr '\n' ' ' <"$tmp/o" | head -c 200))"
fields=$(grep '^growth,' "$tmp/o" | tr ',' '\n' | grep -c .)
test "$fields" -eq 12; ok $? "the growth line has all 12 fields, none split by a turn (got $fields)"

turns 100 | $VSTACK_TEST_EMULATOR "$vsbench" reuse --contender=vstack --lockstep=10 >"$tmp/o" 2>"$tmp/e"
rc=$?
test "$rc" -eq 2 && grep -q 'only fork, stacks and growth take turns' "$tmp/e" && ! test -s "$tmp/o"
ok $? "reuse --lockstep is refused with a reason (status $rc: $(head -c 200 "$tmp/e"))"
$VSTACK_TEST_EMULATOR "$vsbench" fork --contender=bare --lockstep=0 >"$tmp/o" 2>"$tmp/e" </dev/null
rc=$?
test "$rc" -eq 2 && grep -q -- '--lockstep=0: not a positive integer' "$tmp/e"
ok $? "--lockstep=0 is refused (status $rc: $(head -c 200 "$tmp/e"))"
done_testing
