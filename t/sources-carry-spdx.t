#!/bin/sh
# SPDX-License-Identifier: MIT
# Every source file of the project says its licence in an SPDX line near
# its top (SPDX-License-Identifier: MIT, in the first three lines): the C
# sources and headers, the Perl, Python and shell scripts, the make
# fragments and the configure inputs.  Works on a git checkout and on an
# unpacked distribution alike.
. "$(dirname "$0")/tap.sh"
cd "$src" || { echo "Bail out! cannot enter $src"; exit 1; }

dirs=$(ls -d src include t nt calc bench fuzz examples contrib abi .ci 2>/dev/null)
# Build outputs (libtool's .libs, automake's .deps, a wrapper's generated
# sources) are not the project's sources.
prune='( -name .libs -o -name .deps -o -name _libs ) -prune -o'
files=$( { find $dirs $prune -type f \( -name '*.c' -o -name '*.h' -o -name '*.pl' -o -name '*.pm' -o -name '*.py' \
             -o -name '*.sh' -o -name 'Makefile.inc' \) -print
           ls Configure Makefile.am configure.ac build-aux/install-packages.sh 2>/dev/null
           # scripts without an extension: those that start with #!
           for f in $(find $dirs $prune -type f ! -name '*.*' -print); do
               head -c 2 "$f" | grep -q '^#!' && echo "$f"
           done
         } | sort -u)
count=$(echo "$files" | grep -c .)
test "$count" -ge 100
ok $? "the tree has its sources ($count files found)"

missing=""
for f in $files; do
    head -n 3 "$f" | grep -q 'SPDX-License-Identifier: MIT' || missing="$missing $f"
done
test -z "$missing"
ok $? "each of them has SPDX-License-Identifier: MIT in its first three lines"
for f in $missing; do echo "#   $f"; done

grep -q '^MIT License' LICENSE 2>/dev/null
ok $? "LICENSE is the MIT licence"
done_testing
