#!/bin/sh
# SPDX-License-Identifier: MIT
# contrib/pari/splice replaces, by function name, the stack functions of a
# PARI source tree's src/language/init.c with an include of our own file,
# and leaves everything else as it was.  It fails with one line, and
# changes nothing, on a tree that lacks one of them or has them twice over,
# and on a tree it has spliced already.  The init.c here is a stand-in
# written for this test, in PARI's layout (the return type on its own line,
# the name at the start of the next, a branch per memory layer).
. "$(dirname "$0")/tap.sh"
splice=$src/contrib/pari/splice
command -v perl >/dev/null 2>&1 || { echo "1..0 # SKIP no perl"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pari-splice-t.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

# A stand-in init.c: NAME(BODY) for each function the splice removes, in
# the places and numbers it expects, around code it must keep.
standin() { # standin DIR [OMIT]: write DIR/src/language/init.c without function OMIT
    mkdir -p "$1/src/language"
    omit=${2:-none}
    {
        echo '/* stand-in */'
        echo 'static int keep_before(void) { return 1; }'
        echo '#ifdef HAS_MMAP'
        for f in pari_mainstack_malloc pari_mainstack_mfree pari_mainstack_mreset pari_mainstack_mextend \
            pari_mainstack_setsize; do
            [ "$f" = "$omit" ] && continue
            printf 'static int\n%s(int a)\n{\n  if (a) { return "}{"[0]; } /* } */\n  return 0;\n}\n\n' "$f"
        done
        echo '#else'
        for f in pari_mainstack_malloc pari_mainstack_mfree pari_mainstack_setsize; do
            [ "$f" = "$omit" ] && continue
            printf 'static int\n%s(int a) { (void)a; return 2; }\n\n' "$f"
        done
        echo '#endif'
        echo 'static const int MIN_STACK = 1;'
        for f in pari_mainstack_alloc pari_mainstack_free pari_mainstack_use; do
            [ "$f" = "$omit" ] && continue
            printf 'static void\n%s(int a)\n{\n  (void)a;\n}\n\n' "$f"
        done
        printf 'void\nparistack_setsize(int a)\n{\n  pari_mainstack_use(a);\n}\n'
    } >"$1/src/language/init.c"
}
names="pari_mainstack_malloc pari_mainstack_mfree pari_mainstack_mreset pari_mainstack_mextend
    pari_mainstack_setsize pari_mainstack_alloc pari_mainstack_free pari_mainstack_use"

standin "$tmp/good"
perl "$splice" "$tmp/good" >"$tmp/out" 2>"$tmp/err"
ok $? "splice succeeds on a tree with every definition: $(cat "$tmp/out" "$tmp/err")"
init=$tmp/good/src/language/init.c
left=""
for f in $names; do
    grep -q "^$f(" "$init" && left="$left $f"
done
test -z "$left"; ok $? "no definition of the eight functions is left${left:+:$left}"
test "$(grep -c '^#include "paristack_vstack.inc"$' "$init")" -eq 1
ok $? "one include of paristack_vstack.inc"
awk '/^#include "paristack_vstack.inc"/{inc=NR} /^static const int MIN_STACK/{min=NR} /^paristack_setsize\(/{use=NR}
     END{exit !(min && inc > min && use > inc)}' "$init"
ok $? "in pari_mainstack_alloc's place: after what it uses, before its callers"
grep -q '^static int keep_before(void)' "$init" && grep -q '^paristack_setsize(int a)' "$init" &&
    grep -q '^#ifdef HAS_MMAP' "$init" && grep -q '^#endif' "$init"
ok $? "the rest of init.c is kept"
cmp -s "$src/contrib/pari/paristack_vstack.c" "$tmp/good/src/language/paristack_vstack.inc"
ok $? "our file is copied beside init.c, not as a .c that PARI would compile alone"

cp "$init" "$tmp/spliced"
perl "$splice" "$tmp/good" >"$tmp/out" 2>"$tmp/err"
rc=$?
test "$rc" -ne 0 && grep -q 'already includes' "$tmp/err" && cmp -s "$init" "$tmp/spliced"
ok $? "a second splice is refused, and changes nothing (status $rc: $(cat "$tmp/err"))"

for miss in pari_mainstack_use pari_mainstack_mreset; do
    standin "$tmp/$miss" "$miss"
    cp "$tmp/$miss/src/language/init.c" "$tmp/before"
    perl "$splice" "$tmp/$miss" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    test "$rc" -ne 0 && test "$(wc -l <"$tmp/err")" -eq 1 && grep -q "$miss" "$tmp/err" &&
        grep -q 'does not know' "$tmp/err" && cmp -s "$tmp/$miss/src/language/init.c" "$tmp/before" &&
        ! test -e "$tmp/$miss/src/language/paristack_vstack.inc"
    ok $? "a tree without $miss: one line naming it, nothing changed (status $rc: $(cat "$tmp/err"))"
done

perl "$splice" "$tmp/nowhere" >"$tmp/out" 2>"$tmp/err"
rc=$?
test "$rc" -ne 0 && test "$(wc -l <"$tmp/err")" -eq 1
ok $? "a directory that is not a PARI tree: one line (status $rc: $(cat "$tmp/err"))"
done_testing
