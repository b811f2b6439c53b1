# SPDX-License-Identifier: MIT
# VsBench::PoolGrowth -- the pool's growth, as GAP's workspace grows: from
# a small minimum to 1 GiB, the pool grown by a resize in steps of 8 MiB,
# every byte of each new part written by the client, then set_used; and the
# same computation again after the pool is given back to its minimum.
# vstack-pool populates one batch past the old size at each resize (first
# touch in batches); vstack-pool+nopopulate is the same pool with
# VSTACK_NOPOPULATE; rw-pool is one read/write mapping, touched page by page.
package VsBench::PoolGrowth;
use strict;
use warnings;
use VsBench;

my $MIN  = $MiB;
my $STEP = 8 * $MiB;
my (%pgrowth, @pgrowth_raw);

sub growers { return grep { exists $prog{$_} } qw(vstack-pool vstack-pool+nopopulate rw-pool); }

sub steps { return $want{poolgrowth} ? $P{pool_growth_rounds} * growers() : 0; }

sub contenders { return $want{poolgrowth} ? growers() : (); }

# vsbench growth with --chunk=8 MiB: each push is one resize of the pool
# (the contender grows it to exactly what is in use) and its writes; turns
# every 2 pushes (16 MiB), as the stacks' growth table takes them.
sub measure {
    return unless $want{poolgrowth};
    my @growers = growers();
    my $vsize = $maxsize < 4 * $GiB ? $maxsize : 4 * $GiB;
    rounds($P{pool_growth_rounds},
           sub {
               my ($r, @f) = @_;
               # growth,contender,vsize,used,ms,rss_kb,rss_delta_kb,minflt,reset_ms,rss_after_reset_kb,
               #   again_ms,again_minflt
               push @{ $pgrowth{ $f[1] } }, [ @f[ 4 .. 11 ] ];
               push @pgrowth_raw, join(',', $r, @f[ 1 .. $#f ]);
           },
           group('pool growth', \@growers, 'growth', "--vsize=$vsize", "--rsize=$MIN", "--used=$GiB",
                 "--chunk=$STEP", $no_lockstep ? () : ('--lockstep=2')));
}

sub report {
    return unless $want{poolgrowth};
    my (@rows, %ms, %again);
    my $ref = 'rw-pool';
    for my $c (growers()) {
        my $g = $pgrowth{$c} or next;
        my ($t, $rss, $drss, $flt, $rms, $rss2, $a, $aflt) = map { col($g, $_) } 0 .. 7;
        ($ms{$c}, $again{$c}) = ($t, $a);
        push @rows, [ $c, num($t), undef, undef, num($rss / 1024), num($flt), num($a), num($aflt) ];
    }
    for (@rows) {
        $_->[2] = rfmt(ratio($ms{ $_->[0] }, $ms{$ref}));
        $_->[3] = rfmt(ratio($ms{ $_->[0] }, $ms{'vstack-pool+nopopulate'}));
    }
    table("Pool growth from minsize " . hsize($MIN) . " to 1 GiB in resize steps of " . hsize($STEP)
          . ", the client writing every byte of each new part, then set_used (first touch);\n"
          . "median of $P{pool_growth_rounds}.  again: the same after the pool is resized back to its minimum"
          . " (rw-pool keeps its pages: not comparable)",
          [ 'contender', 'ms', "ratio to $ref", 'ratio to nopopulate', 'RSS after (MiB)', 'minor faults',
            'again', 'faults' ], @rows);
    write_csv('pool-growth.csv', 'round,contender,vsize,used,ms,rss_kb,rss_delta_kb,minflt,reset_ms,'
              . 'rss_after_reset_kb,again_ms,again_minflt', \@pgrowth_raw);
    $S{pool_growth} = \%ms;
}

1;
