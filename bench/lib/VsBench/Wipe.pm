# SPDX-License-Identifier: MIT
# VsBench::Wipe -- the fork-wipe threshold of bound stacks: forks of a
# stack bound to the embedder's stack pointer (vstack_bind_avma) whose free
# part is S bytes, committed, idle then touched, on the library as shipped
# and on builds that always and never mark its free part; then what one
# fork costs the parent's next computation over those S bytes.
package VsBench::Wipe;
use strict;
use warnings;
use VsBench;

my @WIPE_SIZES = map { (256 * 1024) << $_ } 0 .. 8; # 256 KiB .. 64 MiB
my (%wipe, %wipe_first, @wipe_raw, %wreuse, @wreuse_raw);
my $WIPE_VSIZE = $GiB;
sub wipe_args { my ($s) = @_; return ("--vsize=$WIPE_VSIZE", "--rsize=$s", "--used=$s", '--chunk=' . ($s < $MiB ? $s : $MiB)); }
my %W; # the threshold's findings, for the targets' notes
sub wmed { my ($k) = @_; return median(@{ $wipe{$k} || [] }); }

sub setup {
    @wipe_order = grep { exists $prog{$_} } qw(bare bare2 bound-copied bound-marked vstack+bound);
    if ($want{wipe} && !(exists $prog{'bound-marked'} && exists $prog{'bound-copied'})) {
        push @notes, "wipe: bench/vsbench-bound-marked and bench/vsbench-bound-copied are not among the programs"
          . " (make builds them); the threshold tables are left out";
        $want{wipe} = 0;
    }
}

sub steps {
    return 0 unless $want{wipe};
    return ($P{wipe_rounds} * @wipe_order + $P{wipe_reuse_rounds} * (grep { /bound/ } @wipe_order)) * @WIPE_SIZES;
}

sub measure {
    if ($want{wipe}) {
        rounds($P{wipe_rounds},
               sub {
                   my ($r, @f) = @_;
                   # fork,contender,vsize,reserved,used,state,child,forks,median,first,...
                   push @{ $wipe{"$f[5],$f[4],$f[1]"} }, $f[8];
                   push @{ $wipe_first{"$f[5],$f[4],$f[1]"} }, $f[9];
                   push @wipe_raw, join(',', $r, @f[ 1 .. $#f ]);
               },
               map { group('wipe ' . hsize($_), \@wipe_order, 'fork', wipe_args($_), '--states=idle,used', '--child=exit',
                           "--forks=$P{wipe_forks}", "--budget-ms=$P{budget_ms}", @PIN, @TURN_FORKS) } @WIPE_SIZES);
        rounds($P{wipe_reuse_rounds},
               sub {
                   my ($r, @f) = @_;
                   # reuse,contender,vsize,used,warm_ms,warm_minflt,fork_us,reuse_ms,reuse_minflt
                   push @{ $wreuse{"$f[3],$f[1]"} }, [ @f[ 4 .. 8 ] ];
                   push @wreuse_raw, join(',', $r, @f[ 1 .. $#f ]);
               },
               map { group('wipe reuse ' . hsize($_), [ grep { /bound/ } @wipe_order ], 'reuse', wipe_args($_)) } @WIPE_SIZES);
    }
}

sub report {
    if ($want{wipe}) {
        my (@rows, @summary);
        for my $s (@WIPE_SIZES) {
            for my $state (qw(idle used)) {
                my $bare = wmed("$state,$s,bare");
                my ($cp, $mk) = map { wmed("$state,$s,$_") } qw(bound-copied bound-marked);
                my $d = defined $cp && defined $mk ? $mk - $cp : undef;
                $W{$state}{$s} = $d;
                push @rows, [ hsize($s), $state eq 'used' ? 'touched' : 'idle',
                              map({ cell(wmed("$state,$s,$_"), $bare) } @wipe_order), defined $d ? sprintf('%+.0f', $d) : '-' ];
                push @summary, map { join(',', $state, $s, $_, wmed("$state,$s,$_") // '',
                                          median(@{ $wipe_first{"$state,$s,$_"} || [] }) // '') } @wipe_order;
            }
        }
        table("Fork of a stack bound to the embedder's stack pointer (vstack_bind_avma), whose free part [bot, avma) is"
              . " S bytes,\ncommitted: idle (never touched: an idle embedder, gp's parisize) or touched (S bytes written,"
              . " then popped).\nbound-copied: never marked (fork copies it), bound-marked: always marked, vstack+bound:"
              . " the library as shipped (VS_BOUND_WIPE_MIN).\nfork + _exit + waitpid, child exits at once; us: median"
              . " over $P{wipe_rounds} processes of the median of up to $P{wipe_forks} forks (ratio to bare);"
              . " marked - copied: us",
              [ 'S', 'state', @wipe_order, 'marked - copied' ], @rows);
        write_csv('wipe.csv', 'round,contender,vsize,reserved,used,state,child,forks,median_us,first_us,min_us,max_us,'
                  . 'committed,child_write_us,rss_kb', \@wipe_raw);
        write_csv('wipe-summary.csv', 'state,size,contender,median_us,first_us', \@summary);

        my @rrows;
        for my $s (@WIPE_SIZES) {
            my %v;
            for my $c (qw(bound-copied bound-marked)) {
                my $g = $wreuse{"$s,$c"} or next;
                my ($warm, $wflt, $fork, $re, $flt) = map { col($g, $_) } 0 .. 4;
                # What one fork costs, the parent's next pass over the S bytes included.
                $v{$c} = [ $fork, $re, $flt, $fork + ($re - $warm) * 1000, $warm ];
            }
            next unless $v{'bound-copied'} && $v{'bound-marked'};
            my $d = $v{'bound-marked'}[3] - $v{'bound-copied'}[3];
            $W{reuse}{$s} = $d;
            push @rrows, [ hsize($s), num($v{'bound-copied'}[4] * 1000),
                           map({ (num($_->[0]), num($_->[1] * 1000), num($_->[2])) } @v{qw(bound-copied bound-marked)}),
                           sprintf('%+.0f', $d) ];
        }
        table("The parent's next pass over the same S bytes after one fork (a computation writing them again):"
              . " bound-copied's fork\nwrite-protected them (a copy-on-write fault per page), bound-marked's did not."
              . "  warm: the pass before the fork (us);\nfork: that one fork (us); after: the pass after it (us);"
              . " faults: minor faults in it; fork + after: marked - copied,\nthe fork and the pass's extra time over"
              . " warm, in us.  Median of $P{wipe_reuse_rounds} process" . ($P{wipe_reuse_rounds} > 1 ? 'es' : ''),
              [ 'S', 'warm', 'copied: fork', 'after', 'faults', 'marked: fork', 'after', 'faults',
                'fork + after: marked - copied' ], @rrows);
        write_csv('wipe-reuse.csv', 'round,contender,vsize,used,warm_ms,warm_minflt,fork_us,reuse_ms,reuse_minflt',
                  \@wreuse_raw);
        # From which size on marking is cheaper, for good: the smallest S above
        # which marked - copied stays below 0.
        my $from = sub {
            my ($h) = @_;
            my $f;
            for my $s (reverse @WIPE_SIZES) { last unless defined $h->{$s} && $h->{$s} < 0; $f = $s; }
            return defined $f ? hsize($f) : 'no size measured';
        };
        my $span = sub {
            my @d = sort { $a <=> $b } grep { defined } values %{ $_[0] };
            return @d ? sprintf('%+.0f..%+.0f us', $d[0], $d[-1]) : '-';
        };
        $W{from_touched} = $from->($W{used});
        $W{from_reuse} = $from->($W{reuse} || {});
        out("marking a touched free part costs the fork less than copying it from S = $W{from_touched} on;\n"
            . "with the parent's next pass over it, from S = $W{from_reuse} on;\n"
            . "marking an idle (untouched) free part costs the fork " . $span->($W{idle}) . " over copying it"
            . " (marked - copied over all S)\n");
    }
}

1;
