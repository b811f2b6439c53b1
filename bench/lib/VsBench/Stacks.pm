# SPDX-License-Identifier: MIT
# VsBench::Stacks -- idle fork with several live stacks in the process
# (vstack's variants and PARI's thread stacks); bare, with none, once per
# round.
package VsBench::Stacks;
use strict;
use warnings;
use VsBench;

our @STACK_COUNTS = (1, 10, 100);
my $STACKS_VSIZE = $GiB; # parisizemax of each of the several stacks
my (%stacks, @stacks_raw);
# Several stacks in one process: vstack's variants and PARI's thread stacks.
sub multi { return grep { /^(vstack|pari)/ } @order; }
# The median fork with $n live stacks of contender $c (the targets).
sub med { my ($n, $c) = @_; return median(@{ $stacks{"$n,$c"} || [] }); }

sub steps { return $want{stacks} ? $P{stacks_rounds} * (1 + multi() * @STACK_COUNTS) : 0; }

sub measure {
    my @multi = multi();
    if ($want{stacks}) {
        # One group, so that the stack counts alternate as the contenders do.
        rounds($P{stacks_rounds},
               sub {
                   my ($r, @f) = @_;
                   # stacks,contender,vsize,stacks,forks,median,first,min,max
                   push @{ $stacks{"$f[3],$f[1]"} }, $f[5];
                   push @stacks_raw, join(',', $r, @f[ 1 .. $#f ]);
               },
               [ map { my ($n, $c) = @$_;
                       [ "stacks $n", $c, 'stacks', "--vsize=$STACKS_VSIZE", "--stacks=$n", "--forks=$P{idle_forks}",
                         "--budget-ms=$P{budget_ms}", @PIN, @TURN_FORKS ] }
                 [ 1, 'bare' ], map { my $n = $_; map { [ $n, $_ ] } @multi } @STACK_COUNTS ]);
    }
}

sub report {
    my @multi = multi();
    if ($want{stacks}) {
        my $bare = median(@{ $stacks{'1,bare'} || [] });
        my @rows;
        for my $n (@STACK_COUNTS) {
            push @rows, [ $n, num($bare), map { cell(median(@{ $stacks{"$n,$_"} || [] }), $bare) } @multi ];
        }
        table("Idle fork with several live stacks in the process (each parisize 8 MB, parisizemax "
              . hsize($STACKS_VSIZE) . ", never used); child exits at once.\n"
              . "us: median over $P{stacks_rounds} processes of the median of up to $P{idle_forks} forks"
              . " (ratio to bare, which has no stack)"
              . ($have_pari ? "\npari: its main stack and n-1 stacks from pari_thread_valloc, the stack PARI gives"
                 . " each thread (PARI has one stack per thread)" : ''),
              [ 'stacks', 'bare', @multi ], @rows);
        write_csv('stacks.csv', 'round,contender,vsize,stacks,forks,median_us,first_us,min_us,max_us', \@stacks_raw);
    }
}

1;
