# SPDX-License-Identifier: MIT
# VsBench::Fork -- the fork tables (fork + _exit + waitpid of a process holding a
# stack: idle, after a computation, after a reset; the child's own write;
# the first fork) and the fork with a 64 TiB reservation (vast), and their plots.
package VsBench::Fork;
use strict;
use warnings;
use VsBench;

sub steps {
    my $n = 0;
    $n += ($P{rounds} + $P{idle_rounds}) * @sizes * @fork_order if $want{fork};
    $n += $P{idle_rounds} * @vast_order if $want{vast};
    return $n;
}

# The idle state runs in short processes of its own, many rounds of them,
# so that the contenders alternate every few tens of milliseconds: its
# ratios are close to 1 and easily drowned by other load.  used and reset
# need a computation first and run in fewer, longer processes.
sub stack_args {
    my ($states, $forks) = @_;
    return sub { ('--used=' . used_for($_[0]), "--states=$states", "--forks=$forks", "--budget-ms=$P{budget_ms}") };
}
sub measure {
    if ($want{fork}) {
        fork_pass($SF, 'fork idle', 'idle', $P{idle_rounds}, \@sizes, \@fork_order, stack_args('idle', $P{idle_forks}));
        fork_pass($SF, 'fork used', 'used', $P{rounds}, \@sizes, \@fork_order, stack_args('used,reset', $P{forks}));
    }
    # Idle forks with a reservation no trial mapping would allow: vsize is free.
    fork_pass($SF, 'fork vast', 'vast', $P{idle_rounds}, [$VAST], \@vast_order, stack_args('idle', $P{idle_forks}))
      if $want{vast};
}

sub report {
    if ($want{fork}) {
        my %what_state = (idle => 'idle stack (just initialised)',
                          used => 'after a computation of ' . hsize(used_for($sizes[-1])) . ' (min(1 GiB, vsize/2))'
                            . ' released with set_avma, before reset',
                          reset => 'after that computation and a reset');
        my @summary;
        for my $child (qw(exit write1m)) {
            for my $state (qw(idle used reset)) {
                my $ref = ($state eq 'used' && $have_pari) ? 'pari' : 'bare';
                my @rows;
                for my $v (@sizes) {
                    my $refm = fmed("$state,$child,$v,$ref");
                    my @row = (hsize($v));
                    for my $c (@fork_order) {
                        my $k = "$state,$child,$v,$c";
                        my ($m, $f) = (fmed($k), ffirst($k));
                        push @row, cell($m, $refm);
                        push @summary, join(',', $state, $child, $v, $c, $m // '', $f // '', rfmt(ratio($m, $refm)), $ref);
                    }
                    push @rows, \@row;
                }
                my $what_child = $child eq 'exit' ? 'child exits at once' : 'child writes 1 MiB on the stack, then exits';
                my ($np, $nf) = $state eq 'idle' ? ($P{idle_rounds}, $P{idle_forks}) : ($P{rounds}, $P{forks});
                table("Fork + _exit + waitpid, $what_state{$state}; $what_child.\n"
                      . "us: median over $np processes of the median of up to $nf forks (ratio to the median of ${ref})",
                      [ 'vsize', @fork_order ], @rows);
            }
        }
        my @crows;
        for my $state (qw(idle used reset)) {
            for my $v (@sizes) {
                my $bare = fchild("$state,$v,bare");
                push @crows, [ $state, hsize($v), map { cell(fchild("$state,$v,$_"), $bare) } @fork_order ];
            }
        }
        table("The child's own write of 1 MiB on the stack after the fork, timed in the child (us; ratio to bare's child).\n"
              . "Fresh pages cost a zero-fill fault each; pages the parent had touched and fork shared cost a copy each.\n"
              . "idle, used, reset: the states of the tables above; median over processes of the median child",
              [ 'state', 'vsize', @fork_order ], @crows);
        write_csv('fork-summary.csv', 'state,child,vsize,contender,median_us,first_us,ratio,reference', \@summary);

        my @rows;
        for my $v (@sizes) {
            push @rows, [ hsize($v), map { my $k = "used,exit,$v,$_";
                                           defined fmed($k) ? num(ffirst($k)) . ' / ' . num(fmed($k)) : '-' } @fork_order ];
        }
        table("First fork after that computation / median fork of the same series (us; child exits at once).\n"
              . "The first fork pays for whatever a stack does once after a computation (a trim, marking pages);"
              . " median over $P{rounds} processes",
              [ 'vsize', @fork_order ], @rows);
    }

    # Its rows are the vast table's too (round vast1, vast2...).
    write_csv('fork.csv', 'round,contender,vsize,reserved,used,state,child,forks,median_us,first_us,min_us,max_us,committed,'
              . 'child_write_us,rss_kb', $SF->{raw}) if $want{fork} || $want{vast};
    if ($want{vast}) {
        my @vrows;
        for my $child (qw(exit write1m)) {
            my $k = "idle,$child,$VAST";
            my ($b, $f, $v) = map { fmed("$k,$_") } qw(bare floor vstack+noprobe);
            push @vrows, [ $child eq 'exit' ? 'exits at once' : 'writes 1 MiB', num($b), num($f), num($v),
                           rfmt(ratio($v, $b)), rfmt(ratio($f, $b)), rfmt(ratio($v, $f)) ];
        }
        table("Fork with an idle stack reserving " . hsize($SF->{reserved}{"$VAST,vstack+noprobe"})
              . " (VSTACK_NOPROBE: more than the machine could ever commit); median us over"
              . " $P{idle_rounds} processes.\nfloor is the same reservation without the library: floor / bare"
              . " is what the mapping itself costs fork, vstack+noprobe / floor what the library adds",
              [ 'child', 'bare', 'floor', 'vstack+noprobe', 'vs / bare', 'floor / bare', 'vs / floor' ], @vrows);
    }
}

sub plots {
    my $plots = 0;
    if ($want{fork} && $gnuplot) {
        my %plot_state = (idle => 'idle stack', used => 'after using min(1GiB, vsize/2), before reset',
                          reset => 'after that use and a reset');
        for my $child (qw(exit write1m)) {
            for my $state (qw(idle used reset)) {
                my $base = "fork-$state-$child";
                open(my $gp, '>', "$outdir/$base.gp") or die "run: $outdir/$base.gp: $!\n";
                print $gp "set terminal pngcairo size 960,640 noenhanced\n",
                  "set output '$outdir/$base.png'\n",
                  "set title \"fork + _exit + waitpid: ", $plot_state{$state}, ", child ",
                  ($child eq 'exit' ? 'exits at once' : 'writes 1 MiB'), "\\nmedian over processes\"\n",
                  "set logscale xy\nset xlabel 'vsize (MiB)'\nset ylabel 'microseconds'\n",
                  sprintf("set xrange [%g:%g]\n", $sizes[0] / $MiB / 2, $sizes[-1] / $MiB * 2),
                  "set key outside right\nset grid\nset datafile missing '?'\n",
                  "\$d << EOD\n", join(' ', 'vsize', map { "\"$_\"" } @fork_order), "\n";
                for my $v (@sizes) {
                    print $gp join(' ', $v / $MiB, map { fmed("$state,$child,$v,$_") // '?' } @fork_order), "\n";
                }
                print $gp "EOD\n",
                  "plot for [i=2:", scalar(@fork_order) + 1, "] \$d using 1:i with linespoints lw 2 title columnhead(i)\n";
                close $gp;
                unlink "$outdir/$base.png";
                if (system($gnuplot, "$outdir/$base.gp") == 0 && -s "$outdir/$base.png") {
                    $plots++;
                } else {
                    print STDERR "run: gnuplot made no plot from $outdir/$base.gp\n";
                }
            }
        }
        print STDERR $plots ? "run: $plots plots in $outdir/fork-*.png\n" : "run: no plots were made\n";
    }
}

1;
