# SPDX-License-Identifier: MIT
# VsBench::Growth -- growth from parisize 8 MB to 1 GiB, writing every
# byte, and the same computation again after the reset.
package VsBench::Growth;
use strict;
use warnings;
use VsBench;

my (%growth, @growth_raw);
# vstack+trim and vstack+noforkwipe grow exactly as vstack does, and malloc
# as rw-pool: the quick run leaves them out of the (slow) growth measurement.
sub growers { return grep { $_ ne 'bare' && ($mode eq 'full' || !/^(vstack\+trim|vstack\+noforkwipe|malloc)$/) } @order; }

sub steps { return $want{growth} ? $P{growth_rounds} * growers() : 0; }

sub measure {
    my @growers = growers();
    if ($want{growth}) {
        rounds($P{growth_rounds},
               sub {
                   my ($r, @f) = @_;
                   # growth,contender,vsize,used,ms,rss_kb,rss_delta_kb,minflt,reset_ms,rss_after_reset_kb,
                   #   again_ms,again_minflt
                   push @{ $growth{ $f[1] } }, [ @f[ 4 .. 11 ] ];
                   push @growth_raw, join(',', $r, @f[ 1 .. $#f ]);
               },
               group('growth', \@growers, 'growth', "--vsize=$maxsize", "--used=$GiB", @TURN_CHUNKS));
    }
}

sub report {
    my @growers = growers();
    if ($want{growth}) {
        my @rows;
        my $ref = $have_pari ? 'pari' : 'rw-pool';
        for my $c (@growers) {
            my $g = $growth{$c} or next;
            my ($ms, $rss, $drss, $flt, $rms, $rss2, $again, $aflt) = map { col($g, $_) } 0 .. 7;
            $S{growth}{$c} = $ms;
            $S{again}{$c} = $again;
            push @rows, [ $c, num($ms), undef, num($rss / 1024), num($flt), num($rms), num($rss2 / 1024), num($again),
                          num($aflt) ];
        }
        for (@rows) {
            $_->[2] = rfmt(ratio($S{growth}{ $_->[0] }, $S{growth}{$ref}));
            push @$_, rfmt(ratio($S{again}{ $_->[0] }, $S{again}{$ref}));
        }
        table("Growth from parisize 8 MB to 1 GiB, writing every byte (first touch); vsize "
              . hsize($maxsize) . ", median of $P{growth_rounds}.\n"
              . "again: the same computation right after the reset (ms, faults, ratio to $ref)",
              [ 'contender', 'ms', "ratio to $ref", 'RSS after (MiB)', 'minor faults', 'reset (ms)',
                'RSS after reset (MiB)', 'again', 'faults', 'ratio' ], @rows);
        write_csv('growth.csv', 'round,contender,vsize,used,ms,rss_kb,rss_delta_kb,minflt,reset_ms,'
                  . 'rss_after_reset_kb,again_ms,again_minflt', \@growth_raw);
    }
}

1;
