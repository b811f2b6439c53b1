# SPDX-License-Identifier: MIT
# .ci/lib.sh -- shared by .ci/sanitizers, .ci/i386 and .ci/fuzz-smoke: the
# packages a fresh Debian 12 machine lacks, a clean copy of the source tree
# to build in, and the summary line.  Sourced, not run.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
ci_src=$(cd "$(dirname "$0")/.." && pwd)
ci_jobs=2
ci_deps=$(sh "$ci_src/Configure" --print-deps)
. "$ci_src/build-aux/install-packages.sh"
pkg_quiet=yes pkg_updated=no

# Install what is missing of the packages named (Debian names, arch:qual ok):
# build-aux/install-packages.sh, as ./Configure --install-deps does.
ci_install() {
    local rc=0
    pkg_install ci "$@" || rc=$?
    case $rc in
    0) ;;
    2 | 3)
        echo "ci: missing packages:$pkg_missing (run as root, or install them)" >&2
        exit 1 ;;
    *) exit $rc ;;
    esac
}

# A clean copy of the tracked files (with their changes in the work tree)
# in a new directory, left in $ci_dir; removed at exit unless CI_KEEP is set.  The
# checkout itself is never configured, so these scripts run one after
# another, and beside .ci/run's in-tree build.
ci_copy() {
    local dir
    dir=$(mktemp -d "${TMPDIR:-/tmp}/vstack-$1.XXXXXX")
    if git -C "$ci_src" rev-parse --git-dir >/dev/null 2>&1; then
        (cd "$ci_src" && git ls-files -z | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) |
            tar -C "$dir" -xf -
    else
        cp -a "$ci_src/." "$dir/"
        if [ -f "$dir/Makefile" ]; then (cd "$dir" && make distclean >/dev/null 2>&1) || true; fi
    fi
    ci_dirs="${ci_dirs:-} $dir"
    trap 'if [ -z "${CI_KEEP:-}" ]; then rm -rf ${ci_dirs:-}; fi' EXIT
    ci_dir=$dir
}

# The totals of automake's test-suite.log in DIR, or of the logs named
# after DIR added up, as "NAME: N passed, M failed, K skipped"; sets
# ci_pass, ci_fail, ci_skip.  A log that is missing counts as a failure.
ci_summary() {
    local name=$1 dir=$2 log p f s
    shift 2
    [ $# -gt 0 ] || set -- "$dir/test-suite.log"
    ci_pass=0 ci_fail=0 ci_skip=0
    for log in "$@"; do
        if [ ! -f "$log" ]; then
            ci_fail=$((ci_fail + 1))
            continue
        fi
        read -r p f s < <(awk '/^# PASS:/{p=$3} /^# (FAIL|ERROR|XPASS):/{f+=$3} /^# SKIP:/{s=$3}
                              END{print p+0, f+0, s+0}' "$log")
        ci_pass=$((ci_pass + p)) ci_fail=$((ci_fail + f)) ci_skip=$((ci_skip + s))
    done
    echo "$name: $ci_pass passed, $ci_fail failed, $ci_skip skipped"
}

# Failed tests of DIR's last run, with their failing lines.
ci_failures() {
    grep -hE '^(FAIL|ERROR|XPASS):' "$1"/t/*.log 2>/dev/null | head -40 || true
}
