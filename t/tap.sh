# SPDX-License-Identifier: MIT
# tap.sh -- what the shell tests share, sourced first:  . "$(dirname "$0")/tap.sh"
# src is the source tree (top_srcdir under make check, else the parent of
# t/).  ok, skip and skip_all write TAP; done_testing writes the plan last
# and returns 1 when a check failed.
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
n=0 failed=0

ok() { # ok STATUS NAME
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        failed=$((failed + 1))
    fi
}

skip() { # skip REASON: one check not made, and why
    n=$((n + 1))
    echo "ok $n # SKIP $1"
}

skip_all() { # skip_all REASON: the whole test, before any check
    echo "1..0 # SKIP $1"
    exit 0
}

done_testing() {
    echo "1..$n"
    [ "$failed" -eq 0 ]
}
