#!/bin/sh
# SPDX-License-Identifier: MIT
# What is installed has none of the test seam of src/os.h: no symbol of the
# seam is defined, exported or wanted in it (nm, nm -D), and none of the
# seam's texts is in the file (strings).  The same check run on the test
# build of the library (src/libvstack_test.la) finds the seam there: that
# proves the check can fail.
#
#   t/release-library-has-no-seam.t [FILE...]
#
# Without FILE, the built libvstack and libvstack_nt, and ntcalc, are
# checked; .ci/package names the files it staged with make install.  The
# files must be ELF: a Windows build, and a static-only one, skip.  The
# status is 1 when a check failed.
. "$(dirname "$0")/tap.sh"
build=${top_builddir:-.}
# The seam's symbols: its functions and counters (src/os_seam.c, src/testing.h), and the
# stand-ins of the verbs (src/os_unix.c, src/os_win32.c).  A leading _ (as
# some systems write C names) and a suffix of the compiler's (.constprop.0)
# are allowed.
SEAM_SYMBOLS='vs_env_forget|vs_formatted_count|vs_os_fail_nth|vs_os_fail_nth_late|vs_os_fail_reset|vs_os_count|vs_os_misplace_next|vs_os_seam|vs_os_seam_late|vs_os_misplaced|vs_os_seam_mark|vs_seam_[a-z_]+|vs_map_elsewhere|vs_win_seam_fail|vs_win_code_of'
SEAM_SYMBOL_RE="[ 	]_?($SEAM_SYMBOLS)(\\.[a-z0-9.]+)?(@.*)?\$"
# Its texts: the mark it carries for this check, read from src/os_seam.c,
# and names of its own that only a file holding it has (in the symbol
# table or the debugging information).  Not the hooks' names: the
# installed build keeps them as macros, which -g3 writes down.
MARK=$(sed -n 's/^const char vs_os_seam_mark\[\] = "\(.*\)";$/\1/p' "$src/src/os_seam.c")

is_elf() { [ "$(od -An -c -N4 "$1" 2>/dev/null | tr -d ' ')" = '177ELF' ]; }

# The shared object a libtool library made, from its .la: empty when none.
shared_of() { # shared_of DIR NAME
    [ -f "$build/$1/$2.la" ] || return 0
    shared_dl=$(sed -n "s/^dlname='\\(.*\\)'\$/\\1/p" "$build/$1/$2.la")
    [ -z "$shared_dl" ] || echo "$build/$1/.libs/$shared_dl"
}

# seam_in FILE: prints what of the seam FILE holds, one line each; says
# nothing for a file without it.
seam_in() {
    nm "$1" 2>/dev/null | grep -E "$SEAM_SYMBOL_RE" | sed 's/^/symbol: /'
    case $(od -An -c -N4 "$1" 2>/dev/null | tr -d ' ') in
    177ELF) nm -D "$1" 2>/dev/null | grep -E "$SEAM_SYMBOL_RE" | sed 's/^/dynamic symbol: /' ;;
    esac
    for text in "$MARK" vs_os_fail_nth vs_os_misplace_next vs_seam_count; do
        strings -a "$1" 2>/dev/null | grep -F -- "$text" >/dev/null && echo "text: $text"
    done
}

command -v nm >/dev/null 2>&1 || skip_all "no nm (binutils) to list the symbols"
command -v strings >/dev/null 2>&1 || skip_all "no strings (binutils) to read the texts"

if [ $# -gt 0 ]; then
    files="$*"
else
    lib=$(shared_of src libvstack)
    if [ -z "$lib" ]; then
        skip_all "no shared libvstack: a static-only build (--disable-shared)"
    fi
    files="$lib $(shared_of nt libvstack_nt)"
    # ntcalc, or the program behind libtool's wrapper.
    for prog in "$build/calc/.libs/ntcalc" "$build/calc/ntcalc"; do
        if is_elf "$prog"; then files="$files $prog"; break; fi
    done
fi
for f in $files; do
    [ -f "$f" ] || { echo "Bail out! no file $f"; exit 1; }
    is_elf "$f" || skip_all "$f is not an ELF file (a Windows build?): nm and strings are not checked there"
done

test -n "$MARK"
ok $? "the seam's mark is read from src/os_seam.c: $MARK"

# The check can fail: the test build has the seam, and the check finds each
# kind of trace of it.
test_lib=$build/src/.libs/libvstack_test.a
if [ -f "$test_lib" ]; then
    found=$(seam_in "$test_lib")
    echo "$found" | grep -q '^symbol: .* vs_os_fail_nth$'
    ok $? "the test build defines vs_os_fail_nth, and the check sees it"
    echo "$found" | grep -q '^text: vs_os_fail_nth$'
    ok $? "its name is among the texts of the test build, and the check sees it"
    echo "$found" | grep -qF "text: $MARK"
    ok $? "the test build holds the seam's mark, and the check sees it"
else
    echo "Bail out! no $test_lib: make src/libvstack_test.la first"
    exit 1
fi

for f in $files; do
    found=$(seam_in "$f")
    test -z "$found"
    ok $? "no symbol and no text of the seam in ${f#"$build"/}"
    [ -z "$found" ] || echo "$found" | sed 's/^/#   /'
done
# The status says it too, for .ci/package.
done_testing
