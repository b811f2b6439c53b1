# SPDX-License-Identifier: MIT
# VsBench::FastPath -- the allocation loops: alloc+release pairs, tight and
# behind a compiler barrier, against malloc.
package VsBench::FastPath;
use strict;
use warnings;
use VsBench;

my (%fast, @fast_raw);

sub steps { return $want{fastpath} ? $P{fast_rounds} * @stackful : 0; }

sub measure {
    if ($want{fastpath}) {
        rounds($P{fast_rounds},
               sub {
                   my ($r, @f) = @_;
                   # fastpath,contender,loop,nwords,iters,median_batch_ns,fastest_batch_ns
                   push @{ $fast{"$f[2],$f[1]"} }, [ $f[5], $f[6] ];
                   push @fast_raw, join(',', $r, @f[ 1 .. $#f ]);
               },
               group('fastpath', \@stackful, 'fastpath', "--vsize=$GiB", "--iters=$P{fast_iters}"));
    }
}

sub report {
    if ($want{fastpath}) {
        # Other processes only ever add time to a batch: the ratios compare the
        # fastest batch of each process (median over processes).
        my %titles = (
            barrier => "Allocation fast path with a compiler barrier: ns per alloc+release pair of 4 longs, each iteration\n"
              . "starting with an empty asm that clobbers memory, so the stack pointer is read from memory every time\n"
              . "(as after any call between two allocations).  The stack is a global of the contender's file.",
            tight => "Tight allocation loop, no barrier: ns per iteration of\n"
              . "  av = avma; x = new_chunk(4 + (i & 7)); x[0] = i; sink += x[0]; set_avma(av);\n"
              . "the stack a local variable of the timing function (vstack: a local vstack;"
              . ($have_pari ? " pari: PARI's own avma;" : '') . "\n"
              . "rw-pool: a local copy of its pointers), so the compiler may keep it in registers.");
        for my $loop (qw(tight barrier)) {
            my (%best, %med, @rows);
            for my $c (@stackful) {
                $med{$c}  = col($fast{"$loop,$c"}, 0);
                $best{$c} = col($fast{"$loop,$c"}, 1);
            }
            for my $c (@stackful) {
                my $m = $best{$c};
                next unless defined $m;
                $S{$loop}{$c} = $m;
                push @rows, [ $c, sprintf('%.3f', $m), ($have_pari ? rfmt(ratio($m, $best{pari})) : ()),
                              rfmt(ratio($best{malloc}, $m)), sprintf('%.3f', $med{$c}),
                              ($have_pari ? rfmt(ratio($med{$c}, $med{pari})) : ()) ];
            }
            table("$titles{$loop}\n$P{fast_iters} iterations in 8 batches per process, $P{fast_rounds} processes;"
                  . " fastest: median over processes of the fastest batch; median batch: the same for the median batch.\n"
                  . "malloc: malloc and free of the same sizes; rw-pool: a bare pointer bump",
                  [ 'contender', 'fastest ns', ($have_pari ? 'x pari' : ()), 'malloc is x slower', 'median batch ns',
                    ($have_pari ? 'x pari' : ()) ], @rows);
        }
        write_csv('fastpath.csv', 'round,contender,loop,nwords,iters,median_batch_ns,fastest_batch_ns', \@fast_raw);
    }
}

1;
