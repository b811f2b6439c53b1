# SPDX-License-Identifier: MIT
# ntcalc-lib.sh -- sourced by the t/ntcalc-*.t scripts: finds ntcalc (in
# $top_builddir, set by make check, or next to this directory when prove
# runs the scripts in the source tree), runs it under $VSTACK_TEST_WRAPPER
# (and $VSTACK_TEST_EMULATOR, when make check has one for this build's
# programs: then $NTCALC is a script that starts ntcalc under it), and
# provides ok, skip, skip_all, done_testing, calc, probe and diffout.  The plan
# comes last, from the count of checks made: end each script with
# done_testing.
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "$top_builddir" ] && [ -x "$top_builddir/calc/ntcalc" ]; then
    build=$top_builddir
else
    build=$here/..
fi
NTCALC=$build/calc/ntcalc
skip_all() { # skip_all REASON: the whole script is skipped (before any check)
    echo "1..0 # SKIP $1"
    exit 0
}
[ -x "$NTCALC" ] || skip_all "ntcalc is not built"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ntcalc-t.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
if [ -n "$VSTACK_TEST_EMULATOR" ]; then
    printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$VSTACK_TEST_EMULATOR" "$NTCALC" >"$tmp/ntcalc"
    chmod +x "$tmp/ntcalc"
    NTCALC=$tmp/ntcalc
fi
n=0
vgerr=0
ok() { # ok STATUS NAME
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
skip() { # skip REASON NAME: one check that cannot be made here
    n=$((n + 1))
    echo "ok $n - $2 # SKIP $1"
}
done_testing() { # the plan: as many checks as were made
    echo "1..$n"
}
calc() { # calc ARGS... < input: stdout in $tmp/out, stderr in $tmp/err, status in $rc
    $VSTACK_TEST_WRAPPER "$NTCALC" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 99 ]; then
        vgerr=1
        sed 's/^/# /' "$tmp/err"
    fi
}
probe() { # probe FEATURE: nothing when this system has it, else why not (t/probe.c)
    [ -x "$build/t/probe" ] && $VSTACK_TEST_EMULATOR "$build/t/probe" "$1"
}
diffout() { # diffout EXPECTED-FILE: compare stdout, showing differences as diagnostics
    if diff "$1" "$tmp/out" >"$tmp/diff"; then return 0; fi
    sed 's/^/# /' "$tmp/diff"
    return 1
}
