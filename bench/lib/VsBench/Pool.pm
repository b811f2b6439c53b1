# SPDX-License-Identifier: MIT
# VsBench::Pool -- the pool against GAP's workspace: fork in each state of
# a garbage-collected workspace, the first fork, the resident set, commit
# charge, and the pool's targets.
package VsBench::Pool;
use strict;
use warnings;
use VsBench;

# The pool: a minimum of 128 MiB (GAP's default -m), a computation of 1 GiB
# on top of 1 MiB that stays live through the collection.
my $POOL_MIN  = 128 * $MiB;
my $POOL_USED = $GiB;
my $POOL_KEEP = $MiB;

my (%pcommit, @pcommit_raw);
my %PS; # values for the pool's targets
sub pmed { my ($k) = @_; return median(@{ $PF->{fork}{$k} || [] }); }
sub pfirst { my ($k) = @_; return median(@{ $PF->{first}{$k} || [] }); }
sub prss { my ($k) = @_; return median(@{ $PF->{rss}{$k} || [] }); }
my @PSTATES = qw(idle busy used reset);
my %pstate = (idle => 'idle', busy => '1 GiB in use', used => 'after a collection',
              reset => 'after collection + resize');

sub steps {
    return $want{pool} ? ($P{pool_idle_rounds} + $P{pool_rounds} + $P{pool_commit_rounds}) * @pool_sizes * @pool_order : 0;
}

# As for the stacks' fork: the idle state in many short processes, the
# others (1 GiB in use, after the collection, after the resize) in fewer,
# longer ones; commit charge in processes of its own.
sub measure {
    if ($want{pool}) {
        my @common = ("--rsize=$POOL_MIN", '--child=exit', "--budget-ms=$P{budget_ms}");
        fork_pass($PF, 'pool fork idle', 'idle', $P{pool_idle_rounds}, \@pool_sizes, \@pool_order,
                  sub { ('--states=idle', "--forks=$P{idle_forks}", @common) });
        fork_pass($PF, 'pool fork', 'busy', $P{pool_rounds}, \@pool_sizes, \@pool_order,
                  sub { ('--states=busy,used,reset', "--used=$POOL_USED", "--keep=$POOL_KEEP", "--forks=$P{forks}",
                         @common) });
        rounds($P{pool_commit_rounds},
               sub {
                   my ($r, @f) = @_;
                   # commit,contender,vsize,reserved,state,parent_kb,committed_kb,used_kb,children,per_child_kb,
                   #   init_charged_kb,charged_kb,child_charged_kb
                   push @{ $pcommit{"$f[4],$f[2],$f[1]"} }, [ @f[ 5, 6, 7, 9, 10, 11, 12 ] ];
                   push @pcommit_raw, join(',', $r, @f[ 1 .. $#f ]);
               },
               map { group('pool commit ' . hsize($_), \@pool_order, 'commit', "--vsize=$_", "--rsize=$POOL_MIN",
                           "--used=$POOL_USED", "--keep=$POOL_KEEP") } @pool_sizes);
    }
}

# Fork in each state, the first fork, the resident set, commit charge.
sub report {
    if ($want{pool}) {
        my (@rows, @frows, @rrows, @summary);
        for my $v (@pool_sizes) {
            for my $state (@PSTATES) {
                my $bare = pmed("$state,exit,$v,bare");
                my @k = map { "$state,exit,$v,$_" } @pool_order;
                push @rows, [ $pstate{$state}, hsize($v), map { cell(pmed($_), $bare) } @k ];
                push @frows, [ $pstate{$state}, hsize($v),
                               map { defined pmed($_) ? num(pfirst($_)) . ' / ' . num(pmed($_)) : '-' } @k ];
                push @rrows, [ $pstate{$state}, hsize($v),
                               map { my $r = prss("$state,$v,$_"); defined $r ? num($r / 1024) : '-' } @pool_order ];
                push @summary, map { my $c = $_; my $k = "$state,exit,$v,$c";
                                     join(',', $state, 'exit', $v, $c, pmed($k) // '', pfirst($k) // '',
                                          rfmt(ratio(pmed($k), $bare)), prss("$state,$v,$c") // '') } @pool_order;
            }
        }
        my $states = "idle: just initialised; 1 GiB in use: 1 MiB, then 1 GiB more, written, all of it live;\n"
          . "after a collection: only the first 1 MiB is live (vstack-pool: vstack_pool_set_used, fork-wipe alone; rw-pool:"
          . " nothing to call;\ngap: the list dropped, GAP_CollectBags(1)); after collection + resize: vstack-pool also"
          . " calls vstack_pool_resize (the others have no such call: the same state again)";
        table("Pool against GAP's workspace: fork + _exit + waitpid, child exits at once; the workspace has a minimum of "
              . hsize($POOL_MIN) . " and room for maxsize.\n$states.\n"
              . "us: median over $P{pool_rounds} processes ($P{pool_idle_rounds} when idle) of the median of up to"
              . " $P{forks} forks ($P{idle_forks} when idle), ratio to the median of bare",
              [ 'state', 'maxsize', @pool_order ], @rows);
        table("Pool: the first fork after each state / the median fork of its series (us).\n"
              . "The first fork pays for whatever the workspace does once after a change (marking pages);"
              . " idle: after 3 untimed forks",
              [ 'state', 'maxsize', @pool_order ], @frows);
        table("Pool: the parent's resident set in each state (MiB, median over processes)",
              [ 'state', 'maxsize', @pool_order ], @rrows);
        write_csv('pool-fork.csv', 'round,contender,vsize,reserved,used,state,child,forks,median_us,first_us,min_us,max_us,'
                  . 'committed,child_write_us,rss_kb', $PF->{raw});
        write_csv('pool-fork-summary.csv', 'state,child,vsize,contender,median_us,first_us,ratio,rss_kb', \@summary);

        my (@crows, @csummary);
        for my $v (@pool_sizes) {
            for my $state (@PSTATES) {
                my $bare = $pcommit{"$state,$v,bare"};
                my ($bare_child, $bare_charged) = (col($bare, 3), col($bare, 6));
                for my $c (@pool_order) {
                    my $s = $pcommit{"$state,$v,$c"} or next;
                    my ($parent, $comm, $used, $child, $init_ch, $charged, $child_ch) = map { col($s, $_) } 0 .. 6;
                    my $extra = defined $bare_child ? $child - $bare_child : undef;
                    my $extra_ch = defined $bare_charged ? $child_ch - $bare_charged : undef;
                    push @crows, [ hsize($v), $pstate{$state}, $c, num($parent / 1024), num($init_ch / 1024),
                                   num($comm / 1024), num($used / 1024), num($child / 1024),
                                   defined $extra ? num($extra / 1024) : '-', num($child_ch / 1024),
                                   defined $extra_ch ? num($extra_ch / 1024) : '-' ];
                    push @csummary, join(',', $v, $state, $c, $parent, $init_ch, $comm, $used, $child, $extra // '',
                                         $child_ch, $extra_ch // '');
                    if ($c ne 'bare') {
                        $PS{init}{$v}{$c} = $parent / 1024;
                        $PS{init_charged}{$v}{$c} = $init_ch / 1024;
                        # What a child adds beyond bare's, less what the workspace has committed.
                        push @{ $PS{child}{$c} }, ($extra - $comm) / 1024 if defined $extra;
                        push @{ $PS{child_charged}{$c} }, ($extra_ch - $comm) / 1024 if defined $extra_ch;
                    }
                }
            }
        }
        table("Pool: commit charge (MiB).  Committed_AS: what init added to it, and per child while 4 children live\n"
              . "(system-wide: other processes add noise); smaps: the mappings flagged \"ac\" (charged), of this process\n"
              . "alone: what init added, and all a live child is charged; beyond bare: minus what bare's child adds.\n"
              . "committed: what the workspace has made read/write; in use: what it holds live; median of"
              . " $P{pool_commit_rounds} process" . ($P{pool_commit_rounds} > 1 ? 'es' : ''),
              [ 'maxsize', 'state', 'contender', 'init: Committed_AS', 'init: smaps', 'committed', 'in use',
                'child: Committed_AS', 'beyond bare', 'child: smaps', 'beyond bare' ], @crows);
        write_csv('pool-commit.csv', 'round,contender,vsize,reserved,state,parent_kb,committed_kb,used_kb,children,'
                  . 'per_child_kb,init_charged_kb,charged_kb,child_charged_kb', \@pcommit_raw);
        write_csv('pool-commit-summary.csv', 'vsize,state,contender,init_committed_as_kb,init_charged_kb,committed_kb,'
                  . 'used_kb,per_child_kb,beyond_bare_kb,child_charged_kb,child_beyond_bare_kb', \@csummary);
    }
}

# The targets, for each workspace; verdicts at the precision shown.
sub targets {
    if ($want{pool}) {
        my @pc = grep { $_ ne 'bare' } @pool_order;
        my (@prows, @pnotes);
        my $mib = sub {
            my ($v, $ok) = @_;
            return '-' unless defined $v;
            return sprintf('%.1f MiB %s', $v, $ok->(sprintf('%.1f', $v)) ? 'met' : 'MISSED');
        };
        my $big = $pool_sizes[-1];
        my $label = hsize($big) eq '16GiB' ? '16 GiB' : hsize($big) . ' (16 GiB does not fit here)';
        push @prows, [ "Committed_AS at init, maxsize $label: below 64 MiB",
                       map { $mib->($PS{init}{$big}{$_}, sub { $_[0] < 64 }) } @pc ];
        push @prows, [ "  the same, the process's own charge (smaps)",
                       map { $mib->($PS{init_charged}{$big}{$_}, sub { $_[0] < 64 }) } @pc ];
        push @prows, [ "Committed_AS per live child: no more than what is committed (+1 MiB of noise)",
                       map { $mib->(worst(@{ $PS{child}{$_} || [] }), sub { $_[0] <= 1 }) } @pc ];
        push @prows, [ "  the same, what a live child is charged (smaps, exact)",
                       map { $mib->(worst(@{ $PS{child_charged}{$_} || [] }), sub { $_[0] <= 0 }) } @pc ];
        push @pnotes, "per live child: MiB beyond bare's child, less what the workspace has committed, in the worst"
          . " state; at most 0 is met" . (grep({ $_ eq 'gap' } @pc) ? " (gap's child is also charged libgap's own"
          . " writable data, beside its pool)" : '');
        push @prows, [ 'idle fork: x bare <= 1.10',
                       map { my $c = $_; verdict(worst(map { ratio(pmed("idle,exit,$_,$c"), pmed("idle,exit,$_,bare")) }
                                                       @pool_sizes), 1.10, 1) } @pc ];
        push @prows, [ 'fork after a collection: x bare <= 1.10',
                       map { my $c = $_; verdict(worst(map { ratio(pmed("reset,exit,$_,$c"), pmed("reset,exit,$_,bare")) }
                                                       @pool_sizes), 1.10, 1) } @pc ];
        push @prows, [ '  the same, vstack-pool with set_used only (fork-wipe alone)',
                       map { my $c = $_; $c eq 'vstack-pool'
                               ? verdict(worst(map { ratio(pmed("used,exit,$_,$c"), pmed("used,exit,$_,bare")) }
                                               @pool_sizes), 1.10, 1) : '' } @pc ];
        push @pnotes, 'fork after a collection: vstack-pool after set_used and resize; the others after their'
          . ' collection (they have no resize)';
        push @pnotes, 'over several maxsizes, the worst (' . join(', ', map { hsize($_) } @pool_sizes) . ')'
          if @pool_sizes > 1;
        table("Targets of the pool (ratios of medians, and commit charge, from this run)", [ 'target', @pc ], @prows);
        out("$_\n") for @pnotes;
    }
}

1;
