# SPDX-License-Identifier: MIT
# VsBench -- what every table of bench/run uses: the run's settings and
# contenders, running a contender (one process, or side by side taking
# turns), medians and ratios, and the report's formatting.  bench/run sets
# the settings; each table is a module of its own under VsBench/.
package VsBench;
use strict;
use warnings;
use Exporter 'import';
use IO::Handle;
use IPC::Open2;

# The run's settings (bench/run's options and what follows from them).
our ($mode, $bindir, $outdir, $gnuplot, $only, $programs, $rounds_opt, $no_pin, $no_lockstep,
     $pari_vstack_dir, $pari_stock_dir, $python) =
  ('quick', 'bench', 'bench/out', '', '', '', undef, 0, 0, '', '', '/usr/bin/python3');
our ($pin_cpu, @PIN, @TURN_FORKS, @TURN_CHUNKS, @programs, %P, %want);
our $MiB = 1 << 20;
our $GiB = 1 << 30;
our @MEASUREMENTS = qw(fork vast stacks commit growth fastpath reuse pool poolgrowth wipe paribench paritest cypari);
# The contenders and the columns of the tables (find_contenders).
our (@contenders, %prog, %what, %family);
our (%launch, %env_of); # how a contender that is no vsbench program runs (argv_of)
our (@notes, $want_stacks, $have_pari, %PARI_BUILD);
our (@order, @stackful, @fork_order, @pool_order, @vast_order, @wipe_order, @suite_order, @cypari_order);
our $VAST = 64 << 40; # 64 TiB: half of a 47-bit address space
our ($maxsize, $build, @sizes, @pool_sizes);
# The fork results of the stack family and of the pool (fork_pass), and
# the values the targets read.
our ($SF, $PF, %S);
our ($t_start, $nsteps, $step, $report) = (time, 0, 0, '');

our @EXPORT = qw(
  $mode $bindir $outdir $gnuplot $only $programs $rounds_opt $no_pin $no_lockstep
  $pari_vstack_dir $pari_stock_dir $python
  $pin_cpu @PIN @TURN_FORKS @TURN_CHUNKS @programs %P %want $MiB $GiB @MEASUREMENTS
  @contenders %prog %what %family %launch %env_of @notes $want_stacks $have_pari %PARI_BUILD
  @order @stackful @fork_order @pool_order @vast_order @wipe_order @suite_order @cypari_order $VAST
  $maxsize $build @sizes @pool_sizes $SF $PF %S $t_start $nsteps $step $report
  slurp_first last_allowed_cpu find_contenders find_sizes in_family
  run_lines median col hsize num ratio rfmt cell out table write_csv progress visiting used_for
  argv_of with_env rounds side_by_side group new_store fork_pass fmed ffirst fchild verdict worst
);

sub slurp_first {
    my ($file, $re) = @_;
    open(my $fh, '<', $file) or return '?';
    while (<$fh>) { return $1 if /$re/ }
    return '?';
}
sub last_allowed_cpu {
    my $list = slurp_first('/proc/self/status', qr/^Cpus_allowed_list:\s*(\S+)/);
    return undef unless defined $list && $list =~ /(\d+)$/;
    return $1;
}

# ---- contenders --------------------------------------------------------
sub in_family { my ($c, $fam) = @_; return grep { $_ eq $fam } split /\+/, $family{$c} // ''; }

# The contenders of @programs (`vsbench list`), the notes about those that
# are missing, and the columns of the tables.  vsbench's own note about a
# missing contender is left out: the report says it once, in its header.
# A program whose contender cannot run here (exit status 3: GAP's library
# missing, say) gives its reason as a note.
sub find_contenders {
    # The measurements over the stack contenders of @order (vast has its own three).
    my @stack_ms = qw(fork stacks commit growth fastpath reuse);
    $want_stacks = grep { $want{$_} } @stack_ms;
    for my $p (@programs) {
        my $errfile = "$outdir/list.err";
        open(my $saved, '>&', \*STDERR) or die "run: dup stderr: $!\n";
        open(STDERR, '>', $errfile) or die "run: $errfile: $!\n";
        my $ok = open(my $fh, '-|', $p, 'list');
        open(STDERR, '>&', $saved) or die "run: restore stderr: $!\n";
        $ok or die "run: $p: $!\n";
        while (<$fh>) {
            chomp;
            my ($name, $fam, $what) = split /,/, $_, 3;
            push @contenders, $name;
            $prog{$name} = $p;
            $what{$name} = $what;
            $family{$name} = $fam;
        }
        if (!close $fh) {
            die "run: $p list failed\n" unless $? >> 8 == 3;
            open(my $ef, '<', $errfile) or die "run: $errfile: $!\n";
            chomp(my @why = <$ef>);
            push @notes, @why;
        }
        unlink $errfile;
    }
    die "run: no vsbench among @programs (run make first)\n" unless $prog{bare};
    $have_pari = exists $prog{pari};
    push @notes, "pari: libpari was not found at configure time; the pari column is left out and"
      . " the comparisons with PARI say so" if !$have_pari && $want_stacks;
    push @notes, "gap: libgap was not found at configure time (apt-get install libgap-dev gap-core and"
      . " configure again); the gap column of the pool tables is left out"
      if $want{pool} && !exists $prog{gap} && !grep { /^gap:/ } @notes;
    push @notes, "no plots: gnuplot was not found at configure time (install gnuplot-nox and configure"
      . " again for them)" if $want{fork} && !$gnuplot;
    # PARI built by contrib/pari/build: on vstack, and the same source unchanged.
    %PARI_BUILD = ('pari-vstack' => [ 'vstack', $pari_vstack_dir, '--with-pari-vstack=DIR',
                                      'contrib/pari/build --prefix=DIR --keep' ],
                   'pari-stock'  => [ 'stock', $pari_stock_dir, '--with-pari-stock=DIR',
                                      'contrib/pari/build --stock --prefix=DIR --keep' ]);
    for my $c (sort keys %PARI_BUILD) {
        my (undef, undef, $opt, $how) = @{ $PARI_BUILD{$c} };
        push @notes, "$c: no such build of PARI was configured ($how, then configure $opt);"
          . " its column is left out" if !exists $prog{$c} && $want_stacks;
    }
    # The contenders, in the order of the tables' columns and of the first round.
    @order = grep { exists $prog{$_} }
      qw(bare vstack vstack+nopopulate vstack+noforkwipe vstack+hugepages vstack+trim pari pari-stock pari-vstack rw-pool malloc);
    # vstack+noprobe only serves the vast reservation below.
    push @order, grep { my $c = $_; $c ne 'vstack+noprobe' && in_family($c, 'stacks') && !grep { $_ eq $c } @order }
      @contenders;
    # The fork tables add bare2, bare once more: the A/A control, how far two
    # columns of one thing differ in this run.
    @fork_order = grep { exists $prog{$_} } ('bare', 'bare2', grep { $_ ne 'bare' } @order);
    # The pool family: the workspaces against a bare process.
    @pool_order = grep { exists $prog{$_} } qw(bare vstack-pool rw-pool gap);
    push @pool_order, grep { my $c = $_; in_family($c, 'pools') && !grep { $_ eq $c } @pool_order } @contenders;
    # The vast reservation's table: floor is the same reservation without the
    # library, so that the kernel's price for the mapping itself shows apart.
    @vast_order = grep { exists $prog{$_} } qw(bare floor vstack+noprobe);
    $want{vast} = 0 unless $prog{'vstack+noprobe'};
    # The contenders that hold a stack (the fast path, the parent's reuse).
    @stackful = grep { $_ ne 'bare' } @order;
}

# The sizes of this machine: the largest read/write mapping it allows, and
# the vsizes of the fork tables and the pool's maxsizes below it.
sub find_sizes {
    $maxsize = run_lines($prog{bare}, 'maxsize')->[0] or die "run: vsbench maxsize failed\n";
    $build = run_lines($prog{bare}, 'build')->[0] // '?';
    @sizes = sort { $a <=> $b } grep { $_ < $maxsize } @{ $P{sizes} };
    push @sizes, $maxsize;
    # The pool's maxsizes: those a read/write pool (rw-pool, GAP) can have here.
    @pool_sizes = sort { $a <=> $b } grep { $_ < $maxsize } @{ $P{pool_sizes} };
    push @pool_sizes, $maxsize if grep { $_ >= $maxsize } @{ $P{pool_sizes} };
}

# ---- helpers -----------------------------------------------------------
sub run_lines {
    my ($p, @args) = @_;
    open(my $fh, '-|', $p, @args) or die "run: $p: $!\n";
    my @lines = <$fh>;
    if (!close $fh) {
        print STDERR "run: FAILED: $p @args (status $?)\n";
        return [];
    }
    chomp @lines;
    return \@lines;
}

sub median {
    my @v = sort { $a <=> $b } grep { defined } @_;
    return undef unless @v;
    my $n = @v;
    return $n % 2 ? $v[ $n / 2 ] : ($v[ $n / 2 - 1 ] + $v[ $n / 2 ]) / 2;
}
# The median of field $i of a list of CSV rows (array refs).
sub col { my ($rows, $i) = @_; return median(map { $_->[$i] } @{ $rows || [] }); }

sub hsize {
    my ($b) = @_;
    return '-' unless defined $b;
    for my $u ([ 'TiB', 1 << 40 ], [ 'GiB', $GiB ], [ 'MiB', $MiB ], [ 'KiB', 1024 ]) {
        return ($b / $u->[1]) . $u->[0] if $b >= $u->[1] && $b % $u->[1] == 0;
    }
    for my $u ([ 'GiB', $GiB ], [ 'MiB', $MiB ]) {
        return sprintf('%.2f%s', $b / $u->[1], $u->[0]) if $b >= $u->[1];
    }
    return "${b}B";
}

sub num {
    my ($v) = @_;
    return '-' unless defined $v;
    return sprintf('%.0f', $v) if abs($v) >= 100;
    return sprintf('%.1f', $v) if abs($v) >= 10;
    return sprintf('%.2f', $v);
}

sub ratio { my ($a, $b) = @_; return (defined $a && defined $b && $b > 0) ? $a / $b : undef }
sub rfmt  { my ($r) = @_; return defined $r ? sprintf('%.2f', $r) : '-' }
# "median (ratio)", the cell of the fork tables.
sub cell  { my ($m, $ref) = @_; return defined $m ? num($m) . ' (' . rfmt(ratio($m, $ref)) . ')' : '-'; }

sub out { my ($s) = @_; print $s; $report .= $s; }

sub table {
    my ($title, $head, @rows) = @_;
    my @w = map { length } @$head;
    for my $r (@rows) { $w[$_] = length($r->[$_]) > $w[$_] ? length($r->[$_]) : $w[$_] for 0 .. $#$r }
    my $line = sub { join('  ', map { sprintf($_ ? '%*s' : '%-*s', $w[$_], $_[0][$_]) } 0 .. $#{ $_[0] }) . "\n" };
    out("\n$title\n");
    out($line->($head));
    out(join('  ', map { '-' x $_ } @w) . "\n");
    out($line->($_)) for @rows;
}

sub write_csv {
    my ($name, $head, $rows) = @_;
    open(my $fh, '>', "$outdir/$name") or die "run: $outdir/$name: $!\n";
    print $fh "$head\n";
    print $fh "$_\n" for @$rows;
    close $fh;
}

sub progress {
    my ($msg) = @_;
    $step++;
    printf STDERR "[%3ds] %3d/%d %s\n", time - $t_start, $step, $nsteps, $msg;
}

# The order of round r (from 0): the first round in the given order, each
# later one shuffled (Fisher-Yates from a small generator seeded by r, so
# that every run visits the same orders), so that each job follows a
# different one from round to round.  A process leaves the machine in a
# state the next one pays for (memory just freed and not yet handed back by
# the balloon, a CPU just busy); with a fixed predecessor, as a plain
# rotation gives, the same contender would pay for it in every round.
sub visiting {
    my ($r, @l) = @_;
    my $x = $r * 2654435761 % 4294967296;
    for (my $i = $r ? $#l : 0; $i > 0; $i--) {
        $x = (1103515245 * $x + 12345) % 2147483648;
        my $k = int($x / 65536) % ($i + 1);
        @l[ $i, $k ] = @l[ $k, $i ];
    }
    return @l;
}

sub used_for { my ($v) = @_; return $v / 2 < $GiB ? $v / 2 : $GiB; }

# How contender $c runs: its vsbench program, or the command of %launch
# (cypari2's script under Python), with the environment of %env_of (a
# value undef: removed) around the start of its process.
sub argv_of {
    my ($c, $cmd, @args) = @_;
    return (@{ $launch{$c} || [ $prog{$c} ] }, $cmd, "--contender=$c", @args);
}
sub with_env {
    my ($c, $fn) = @_;
    my $e = $env_of{$c} || {};
    local %ENV = %ENV;
    for my $k (keys %$e) {
        if (defined $e->{$k}) { $ENV{$k} = $e->{$k} } else { delete $ENV{$k} }
    }
    return $fn->();
}

# The processes of a measurement: groups of jobs, [label, contender, command,
# arguments...].  Each round runs every group in turn, its jobs in the order
# visiting() gives that round; $each->($round, @fields) takes each
# CSV line (those that start with the command's name: a library that
# prints something of its own is not mistaken for a result).  A group whose
# jobs take turns (--lockstep) runs them side by side (side_by_side()).
sub rounds {
    my ($nrounds, $each, @groups) = @_;
    for my $r (1 .. $nrounds) {
        for my $g (@groups) {
            my @jobs = visiting($r - 1, @$g);
            my $take = sub {
                my ($job, $lines) = @_;
                my ($label, $c, $cmd) = @$job;
                $each->($r, split /,/) for grep { /^\Q$cmd\E,/ } @$lines;
            };
            if (grep { /^--lockstep=/ } @{ $jobs[0] }) {
                side_by_side($r, $nrounds, $take, @jobs);
                next;
            }
            for my $job (@jobs) {
                my ($label, $c, $cmd, @args) = @$job;
                progress(sprintf('%-20s round %d/%d %s', $label, $r, $nrounds, $c));
                $take->($job, with_env($c, sub { run_lines(argv_of($c, $cmd, @args)) }));
            }
        }
    }
}
# The jobs of a group all at once, one process each, taking turns (vsbench
# --lockstep): each in turn gets a byte on its stdin and runs until it says
# "turn" or exits; the order of the turns moves on by one each time around,
# so that no process always follows the same one.  Host noise that lasts a
# second or two (what a 2-CPU virtual machine sees most) then falls on all
# of them alike instead of on whichever ran then.
# $take->($job, [lines]) gets each process's output once it has exited.
sub side_by_side {
    my ($r, $nrounds, $take, @jobs) = @_;
    local $SIG{PIPE} = 'IGNORE'; # a process that died: its read end is closed
    my @live;
    for my $job (@jobs) {
        my ($label, $c, $cmd, @args) = @$job;
        my ($out, $in);
        my $pid = eval { with_env($c, sub { open2($out, $in, argv_of($c, $cmd, @args)) }) }
          or die "run: $prog{$c}: $@\n";
        push @live, { job => $job, pid => $pid, out => $out, in => $in, lines => [] };
    }
    for (my $k = 0; @live; $k++) {
        for my $p (@live[ map { ($_ + $k) % @live } 0 .. $#live ]) {
            print { $p->{in} } 'g';
            $p->{in}->flush;
            my $turned = 0;
            while (defined(my $l = readline($p->{out}))) {
                chomp $l;
                if ($l eq 'turn') { $turned = 1; last; }
                push @{ $p->{lines} }, $l;
            }
            next if $turned;
            my ($label, $c, $cmd, @args) = @{ $p->{job} };
            close $p->{in};
            close $p->{out};
            waitpid($p->{pid}, 0);
            $p->{done} = 1;
            progress(sprintf('%-20s round %d/%d %s', $label, $r, $nrounds, $c));
            if ($?) {
                print STDERR "run: FAILED: $prog{$c} $cmd --contender=$c @args (status $?)\n";
                next;
            }
            $take->($p->{job}, $p->{lines});
        }
        @live = grep { !$_->{done} } @live;
    }
}
# A group: the same command for each contender of @$cs.
sub group { my ($label, $cs, @cmd) = @_; return [ map { [ $label, $_, @cmd ] } @$cs ]; }

# A store of fork results, one per family:
# {fork}{"state,child,vsize,contender"} = [ median us of each process ],
# {first} the same for the first fork of each series, {child}{"state,vsize,contender"}
# for the time the child took to write its 1 MiB, timed in the child, {rss}
# the parent's resident set after each series (kB), {reserved}{"vsize,contender"},
# {raw} the CSV lines.
sub new_store { return { map({ $_ => {} } qw(fork first child rss reserved)), raw => [] }; }
$SF = new_store(); # the stack family's
$PF = new_store(); # the pool's
# Each size of @$sizes, each contender of @$cs: fork --vsize=size and what
# $args->(size) returns.
sub fork_pass {
    my ($st, $label, $tag, $rounds, $sizes, $cs, $args) = @_;
    rounds($rounds,
           sub {
               my ($r, @f) = @_;
               # fork,contender,vsize,reserved,used,state,child,forks,median,first,min,max,committed,
               #   child_us,rss_kb
               my ($c, $v) = @f[ 1, 2 ];
               push @{ $st->{fork}{"$f[5],$f[6],$v,$c"} },  $f[8];
               push @{ $st->{first}{"$f[5],$f[6],$v,$c"} }, $f[9];
               push @{ $st->{child}{"$f[5],$v,$c"} }, $f[13] if $f[6] eq 'write1m';
               push @{ $st->{rss}{"$f[5],$v,$c"} }, $f[14] if $f[6] eq 'exit';
               $st->{reserved}{"$v,$c"} = $f[3];
               push @{ $st->{raw} }, join(',', "$tag$r", @f[ 1 .. $#f ]);
           },
           map { group("$label " . hsize($_), $cs, 'fork', "--vsize=$_", $args->($_), @PIN, @TURN_FORKS) } @$sizes);
}
sub fmed { my ($k) = @_; return median(@{ $SF->{fork}{$k} || [] }); }
sub ffirst { my ($k) = @_; return median(@{ $SF->{first}{$k} || [] }); }
sub fchild { my ($k) = @_; return median(@{ $SF->{child}{$k} || [] }); }

# ---- targets -------------------------------------------------------------
# A verdict at the precision the target is stated in (two decimals).
sub verdict {
    my ($v, $limit, $le) = @_;
    return '-' unless defined $v;
    my $r = sprintf('%.2f', $v);
    my $ok = $le ? $r <= $limit : $r >= $limit;
    return sprintf('%.2f %s', $v, $ok ? 'met' : 'MISSED');
}
sub worst { my @r = grep { defined } @_; return @r ? (sort { $b <=> $a } @r)[0] : undef; }

1;
