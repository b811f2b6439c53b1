# ntcalc-lib.sh -- sourced by the t/ntcalc-*.t scripts: finds ntcalc (in
# $top_builddir, set by make check, or next to this directory when prove
# runs the scripts in the source tree), runs it under $VSTACK_TEST_WRAPPER,
# and provides ok, calc and diffout.
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "$top_builddir" ] && [ -x "$top_builddir/nt/ntcalc" ]; then
    NTCALC=$top_builddir/nt/ntcalc
else
    NTCALC=$here/../nt/ntcalc
fi
if [ ! -x "$NTCALC" ]; then
    echo "1..0 # SKIP ntcalc is not built"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ntcalc-t.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
n=0
vgerr=0
ok() { # ok STATUS NAME
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
calc() { # calc ARGS... < input: stdout in $tmp/out, stderr in $tmp/err, status in $rc
    $VSTACK_TEST_WRAPPER "$NTCALC" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 99 ]; then
        vgerr=1
        sed 's/^/# /' "$tmp/err"
    fi
}
diffout() { # diffout EXPECTED-FILE: compare stdout, showing differences as diagnostics
    if diff "$1" "$tmp/out" >"$tmp/diff"; then return 0; fi
    sed 's/^/# /' "$tmp/diff"
    return 1
}
