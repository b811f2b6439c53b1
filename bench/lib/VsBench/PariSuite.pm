# SPDX-License-Identifier: MIT
# VsBench::PariSuite -- PARI's own tests (paribench: its make bench;
# paritest: its whole suite), in the build trees that contrib/pari/build
# --keep left, gp-dyn only: the same PARI stock and on vstack.
package VsBench::PariSuite;
use strict;
use warnings;
use File::Path qw(make_path);
use File::Spec;
use Time::HiRes ();
use VsBench;

# DIR/lib/pari/vstack-build.json names the tree.  Their gp-dyn are gp-stock
# and gp-vstack; the stock one runs twice per round (gp-stock2: the A/A
# control).
my %pari_tree;
sub pari_tree_of {
    my ($dir) = @_;
    my $json = "$dir/lib/pari/vstack-build.json";
    open(my $fh, '<', $json) or return (undef, "$json: $!");
    my $j = do { local $/; <$fh> };
    close $fh;
    my ($work) = $j =~ /"work":\s*"([^"]*)"/ or return (undef, "$json names no build tree");
    my $ob = "$work/pari/Obuild";
    return (undef, "its build tree $ob is gone (contrib/pari/build --keep keeps it)")
      unless -x "$ob/gp-dyn" && -f "$ob/Makefile" && -d "$work/pari/src/test";
    return ("$work/pari", undef);
}
sub tree_of_gp { my ($c) = @_; return $pari_tree{ $c =~ s/^gp-(stock|vstack)2?$/pari-$1/r }; }
my (%suite, @suite_raw);

sub setup {
    if ($want{paribench} || $want{paritest}) {
        for my $c (qw(pari-stock pari-vstack)) {
            my (undef, $dir, $opt) = @{ $PARI_BUILD{$c} };
            my ($tree, $why) = $dir ? pari_tree_of($dir) : (undef, "not configured ($opt)");
            if ($tree) { $pari_tree{$c} = $tree; next; }
            push @notes, "paribench, paritest: $c: $why; PARI's own timings are left out";
        }
        $want{paribench} = $want{paritest} = 0 unless keys %pari_tree == 2;
    }
    @suite_order = $want{paribench} || $want{paritest} ? qw(gp-stock gp-stock2 gp-vstack) : ();
}

sub steps {
    my $n = 0;
    $n += $P{paribench_rounds} * @suite_order if $want{paribench};
    $n += $P{paritest_rounds} * @suite_order if $want{paritest};
    return $n;
}

# PARI's own tests in a directory of this run's: its src and config are
# the build tree's (links), its Obuild holds links to gp-dyn, libpari and
# the Makefile, so that the tests' output files land here and the build
# tree is only read.  Returns that Obuild.
sub pari_testdir {
    my ($c) = @_;
    my $tree = tree_of_gp($c);
    my $d = File::Spec->rel2abs("$outdir/pari-suite/$c");
    make_path("$d/Obuild");
    my @links = map { [ "$tree/$_", "$d/$_" ] } qw(src config);
    opendir(my $dh, "$tree/Obuild") or die "run: $tree/Obuild: $!\n";
    push @links, map { [ "$tree/Obuild/$_", "$d/Obuild/$_" ] }
      grep { /^(gp-dyn|libpari.*\.so.*|Makefile|pari\.cfg|paricfg\.h)$/ } readdir $dh;
    closedir $dh;
    for my $l (@links) {
        unlink $l->[1] if -l $l->[1];
        symlink($l->[0], $l->[1]) or die "run: symlink $l->[1]: $!\n";
    }
    return "$d/Obuild";
}
# One run of PARI's target (dobench: make bench's tests; dotest-all: all),
# gp-dyn only: [total, sum of TIME=, wall s, [failed tests], {test => ms}].
sub pari_suite_once {
    my ($c, $target) = @_;
    my $ob = pari_testdir($c);
    local %ENV = %ENV;
    delete @ENV{qw(MAKEFLAGS MFLAGS MAKELEVEL)};
    $ENV{dotestSUF} = 'dyn';
    my $t0 = Time::HiRes::time();
    open(my $fh, '-|', 'make', '-s', '-C', $ob, $target) or die "run: make -C $ob $target: $!\n";
    my ($total, $sum, @bugs, %ms) = (undef, 0);
    while (my $l = <$fh>) {
        if ($l =~ /^\* Testing (\S+).*gp-dyn\.\.TIME=\s*(\d+)/) { $ms{$1} = $2; $sum += $2; }
        elsif ($l =~ /^\* Testing (\S+).*gp-dyn\.\.BUG \[(\d+)\]/) { $ms{$1} = $2; $sum += $2; push @bugs, $1; }
        elsif ($l =~ /^\+\+\+.* Total bench for gp-dyn is (\d+)/) { $total = $1; }
    }
    close $fh; # a failed test makes it fail: the failures are counted above
    my $wall = Time::HiRes::time() - $t0;
    print STDERR "run: $c: make $target in $ob printed no total\n" unless defined $total;
    return [ $total, $sum, $wall, \@bugs, \%ms ];
}
sub measure {
    for my $m (grep { $want{$_} } qw(paribench paritest)) {
        my $target = $m eq 'paribench' ? 'dobench' : 'dotest-all';
        for my $r (1 .. $P{"${m}_rounds"}) {
            for my $c (visiting($r - 1, @suite_order)) {
                progress(sprintf('%-20s round %d/%d %s', $m, $r, $P{"${m}_rounds"}, $c));
                my $res = pari_suite_once($c, $target);
                my %bug = map { $_ => 1 } @{ $res->[3] };
                push @{ $suite{"$m,$c"} }, $res;
                push @suite_raw, map { join(',', $r, $m, $c, $_, $res->[4]{$_}, $bug{$_} ? 1 : 0) } sort keys %{ $res->[4] };
                push @suite_raw, join(',', $r, $m, $c, '+++total', $res->[0] // '', scalar @{ $res->[3] });
            }
        }
    }
}

sub report {
    if ($want{paribench} || $want{paritest}) {
        my (@rows, @summary);
        for my $m (grep { $want{$_} } qw(paribench paritest)) {
            my %med;
            for my $c (@suite_order) {
                my $res = $suite{"$m,$c"} or next;
                my @tot = grep { defined } map { $_->[0] } @$res;
                my ($t, $sum, $wall) = (median(@tot), median(map { $_->[1] } @$res), median(map { $_->[2] } @$res));
                my %bugs = map { $_ => 1 } map { @{ $_->[3] } } @$res;
                $med{$c} = [ $t, $sum, $wall ];
                push @rows, [ $m eq 'paribench' ? 'make bench' : 'dyntest-all', $c, num($t), num($sum), num($wall),
                              @tot ? num((sort { $a <=> $b } @tot)[0]) . '-' . num((sort { $a <=> $b } @tot)[-1]) : '-',
                              %bugs ? join(' ', sort keys %bugs) : 'none' ];
                push @summary, join(',', $m, $c, $t // '', $sum // '', $wall // '', scalar(@$res), scalar(keys %bugs));
            }
            for my $c (qw(gp-vstack gp-stock2)) {
                next unless $med{$c} && $med{'gp-stock'};
                my @r = map { ratio($med{$c}[$_], $med{'gp-stock'}[$_]) } 0 .. 2;
                $S{suite}{$m}{$c} = \@r;
                push @rows, [ '', "$c / gp-stock", map({ rfmt($_) } @r), '', '' ];
            }
        }
        table("PARI's own tests (gp-dyn), the same PARI stock and on vstack, one run after the other, each round in"
              . " another order;\nmake bench: its 11 tests ($P{paribench_rounds} round" . ($P{paribench_rounds} > 1 ? 's' : '')
              . "); dyntest-all: every test ($P{paritest_rounds} round" . ($P{paritest_rounds} > 1 ? 's' : '') . ").  +++ total: PARI's"
              . " \"+++ Total bench\" (weighted), TIME= sum: the tests'\nown times added up (ms), wall: the run's"
              . " duration (s); medians over rounds; failed: tests whose output differed",
              [ 'suite', 'build', '+++ total', 'TIME= sum', 'wall s', 'total min-max', 'failed' ], @rows);
        write_csv('pari-suite.csv', 'round,suite,build,test,ms,failed', \@suite_raw);
        write_csv('pari-suite-summary.csv', 'suite,build,total,time_sum,wall_s,rounds,failed_tests', \@summary);
    }
}

1;
