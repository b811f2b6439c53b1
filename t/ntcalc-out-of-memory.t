#!/bin/sh
# SPDX-License-Identifier: MIT
# When the system refuses GMP the memory of its own that a big product
# needs (address space limited by ulimit -v), the line fails with one
# message instead of GMP's abort, the next line runs, and the status is 1.
# A huge parisizemax is halved until it fits the limit, as gp does.
# (t/nt-calc-gmp-blocks-freed checks, under valgrind too, that the blocks
# GMP held are freed.)

. "$(cd "$(dirname "$0")" && pwd)/ntcalc-lib.sh"

limited() { # limited KB ARGS...: ntcalc under ulimit -v KB, status in $rc
    kb=$1
    shift
    (ulimit -v "$kb" 2>/dev/null || exit 77; exec "$NTCALC" "$@") >"$tmp/out" 2>"$tmp/err"
    rc=$?
    grep -v '^  \*\*\*   Warning: ' "$tmp/err" >"$tmp/errors"
}

if [ -n "$VSTACK_TEST_WRAPPER" ]; then
    # valgrind needs address space of its own and takes minutes over the line.
    skip_all "under $VSTACK_TEST_WRAPPER"
fi
limited 1000000 --parisizemax=100G -e 'default(parisizemax)' -e '6*7'
if [ "$rc" -ne 0 ] || [ "$(sed -n 2p "$tmp/out")" != 42 ]; then
    skip_all "ntcalc does not run under ulimit -v 1000000 (status $rc)"
fi
if [ "$(sed -n 1p "$tmp/out")" -eq 0 ]; then
    skip_all "the stack has a fixed size in this build (no mmap)"
fi

# 2^(8*10^8) is 100 MB: a 500 MB stack (asked for, so not halved) holds
# both factors and the product, and GMP's FFT wants more than the 1 GB of
# address space leaves it.
limited 1000000 --parisizemax=500M -e '2^(8*10^8)*(2^(8*10^8)-1);' -e '6*7'
test "$(cat "$tmp/out")" = 42; ok $? "the line after the refusal runs"
test "$rc" -eq 1; ok $? "exit status 1, not GMP's abort (got $rc)"
test "$(grep -c . "$tmp/errors")" -eq 1 &&
    grep -q '^  \*\*\* _\*_: not enough memory: GMP could not allocate [0-9]* bytes\.$' "$tmp/errors"
ok $? "one line on stderr: $(head -1 "$tmp/errors")"
grep -qi 'GNU MP' "$tmp/err"; test $? -ne 0; ok $? "GMP's own message never shows"

# 100G is halved until it fits, as gp halves it: parisizemax reads the
# largest of the halvings of 100G (page-rounded) below the limit, and the
# warning says so.
limited 1000000 --parisizemax=100G -e 'default(parisizemax)' -e '6*7'
got=$(sed -n 1p "$tmp/out")
if [ "$(getconf LONG_BIT)" = 64 ]; then
    page=$(getconf PAGESIZE)
    want=100000000000
    while [ "$want" -gt 1024000000 ]; do want=$(((want / 2 + page - 1) / page * page)); done
    test "$got" = "$want"
    ok $? "parisizemax 100G under a 1 GB limit is the largest halving that fits: $got (expected $want)"
else
    test "$got" -le 1024000000 && test "$got" -gt 0
    ok $? "parisizemax 100G under a 1 GB limit is halved to fit: $got"
fi
grep -q 'lowered to' "$tmp/err"
ok $? "the warning says it was lowered: $(head -1 "$tmp/err")"
done_testing
