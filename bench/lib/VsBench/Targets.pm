# SPDX-License-Identifier: MIT
# VsBench::Targets -- the targets of vstack and of PARI on vstack: each row
# compares medians from this run of the tables that ran; the verdict is
# taken at the precision the target is stated in (two decimals).
package VsBench::Targets;
use strict;
use warnings;
use VsBench;
use VsBench::Stacks;
use VsBench::Reuse;

my (@vs, @trows, @tnotes);
my $NOPARI = ' -- no PARI in this build: not compared';
# A row: its label, the value for contender $c (undef: not measured), the limit,
# 1 for "at most", and whether PARI is needed.
sub target {
    my ($label, $value, $limit, $le, $needs_pari) = @_;
    if ($needs_pari && !$have_pari) {
        push @trows, [ $label . $NOPARI, map { '' } @vs ];
        return;
    }
    push @trows, [ $label, map { verdict($value->($_), $limit, $le) } @vs ];
}

sub report {
    @vs = grep { /^vstack/ } @order;
    if ($want{fork}) {
        my $range = hsize($sizes[0]) . '..' . hsize($sizes[-1]);
        target("fork, idle stack, vsize $range: x bare <= 1.10",
               sub { my $c = shift; worst(map { ratio(fmed("idle,exit,$_,$c"), fmed("idle,exit,$_,bare")) } @sizes) },
               1.10, 1);
    }
    if ($want{fork} && exists $prog{bare2}) {
        # The A/A control: what two columns of one thing show in this run.
        my $span = sub {
            my ($state) = @_;
            my @r = sort { $a <=> $b } grep { defined }
              map { ratio(fmed("$state,exit,$_,bare2"), fmed("$state,exit,$_,bare")) } @sizes;
            return @r ? sprintf('%.2f-%.2f', $r[0], $r[-1]) : '-';
        };
        push @tnotes, 'A/A control, bare2 / bare (one thing in two columns; child exits at once): idle '
          . $span->('idle') . ', after reset ' . $span->('reset') . ' over the vsizes';
    }
    if ($want{vast}) {
        my $k = "idle,exit,$VAST";
        my $f = ratio(fmed("$k,floor"), fmed("$k,bare"));
        push @trows, [ "fork, idle stack, vsize " . hsize($VAST) . " (VSTACK_NOPROBE): x bare <= 1.10",
                       map { $_ eq 'vstack' ? verdict(ratio(fmed("$k,vstack+noprobe"), fmed("$k,bare")), 1.10, 1)
                                              . (defined $f ? sprintf(' (the mapping alone: %.2f)', $f) : '')
                                            : '' } @vs ];
    }
    if ($want{stacks}) {
        my $n = $VsBench::Stacks::STACK_COUNTS[-1];
        target("fork, $n live idle stacks: x bare <= 1.20",
               sub { ratio(VsBench::Stacks::med($n, $_[0]), VsBench::Stacks::med(1, 'bare')) }, 1.20, 1);
    }
    if ($want{fork}) {
        my @big = grep { used_for($_) == $GiB } @sizes;
        push @tnotes, 'fork after a 1 GiB computation: the vsizes with room for it ('
          . (@big ? join(', ', map { hsize($_) } @big) : 'none here') . ')';
        target("fork after a 1 GiB computation, before reset: x pari <= 0.05",
               sub { my $c = shift; worst(map { ratio(fmed("used,exit,$_,$c"), fmed("used,exit,$_,pari")) } @big) },
               0.05, 1, 1);
        target("first fork after that computation: x pari's median <= 0.10",
               sub { my $c = shift; worst(map { ratio(ffirst("used,exit,$_,$c"), fmed("used,exit,$_,pari")) } @big) },
               0.10, 1, 1);
        target("fork after reset: x bare <= 1.20",
               sub { my $c = shift; worst(map { ratio(fmed("reset,exit,$_,$c"), fmed("reset,exit,$_,bare")) } @sizes) },
               1.20, 1);
    }
    if ($want{reuse}) {
        target("parent's reuse of 1 GiB after a fork: x warm <= 1.30"
               . (defined $S{reuse}{pari} ? sprintf(' (pari %.2f)', $S{reuse}{pari}) : ''),
               sub { $S{reuse}{ $_[0] } }, 1.30, 1);
    }
    if ($want{fork}) {
        push @tnotes, "child's 1 MiB write: timed in the child, the worst of the idle, used and reset states";
        target("child's 1 MiB write after the fork: x bare's child <= 1.10",
               sub {
                   my $c = shift;
                   worst(map { my $s = $_; map { ratio(fchild("$s,$_,$c"), fchild("$s,$_,bare")) } @sizes }
                         qw(idle used reset));
               }, 1.10, 1);
    }
    if ($want{fastpath}) {
        target('alloc+release, tight loop: x pari <= 1.10', sub { ratio($S{tight}{ $_[0] }, $S{tight}{pari}) }, 1.10, 1, 1);
        target('alloc+release, tight loop: malloc/free >= 5 x slower',
               sub { ratio($S{tight}{malloc}, $S{tight}{ $_[0] }) }, 5, 0);
    }
    if ($want{growth}) {
        # First touch in batches (populate.c): ahead of PARI's page-by-page
        # faults; vstack+nopopulate shows the cost without it.
        target('growth 8 MB -> 1 GiB, first touch: x pari <= 0.60',
               sub { ratio($S{growth}{ $_[0] }, $S{growth}{pari}) }, 0.60, 1, 1);
        target('the same again right after the reset: x pari <= 0.60',
               sub { ratio($S{again}{ $_[0] }, $S{again}{pari}) }, 0.60, 1, 1);
    }
    if (@trows) {
        table("Targets (ratios of medians from this run; over several vsizes, the worst)", [ 'target', @vs ], @trows);
        push @tnotes, '-: not measured in this run' . ($mode eq 'quick' ? ' (the quick run grows only one of vstack,'
            . ' vstack+trim and vstack+noforkwipe, which grow alike)' : '') if grep { grep { $_ eq '-' } @$_ } @trows;
        out("$_\n") for @tnotes;
    }

    # PARI on vstack: against a bare process, and against the same PARI stock
    # (Debian's libpari when the stock build is not configured).
    if ((exists $prog{'pari-vstack'} && grep { $want{$_} } qw(fork reuse growth)) || $want{paribench} || $want{paritest}) {
        my $stock = exists $prog{'pari-stock'} ? 'pari-stock' : exists $prog{pari} ? 'pari' : undef;
        my (@rows, @pnotes);
        # label, ratio (undef: not measured), limit, what the ratio is made of
        my $row = sub { my ($label, $r, $limit, $detail) = @_; push @rows, [ $label, verdict($r, $limit, 1), $detail // '' ]; };
        my $us = sub { my @v = @_; return join(' / ', map { defined $_ ? num($_) : '-' } @v) . ' us'; };
        my @big = grep { used_for($_) == $GiB } @sizes;
        my $worst_of = sub { # the worst ratio over vsizes of a/b, and its parts
            my ($a, $b, @vs) = @_;
            my ($w, $wa, $wb);
            for my $v (@vs) {
                my $r = ratio($a->($v), $b->($v));
                ($w, $wa, $wb) = ($r, $a->($v), $b->($v)) if defined $r && (!defined $w || $r > $w);
            }
            return ($w, $wa, $wb);
        };
        if ($want{fork}) {
            my ($r, $x, $y) = $worst_of->(sub { fmed("used,exit,$_[0],pari-vstack") }, sub { fmed("used,exit,$_[0],bare") }, @big);
            $row->('fork after a 1 GiB computation, before reset: x bare <= 1.20', $r, 1.20, 'pari-vstack / bare: ' . $us->($x, $y));
            ($r, $x, $y) = $worst_of->(sub { ffirst("used,exit,$_[0],pari-vstack") }, sub { fmed("used,exit,$_[0],bare") }, @big);
            $row->("first fork after it: x bare's median <= 2", $r, 2, 'pari-vstack / bare: ' . $us->($x, $y));
            if ($stock) {
                ($r, $x, $y) = $worst_of->(sub { fmed("idle,exit,$_[0],pari-vstack") }, sub { fmed("idle,exit,$_[0],$stock") }, @sizes);
                $row->("idle fork: x ${stock}'s idle fork <= 1.05", $r, 1.05, "pari-vstack / $stock: " . $us->($x, $y));
                ($r, $x, $y) = $worst_of->(sub { fmed("used,exit,$_[0],$stock") }, sub { fmed("used,exit,$_[0],bare") }, @big);
                push @pnotes, "$stock after the same 1 GiB computation: " . rfmt($r) . ' x bare (' . $us->($x, $y) . ')'
                  if defined $r;
                # A process that maps libpari forks slower than bare whatever its stack:
                # the floor of every PARI column.
                ($r, $x, $y) = $worst_of->(sub { fmed("idle,exit,$_[0],$stock") }, sub { fmed("idle,exit,$_[0],bare") }, @sizes);
                push @pnotes, "$stock idle: " . rfmt($r) . ' x bare (' . $us->($x, $y) . '): what mapping libpari costs'
                  . ' a fork, the floor of any PARI process' if defined $r;
                ($r, $x, $y) = $worst_of->(sub { fmed("used,exit,$_[0],pari-vstack") }, sub { fmed("idle,exit,$_[0],$stock") },
                                           @big);
                push @pnotes, "pari-vstack after the 1 GiB computation: " . rfmt($r) . " x $stock idle (" . $us->($x, $y) . ')'
                  if defined $r;
            }
            ($r, $x, $y) = $worst_of->(sub { fmed("reset,exit,$_[0],pari-vstack") }, sub { fmed("reset,exit,$_[0],bare") }, @sizes);
            push @pnotes, 'pari-vstack after parivstack_reset: ' . rfmt($r) . ' x bare (' . $us->($x, $y) . '; no target)'
              if defined $r;
            push @pnotes, 'fork after a 1 GiB computation: the vsizes with room for it ('
              . (@big ? join(', ', map { hsize($_) } @big) : 'none in this run') . ')';
        }
        if ($want{reuse}) {
            my $g = VsBench::Reuse::series('pari-vstack');
            $row->("parent's reuse of 1 GiB after a fork: x warm <= 1.30", $S{reuse}{'pari-vstack'}, 1.30,
                   $g ? 'after fork / warm: ' . num(col($g, 3)) . ' / ' . num(col($g, 0)) . ' ms' : undef);
        }
        if ($want{growth} && $stock) {
            $row->("growth 8 MB -> 1 GiB, first touch: x $stock <= 1.05", ratio($S{growth}{'pari-vstack'}, $S{growth}{$stock}),
                   1.05, "pari-vstack / $stock: " . num($S{growth}{'pari-vstack'}) . ' / ' . num($S{growth}{$stock}) . ' ms');
        }
        for my $m (grep { $want{$_} } qw(paribench paritest)) {
            my $name = $m eq 'paribench' ? 'make bench' : 'dyntest-all';
            my $r = $S{suite}{$m}{'gp-vstack'} || [];
            my $aa = $S{suite}{$m}{'gp-stock2'} || [];
            $row->("PARI's $name, +++ total: x stock <= 1.02", $r->[0], 1.02, 'A/A, stock2 / stock: ' . rfmt($aa->[0]));
            $row->("PARI's $name, sum of TIME=: x stock <= 1.02", $r->[1], 1.02, 'A/A, stock2 / stock: ' . rfmt($aa->[1]));
        }
        if ($want{fork} && exists $prog{bare2}) {
            my @r = sort { $a <=> $b } grep { defined }
              map { my $st = $_; map { ratio(fmed("$st,exit,$_,bare2"), fmed("$st,exit,$_,bare")) } @sizes } qw(idle used reset);
            push @pnotes, sprintf('A/A control of the fork tables, bare2 / bare: %.2f-%.2f over the states and vsizes', @r[ 0, -1 ])
              if @r;
        }
        table("Targets of PARI on vstack (pari-vstack; ratios of medians from this run; over several vsizes, the worst)",
              [ 'target', 'pari-vstack', 'made of' ], @rows);
        out("$_\n") for @pnotes;
    }
}

1;
