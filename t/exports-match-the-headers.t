#!/bin/sh
# SPDX-License-Identifier: MIT
# The shared libvstack exports exactly the functions that the public
# headers, include/vstack.h and include/vstack_pool.h, declare (and the
# variables they declare extern), each with the symbol version VSTACK_1.0
# of src/libvstack.map; nothing more, nothing less.  The list is read from
# the headers, as the C preprocessor gives them, so that it follows them.
# libvstack_nt, when built, exports only the names of its own export rule
# (nt/Makefile.inc), each declared in include/vstack_nt.h.  Skips on a
# build without a shared ELF library (static, Windows, macOS).
. "$(dirname "$0")/tap.sh"
build=${top_builddir:-.}
lib=$build/src/.libs/libvstack.so
ntlib=$build/nt/.libs/libvstack_nt.so
cc=${CC:-cc}
[ -f "$lib" ] || { echo "1..0 # SKIP no $lib: not a shared build"; exit 0; }
case $(od -An -c -N4 "$lib" | tr -d ' ') in
*ELF) ;;
*) echo "1..0 # SKIP $lib is not an ELF file"; exit 0 ;;
esac
command -v nm >/dev/null 2>&1 || { echo "1..0 # SKIP no nm"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exports-t.XXXXXX") || { echo "Bail out! no temporary directory"; exit 1; }
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

# declared HEADER [HEADER...]: the functions and extern variables declared
# at file scope in the headers named, one a line, sorted.  The first header
# is preprocessed (no comments, no conditional code, no macros); only the
# lines that come from the headers named are kept, then read as
# declarations at brace depth 0, each ending at ';': a declaration with a
# '(' declares a function, named by the first identifier before a '(' that
# is not an attribute (whose parentheses are skipped); one without, but with extern, declares a variable,
# named by its last identifier.  Typedefs, static functions and the bodies
# of inline functions and of structs are left out.
declared() {
    first=$1
    files=$(printf '%s|' "$@")
    $cc -E -I"$src/include" "$first" >"$tmp/pp" 2>"$tmp/pp.err" || return 1
    awk -v files="${files%|}" '
        BEGIN { n = split(files, f, "|"); for (i = 1; i <= n; i++) want[f[i]] = 1 }
        /^# [0-9]+ "/ { file = $3; gsub(/"/, "", file); keep = (file in want); next }
        /^#/ { next }
        keep { text = text " " $0 }
        END {
            depth = 0; decl = ""
            for (i = 1; i <= length(text); i++) {
                c = substr(text, i, 1)
                if (c == "{") { depth++; decl = ""; continue }
                if (c == "}") { depth--; decl = ""; continue }
                if (depth > 0) continue
                if (c == ";") { name(decl); decl = ""; continue }
                decl = decl c
            }
        }
        function skip(s,    p, k) { # s after an open parenthesis: what follows its match
            for (p = 1; k >= 0 && p <= length(s); p++) {
                if (substr(s, p, 1) == "(") k++
                else if (substr(s, p, 1) == ")") k--
            }
            return substr(s, p)
        }
        function name(d,    s, id) {
            if (d ~ /(^|[^A-Za-z0-9_])(typedef|static)([^A-Za-z0-9_]|$)/) return
            if (index(d, "(")) {
                s = d
                while (match(s, /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/)) {
                    id = substr(s, RSTART, RLENGTH)
                    sub(/[ \t]*\($/, "", id)
                    s = substr(s, RSTART + RLENGTH)
                    if (id ~ /^(_Static_assert|static_assert)$/)
                        return
                    if (id ~ /^(__attribute__|__attribute|__declspec|__asm__|__asm|asm|_Alignas|alignas|__typeof__|typeof)$/) {
                        s = skip(s)
                        continue
                    }
                    print id
                    return
                }
            } else if (d ~ /(^|[^A-Za-z0-9_])extern([^A-Za-z0-9_]|$)/ && match(d, /[A-Za-z_][A-Za-z0-9_]*[ \t]*$/)) {
                id = substr(d, RSTART, RLENGTH)
                sub(/[ \t]+$/, "", id)
                print id
            }
        }' "$tmp/pp" | sort -u
}
# exported LIB: "NAME VERSION" of each symbol LIB defines, sorted; VERSION
# is "-" for an unversioned symbol.  The absolute symbols that name a
# version node (type A, the node's own name) are not exports.
exported() {
    nm -D --defined-only "$1" >"$tmp/nm" 2>"$tmp/nm.err" || return 1
    awk 'NF >= 2 {
            sym = $NF; type = $(NF - 1)
            ver = "-"
            if (match(sym, /@+/)) { ver = substr(sym, RSTART + RLENGTH); sym = substr(sym, 1, RSTART - 1) }
            if (type == "A" && (ver == sym || ver == "-")) next
            print sym, ver
        }' "$tmp/nm" | sort -u
}

# The headers are read wherever the library was built from; a header of
# the source tree is found by its path as the preprocessor prints it.
inc=$src/include
declared "$inc/vstack.h" "$inc/vstack_pool.h" >"$tmp/declared"
st=$?
test $st -eq 0 && test -s "$tmp/declared" && grep -qx vstack_init "$tmp/declared" &&
    grep -qx vstack_pool_init "$tmp/declared"
ok $? "the headers' functions are read from vstack.h and vstack_pool.h ($(wc -l <"$tmp/declared") names)"
[ $st -eq 0 ] || sed 's/^/#   /' "$tmp/pp.err" | head -10

exported "$lib" >"$tmp/exported"
ok $? "nm -D lists the symbols of $lib"
cut -d' ' -f1 "$tmp/exported" >"$tmp/names"

comm -13 "$tmp/declared" "$tmp/names" >"$tmp/extra"
test ! -s "$tmp/extra"
ok $? "libvstack exports nothing that the public headers do not declare"
sed 's/^/#   exported, not declared: /' "$tmp/extra"

comm -23 "$tmp/declared" "$tmp/names" >"$tmp/missing"
test ! -s "$tmp/missing"
ok $? "libvstack exports every function the public headers declare (src/libvstack.map lists them)"
sed 's/^/#   declared, not exported: /' "$tmp/missing"

if [ "${VSTACK_LD_VERSION_SCRIPT:-yes}" = no ]; then
    skip "configure found no linker that takes a version script: the exports are unversioned"
else
    awk '$2 != "VSTACK_1.0"' "$tmp/exported" >"$tmp/unversioned"
    test -s "$tmp/names" && test ! -s "$tmp/unversioned"
    ok $? "every symbol of libvstack has the version VSTACK_1.0"
    sed 's/^/#   not VSTACK_1.0: /' "$tmp/unversioned"
fi

# libvstack_nt: its own export rule, if nt/Makefile.inc gives one.
rule=$(sed -n "s/^nt_libvstack_nt_la_LDFLAGS.*-export-symbols-regex '\([^']*\)'.*/\1/p" "$src/nt/Makefile.inc")
if [ ! -f "$ntlib" ]; then
    skip "no $ntlib (a build without GMP)"
    skip "no $ntlib (a build without GMP)"
elif [ -z "$rule" ]; then
    skip "nt/Makefile.inc gives libvstack_nt no export rule of its own"
    skip "nt/Makefile.inc gives libvstack_nt no export rule of its own"
else
    exported "$ntlib" | cut -d' ' -f1 >"$tmp/nt-names"
    grep -v -e "$rule" "$tmp/nt-names" >"$tmp/nt-extra"
    test -s "$tmp/nt-names" && test ! -s "$tmp/nt-extra"
    ok $? "libvstack_nt exports only names that match its rule $rule"
    sed 's/^/#   exported outside the rule: /' "$tmp/nt-extra"
    declared "$inc/vstack_nt.h" >"$tmp/nt-declared"
    comm -13 "$tmp/nt-declared" "$tmp/nt-names" >"$tmp/nt-undeclared"
    test -s "$tmp/nt-declared" && test ! -s "$tmp/nt-undeclared"
    ok $? "libvstack_nt exports nothing that include/vstack_nt.h does not declare"
    sed 's/^/#   exported, not declared: /' "$tmp/nt-undeclared"
fi
done_testing
