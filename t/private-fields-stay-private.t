#!/bin/sh
# SPDX-License-Identifier: MIT
# Outside the library (src/), no code reads or writes the private state of
# struct vstack and struct vstack_pool: clients, tests, benchmarks and
# examples use the functions of vstack.h and vstack_pool.h.  The private
# state is opaque storage of a fixed size (union vstack_opaque_, the member
# private_); the fast path's avma and lim are the only public fields.
. "$(dirname "$0")/tap.sh"
cd "$src" || { echo "Bail out! cannot enter $src"; exit 1; }
PRIVATE='private_|vstack_opaque_|bytes_\b|align_(ptr|int|double)_'
# grep says 1 when nothing matched, 2 when it could not read a file.
found=$(grep -nE "$PRIVATE" -r --include='*.c' --include='*.h' --include='*.py' \
        $(ls -d t nt calc bench examples fuzz contrib include/vstack_nt.h 2>/dev/null) 2>&1)
st=$?
test "$st" -eq 1; ok $? "no file outside src/ names the private state ($PRIVATE)"
[ "$st" -eq 1 ] || echo "$found" | sed 's/^/#   /'

# The pattern still names what the headers keep private.
grep -q '^union vstack_opaque_ {' include/vstack_common.h
ok $? "vstack_common.h declares union vstack_opaque_"
for h in vstack.h vstack_pool.h; do
    body=$(sed -n '/^struct vstack\(_pool\)\? {/,/^};/p' include/$h | grep -v '^ *\(/\*\|\*\)')
    # Every field of the struct: avma and lim for a stack, then the opaque part.
    fields=$(echo "$body" | grep -E ';' | grep -v '^};' | sed 's/^ *//; s/ *\/\*.*//' | tr '\n' ' ')
    case $h in
    vstack.h) want='vstack_sp avma; vstack_sp lim; union vstack_opaque_ private_; ' ;;
    *) want='union vstack_opaque_ private_; ' ;;
    esac
    test "$fields" = "$want"
    ok $? "$h: the struct holds '$want'"
    [ "$fields" = "$want" ] || echo "#   found: '$fields'"
done

# No private type of the library is declared in a public header.
found=$(grep -nE 'struct (vs_|vstack_private_|vstack_pool_private_|vstack_fork_|vstack_opts_)' include/*.h)
test -z "$found"
ok $? "no public header declares the library's own structs"
[ -z "$found" ] || echo "$found" | sed 's/^/#   /'

# The library checks at compile time that its state fits the storage.
grep -q '_Static_assert(sizeof(struct vs_stack) <= sizeof(union vstack_opaque_)' src/internal.h &&
    grep -q '_Static_assert(sizeof(struct vs_pool) <= sizeof(union vstack_opaque_)' src/internal.h
ok $? "src/internal.h checks that struct vs_stack and struct vs_pool fit"
done_testing
