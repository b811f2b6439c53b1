# SPDX-License-Identifier: MIT
# VsBench::Cypari -- cypari2 under Python, on Debian's libpari and, through
# LD_LIBRARY_PATH, on each build of contrib/pari/build: fork of a Python
# process on each libpari, idle and after the 1 GiB expression; side by
# side, as the fork tables.
package VsBench::Cypari;
use strict;
use warnings;
use FindBin;
use VsBench;

my %cypari_lib;
my (%cypari, @cypari_raw);

sub setup {
    if ($want{cypari}) {
        my $script = "$FindBin::Bin/cypari_fork.py";
        if (system("'$python' -c 'import cypari2' >/dev/null 2>&1") != 0) {
            push @notes, "cypari: $python cannot import cypari2 (apt-get install python3-cypari2); the cypari2 table"
              . " is left out";
            $want{cypari} = 0;
        } else {
            for my $c (qw(debian stock vstack)) {
                my $name = "cypari-$c";
                my $dir = $c eq 'stock' ? $pari_stock_dir : $c eq 'vstack' ? $pari_vstack_dir : '';
                next if $c ne 'debian' && !$dir;
                push @cypari_order, $name;
                $prog{$name} = $python;
                $launch{$name} = [ $python, $script ];
                $env_of{$name} = { LD_LIBRARY_PATH => $dir ? "$dir/lib" : undef };
                $cypari_lib{$name} = $dir;
                $what{$name} = "Debian's cypari2 on " . ($dir ? "the libpari of $dir (LD_LIBRARY_PATH)" : "Debian's libpari");
            }
        }
    }
}

sub steps { return $want{cypari} ? $P{cypari_rounds} * @cypari_order : 0; }

sub measure {
    if ($want{cypari}) {
        rounds($P{cypari_rounds},
               sub {
                   my ($r, @f) = @_;
                   # cypari,contender,state,forks,median,first,min,max,stack,parent_kb,child_kb,delta_kb,ok,lib
                   push @{ $cypari{"$f[2],$f[1]"} }, [ @f[ 4, 5, 8, 9, 10, 11, 12 ] ];
                   push @cypari_raw, join(',', $r, @f[ 1 .. $#f ]);
               },
               [ map { [ 'cypari', $_, 'cypari', "--used=$GiB", "--forks=$P{cypari_forks}", "--budget-ms=$P{cypari_budget_ms}",
                         @PIN, @TURN_FORKS, ($cypari_lib{$_} ? "--lib=$cypari_lib{$_}" : ()) ] } @cypari_order ]);
    }
}

sub report {
    if ($want{cypari}) {
        my (@rows, @summary);
        for my $state (qw(idle used)) {
            my $ref = col($cypari{"$state,cypari-debian"}, 0);
            for my $c (@cypari_order) {
                my $g = $cypari{"$state,$c"} or next;
                my ($m, $first, $stack, $pkb, $ckb, $dkb) = map { col($g, $_) } 0 .. 5;
                my $ok = grep({ !$_->[6] } @$g) ? 'NO' : 'yes';
                my $idle = col($cypari{"idle,$c"}, 0);
                $S{cypari}{$state}{$c} = $m;
                push @rows, [ $state eq 'idle' ? 'idle' : 'after 1 GiB', $c, num($m / 1000), num($first / 1000),
                              rfmt(ratio($m, $ref)), rfmt(ratio($m, $idle)), num($stack / $MiB), num($pkb / 1024),
                              num($ckb / 1024), num($dkb / 1024), $ok ];
                push @summary, join(',', $state, $c, $m, $first, $stack, $pkb, $ckb, $dkb, $ok);
            }
        }
        table("cypari2 (Debian's python3-cypari2) in a Python process on each libpari: fork + _exit + waitpid (ms),"
              . " idle and after\nthe GP expression my(v = vector(128, i, vectorsmall(2^20 - 1))); #v (1 GiB of vectors"
              . " at once, parisizemax 4 GiB;\ncypari2 never resets PARI's stack).  Median over $P{cypari_rounds}"
              . " processes of the median of up to $P{cypari_forks} forks (at least 5, then for $P{cypari_budget_ms} ms);\nstack: PARI's stack size (MiB);"
              . " charged (MiB): what smaps flags \"ac\" in the parent and in a live child; Committed_AS: what one\nlive"
              . " child adds to it (system-wide: noisy); live data: the child read a number computed before the fork",
              [ 'state', 'contender', 'fork ms', 'first ms', 'x debian', 'x own idle', 'stack', 'parent charged',
                'child charged', 'Committed_AS', 'live data' ], @rows);
        write_csv('cypari.csv', 'round,contender,state,forks,median_us,first_us,min_us,max_us,stack_bytes,parent_charged_kb,'
                  . 'child_charged_kb,child_committed_as_kb,child_ok,libpari', \@cypari_raw);
        write_csv('cypari-summary.csv', 'state,contender,median_us,first_us,stack_bytes,parent_charged_kb,'
                  . 'child_charged_kb,child_committed_as_kb,child_ok', \@summary);
    }
}

1;
