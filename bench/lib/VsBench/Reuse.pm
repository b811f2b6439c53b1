# SPDX-License-Identifier: MIT
# VsBench::Reuse -- the parent's reuse of 1 GiB after one fork, against the
# same computation warm.
package VsBench::Reuse;
use strict;
use warnings;
use VsBench;

my (%reuse, @reuse_raw);
# The rows of contender $c (the targets of PARI on vstack).
sub series { my ($c) = @_; return $reuse{$c}; }

sub steps { return $want{reuse} ? $P{reuse_rounds} * @stackful : 0; }

sub measure {
    if ($want{reuse}) {
        rounds($P{reuse_rounds},
               sub {
                   my ($r, @f) = @_;
                   # reuse,contender,vsize,used,warm_ms,warm_minflt,fork_us,reuse_ms,reuse_minflt
                   push @{ $reuse{ $f[1] } }, [ @f[ 4 .. 8 ] ];
                   push @reuse_raw, join(',', $r, @f[ 1 .. $#f ]);
               },
               group('reuse', \@stackful, 'reuse', "--vsize=$maxsize", "--used=$GiB"));
    }
    # The pool.  As for the stacks' fork: the idle state in many short
}

sub report {
    if ($want{reuse}) {
        my @rows;
        for my $c (@stackful) {
            my $g = $reuse{$c} or next;
            my ($warm, $wflt, $fork, $re, $flt) = map { col($g, $_) } 0 .. 4;
            $S{reuse}{$c} = ratio($re, $warm);
            push @rows, [ $c, num($warm), num($wflt), num($fork / 1000), num($re), num($flt), rfmt($S{reuse}{$c}) ];
        }
        table("Parent's reuse of 1 GiB after one fork: compute with 1 GiB and release it; compute again (warm:"
              . " pages resident);\nfork once, the child exits at once; compute again (after fork)."
              . "  ms, median of $P{reuse_rounds} (fork: with vstack+trim's trim); faults: minor page faults"
              . " during that computation",
              [ 'contender', 'warm', 'faults', 'fork', 'after fork', 'faults', 'after fork / warm' ], @rows);
        write_csv('reuse.csv', 'round,contender,vsize,used,warm_ms,warm_minflt,fork_us,reuse_ms,reuse_minflt', \@reuse_raw);
    }
}

1;
