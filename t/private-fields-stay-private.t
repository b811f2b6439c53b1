#!/bin/sh
# Outside the library (src/) and its headers, no code reads or writes the
# private parts of struct vstack and struct vstack_pool: clients, tests,
# benchmarks and examples use the functions of vstack.h and vstack_pool.h.
# The private names are the member priv_ and the types struct
# vstack_private_, struct vstack_pool_private_ and struct vstack_fork_.  The
# fast path's avma and lim are the only public fields.
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$src" || { echo "Bail out! cannot enter $src"; exit 1; }
PRIVATE='priv_|_private_|vstack_fork_'
n=0
ok() { # ok STATUS NAME
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
done_testing() { # the plan: as many checks as were made
    echo "1..$n"
}

# grep says 1 when nothing matched, 2 when it could not read a file.
found=$(grep -nE "$PRIVATE" -r --include='*.c' --include='*.h' \
        $(ls -d t nt bench examples fuzz include/vstack_nt.h 2>/dev/null) 2>&1)
st=$?
test "$st" -eq 1; ok $? "no file outside src/ names a private part ($PRIVATE)"
[ "$st" -eq 1 ] || echo "$found" | sed 's/^/#   /'

# The pattern still names what the headers keep private.
grep -q '^struct vstack_private_ {' include/vstack.h &&
    grep -q '^struct vstack_fork_ {' include/vstack.h &&
    grep -q '^struct vstack_pool_private_ {' include/vstack_pool.h
ok $? "the headers declare struct vstack_private_, vstack_pool_private_ and vstack_fork_"

# The header keeps the private part after the public head.
sed -n '/^struct vstack {/,/^};/p' include/vstack.h | grep -q 'vstack_sp avma;' &&
    sed -n '/^struct vstack {/,/^};/p' include/vstack.h | tail -2 | grep -q 'priv_;'
ok $? "struct vstack is avma, lim, then the private part"
done_testing
