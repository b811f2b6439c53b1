#!/bin/sh
# Outside the library (src/) and its header, no code reads or writes the
# private part of struct vstack: clients, tests, benchmarks and examples use
# the functions of vstack.h.  The fast path's avma and lim are the only
# public fields.
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
echo "1..2"
found=$(cd "$src" && grep -n 'priv_' $(ls -d t nt bench examples fuzz 2>/dev/null) \
        --include='*.c' --include='*.h' -r 2>/dev/null)
if [ -z "$found" ]; then
    echo "ok 1 - no file outside src/ names struct vstack's private part"
else
    echo "not ok 1 - no file outside src/ names struct vstack's private part"
    echo "$found" | sed 's/^/#   /'
fi
# The header keeps the private part after the public head.
if sed -n '/^struct vstack {/,/^};/p' "$src/include/vstack.h" | grep -q 'vstack_sp avma;' &&
   sed -n '/^struct vstack {/,/^};/p' "$src/include/vstack.h" | tail -2 | grep -q 'priv_;'; then
    echo "ok 2 - struct vstack is avma, lim, then the private part"
else
    echo "not ok 2 - struct vstack is avma, lim, then the private part"
fi
