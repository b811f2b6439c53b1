#!/bin/sh
# SPDX-License-Identifier: MIT
# abi/check fails when a public struct changes its layout under the same
# soname, and passes an unchanged rebuild.  Two small shared libraries are
# built from copies of the public headers, the second with a field added
# at the head of struct vstack; the first is dumped with abi/update as the
# baseline and the second is checked against it.  Also: a changed soname
# turns the failure into a request to renew the baseline, an added
# function passes, a removed one fails, and a missing baseline is an error
# of its own.  Skips without abidw and abidiff (Debian: abigail-tools), or
# without a compiler that builds ELF shared libraries.
. "$(dirname "$0")/tap.sh"
check=$src/abi/check
update=$src/abi/update
cc=${CC:-cc}
for tool in abidw abidiff; do
    command -v $tool >/dev/null 2>&1 || { echo "1..0 # SKIP no $tool (Debian: abigail-tools)"; exit 0; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/abi-check-t.XXXXXX") || { echo "Bail out! no temporary directory"; exit 1; }
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
cd "$tmp" || exit 1

# build DIR SONAME [EXTRA-SOURCE-LINE]: DIR/libvstack.so from the headers
# in DIR, exporting the probe of DIR/probe.h (and whatever the extra line
# defines).
build() {
    cat >"$1/lib.c" <<'END'
#include "probe.h"
vstack_sp vstack_abi_probe(const vstack *st) { return st->avma + sizeof *st; }
END
    [ -z "${3:-}" ] || echo "$3" >>"$1/lib.c"
    $cc -g -O0 -shared -fPIC -I"$1" -Wl,-soname,"$2" -o "$1/libvstack.so" "$1/lib.c" >"$1/cc.out" 2>&1
}
headers() { # headers DIR [PROBE-LINE]: copies of the public headers in DIR, and probe.h
    mkdir -p "$1" && cp "$src/include/vstack.h" "$src/include/vstack_pool.h" "$src/include/vstack_common.h" "$1/" || return 1
    {
        echo '#include "vstack.h"'
        echo 'vstack_sp vstack_abi_probe(const vstack *st);'
        [ -z "${2:-}" ] || echo "$2"
    } >"$1/probe.h"
}
echo 'int vstack_abi_x;' >x.c
$cc -g -shared -fPIC -o x.so x.c >cc.out 2>&1 ||
    { echo "1..0 # SKIP $cc cannot build a shared library: $(head -1 cc.out)"; exit 0; }
case $(od -An -c -N4 x.so | tr -d ' ') in
*ELF) ;;
*) echo "1..0 # SKIP $cc does not build ELF shared libraries"; exit 0 ;;
esac
headers base && build base libvstack.so.2
st=$?
ok $st "a library builds from the public headers"
[ $st -eq 0 ] || sed 's/^/#   /' base/cc.out | head -10

run() { # run NAME ARGS...: abi/check's output in NAME.out, its status in $st
    name=$1
    shift
    "$check" "$@" >"$name.out" 2>&1
    st=$?
}
says() { # says NAME TEXT: NAME.out has TEXT, or shows what it has
    grep -qF "$2" "$1.out" && return 0
    sed 's/^/#   /' "$1.out"
    return 1
}

"$update" --out base.abi --headers base base/libvstack.so >update.out 2>&1 && grep -q '<abi-corpus' base.abi
ok $? "abi/update writes a baseline from the first library"
grep -q "soname='libvstack.so.2'" base.abi && ! grep -qF "$tmp" base.abi
ok $? "the baseline names the soname and no path of this machine"

headers same && build same libvstack.so.2
run same --baseline base.abi --headers same same/libvstack.so
test $st -eq 0 && says same "keeps the ABI"
ok $? "an unchanged rebuild passes (status $st)"

# The changed struct: one field more at the head of struct vstack, which
# moves avma and lim.
headers grown && sed '/^struct vstack {/a\
    int abi_check_added_;' "$src/include/vstack.h" >grown/vstack.h
! cmp -s "$src/include/vstack.h" grown/vstack.h
ok $? "the copy of vstack.h has a field added to struct vstack (the header still has a line 'struct vstack {')"
build grown libvstack.so.2
run grown --baseline base.abi --headers grown grown/libvstack.so
test $st -eq 1 && says grown "incompatibly, under the same soname" && says grown "struct vstack"
ok $? "a field added to struct vstack fails the check, naming the struct (status $st)"

build grown libvstack.so.3
run renamed --baseline base.abi --headers grown grown/libvstack.so
test $st -eq 0 && says renamed "libvstack.so.2 -> libvstack.so.3" && says renamed "baseline must be renewed"
ok $? "the same change with a new soname passes and asks for a new baseline (status $st)"

headers added 'void vstack_abi_added(vstack *st);'
build added libvstack.so.2 'void vstack_abi_added(vstack *st) { st->avma = 0; }'
run added --baseline base.abi --headers added added/libvstack.so
test $st -eq 0 && says added "adds to the ABI"
ok $? "an added function passes (status $st)"

"$update" --out added.abi --headers added added/libvstack.so >update.out 2>&1
run removed --baseline added.abi --headers same same/libvstack.so
test $st -eq 1 && says removed "vstack_abi_added"
ok $? "a removed function fails, naming it (status $st)"

run nobase --baseline missing.abi --headers same same/libvstack.so
test $st -eq 2 && says nobase "no baseline"
ok $? "a missing baseline is an error of its own (status $st)"
done_testing
