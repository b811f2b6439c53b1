# SPDX-License-Identifier: MIT
# VsBench::Commit -- commit charge (Committed_AS) of a process holding a
# stack, and of its live children, in each state of the stack.
package VsBench::Commit;
use strict;
use warnings;
use VsBench;

my (%commit, @commit_raw);
sub commit_sizes { return $mode eq 'full' ? (grep({ $_ == $GiB } @sizes), $maxsize) : ($maxsize); }

sub steps { my @c = commit_sizes(); return $want{commit} ? $P{commit_rounds} * @c * @order : 0; }

sub measure {
    my @commit_sizes = commit_sizes();
    if ($want{commit}) {
        rounds($P{commit_rounds},
               sub {
                   my ($r, @f) = @_;
                   # commit,contender,vsize,reserved,state,parent_kb,committed_kb,used_kb,children,per_child_kb,
                   #   init_charged_kb,charged_kb,child_charged_kb
                   push @{ $commit{"$f[4],$f[2],$f[1]"} }, [ @f[ 5, 6, 7, 9 ] ];
                   push @commit_raw, join(',', $r, @f[ 1 .. $#f ]);
               },
               map { group('commit ' . hsize($_), \@order, 'commit', "--vsize=$_", '--used=' . used_for($_)) } @commit_sizes);
    }
}

sub report {
    my @commit_sizes = commit_sizes();
    if ($want{commit}) {
        my @rows;
        my @summary;
        for my $v (@commit_sizes) {
            for my $state (qw(idle busy used reset)) {
                my $bare = col($commit{"$state,$v,bare"}, 3);
                for my $c (@order) {
                    my $s = $commit{"$state,$v,$c"} or next;
                    my ($parent, $comm, $used, $child) = map { col($s, $_) } 0 .. 3;
                    my $extra = defined $bare ? $child - $bare : undef;
                    push @rows, [ hsize($v), $state, $c, num($parent / 1024), num($comm / 1024),
                                  num($used / 1024), num($child / 1024),
                                  defined $extra ? num($extra / 1024) : '-' ];
                    push @summary, join(',', $v, $state, $c, $parent, $comm, $used, $child, $extra // '');
                }
            }
        }
        table("Commit charge (Committed_AS, MiB).  busy: " . hsize(used_for($commit_sizes[-1]))
              . " in use while the children live; used: released, before reset.\n"
              . "per child: added by each of 4 live children; beyond bare: minus what a bare child adds",
              [ 'vsize', 'state', 'contender', 'parent init', 'stack committed', 'stack used', 'per child',
                'beyond bare' ], @rows);
        write_csv('commit.csv', 'round,contender,vsize,reserved,state,parent_kb,committed_kb,used_kb,children,per_child_kb,'
                  . 'init_charged_kb,charged_kb,child_charged_kb', \@commit_raw);
        write_csv('commit-summary.csv', 'vsize,state,contender,parent_kb,committed_kb,used_kb,per_child_kb,beyond_bare_kb',
                  \@summary);
    }
}

1;
