# SPDX-License-Identifier: MIT
# install-packages.sh -- the one place that installs Debian packages for
# ./Configure --install-deps and for the CI stages (.ci/lib.sh).  Sourced,
# not run; POSIX sh.
#
#   pkg_install WHO PACKAGE...
#
# Checks each PACKAGE (Debian names, arch:qual ok) with dpkg-query and
# installs the missing ones with apt-get; WHO starts its messages.  Leaves
# the missing ones in $pkg_missing (empty: all were installed already) and
# returns 0 when all are installed now, 2 when some are missing and there
# is no apt-get, 3 when some are missing and this is not root (the caller
# says what to do), or apt-get's status.  apt-get update runs once per
# shell, before the first install; an update that reports errors (a
# mirror in the middle of a sync) is said and the install tried anyway.
# pkg_quiet=yes hides apt-get's own output.
pkg_install() {
    pkg_who=$1
    shift
    pkg_missing=""
    for pkg_p in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg_p" 2>/dev/null | grep -q "ok installed" ||
            pkg_missing="$pkg_missing $pkg_p"
    done
    [ -n "$pkg_missing" ] || return 0
    command -v apt-get >/dev/null 2>&1 || return 2
    [ "$(id -u)" -eq 0 ] || return 3
    if [ "${pkg_updated:-no}" = no ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
            echo "$pkg_who: apt-get update reported errors; trying the install anyway" >&2
        pkg_updated=yes
    fi
    echo "$pkg_who: installing$pkg_missing"
    if [ "${pkg_quiet:-no}" = yes ]; then
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkg_missing >/dev/null
    else
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkg_missing
    fi
}
