#!/bin/sh
# SPDX-License-Identifier: MIT
# SIGINT, as gp takes Ctrl-C: sent while a line computes, it stops that line
# with "  ***   user interrupt after N ms." on stderr, the stack is emptied
# (getstack() on the next line is 0), the next line runs, and the exit
# status is 1; so for several SIGINTs over several lines.  Sent while
# ntcalc waits for input, it ends ntcalc as SIGINT does (status 130).  A
# SIGINT ignored by whoever started ntcalc stays ignored.
#
# No timing is assumed: a SIGINT is sent only once ntcalc has shown, by the
# CPU time it used since its last output, that it is inside the long line,
# and is sent again if no interrupt line comes.

. "$(cd "$(dirname "$0")" && pwd)/ntcalc-lib.sh"

# Background jobs of a script start with SIGINT ignored; env gives it back.
env --default-signal=INT true 2>/dev/null || skip_all "env --default-signal is missing"
[ -r /proc/self/stat ] || skip_all "no /proc to read CPU times from"

# About a minute of work (nextprime of a 2000-digit number), in little memory.
LONG='nextprime(10^2000)'
# CPU ticks (1/100 s) that prove ntcalc is in the long line, past what the
# end of a line and the start of the next can take (valgrind translates the
# code it meets for the first time, which takes longer).
if [ -n "$VSTACK_TEST_WRAPPER" ]; then busy=30; else busy=5; fi

ticks() { # CPU ticks of $pid so far (utime + stime), or nothing if it is gone
    awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null
}
alive() { kill -0 "$pid" 2>/dev/null; }
interrupts() { # how many interrupt lines stderr has
    k_=$(grep -c 'user interrupt' "$tmp/err" 2>/dev/null)
    echo "${k_:-0}"
}
fresh() { # empty the output files now: the background job's redirections come late
    : >"$tmp/out"
    : >"$tmp/err"
}
start() { # start FILE: ntcalc on FILE in the background, SIGINT at its default
    fresh
    env --default-signal=INT $VSTACK_TEST_WRAPPER "$NTCALC" "$1" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
}
# wait_for TEST: wait until the shell test TEST holds; false if ntcalc ended
# or 60 s went by.
wait_for() {
    i=0
    until eval "$1"; do
        alive || return 1
        i=$((i + 1))
        [ "$i" -lt 600 ] || return 1
        sleep 0.1
    done
}
# wait_busy TEST: wait_for TEST, then until ntcalc has used $busy ticks of
# CPU more.
wait_busy() {
    wait_for "$1" || return 1
    t0=$(ticks)
    while t=$(ticks) && [ -n "$t" ] && [ "$t" -lt $((t0 + busy)) ]; do
        i=$((i + 1))
        [ "$i" -lt 1200 ] || return 1
        sleep 0.1
    done
    alive
}
# interrupt K: send SIGINT until stderr has K interrupt lines (every 5 s,
# for 60 s at most).
interrupt() {
    i=0
    while [ "$(interrupts)" -lt "$1" ]; do
        if [ $((i % 50)) -eq 0 ]; then
            kill -INT "$pid" 2>/dev/null || return 1
        fi
        i=$((i + 1))
        [ "$i" -lt 600 ] || return 1
        sleep 0.1
    done
}
finish() { # wait for ntcalc's end (60 s at most), status in $rc
    i=0
    while alive && [ "$i" -lt 600 ]; do
        i=$((i + 1))
        sleep 0.1
    done
    alive && kill -KILL "$pid"
    wait "$pid"
    rc=$?
}

# One SIGINT.  getstack() after the interrupted line: the stack was emptied.
printf '1+1\n%s\ngetstack()\n2+3\n' "$LONG" >"$tmp/one"
start "$tmp/one"
wait_busy '[ -s "$tmp/out" ]' && interrupt 1
ok $? "SIGINT reaches the long line"
finish
test "$(sed -n '1p;3p' "$tmp/out")" = "2
5" && test "$(grep -c . "$tmp/out")" -eq 3; ok $? "the lines before and after it print their values"
test "$(sed -n 2p "$tmp/out")" = 0; ok $? "getstack() after it is 0: the stack is empty ($(sed -n 2p "$tmp/out"))"
test "$rc" -eq 1; ok $? "exit status 1 (got $rc)"
test "$(grep -c . "$tmp/err")" -eq 1 &&
    grep -q '^  \*\*\*   user interrupt after [0-9][0-9,]* ms\.$' "$tmp/err"
ok $? "one line on stderr: $(cat "$tmp/err")"

# A SIGINT for each of four long lines.
printf '1+1\n%s\n%s\n%s\n%s\ngetstack()\n6*7\n' "$LONG" "$LONG" "$LONG" "$LONG" >"$tmp/four"
start "$tmp/four"
k=0
while [ $k -lt 4 ]; do
    wait_busy "[ -s \"\$tmp/out\" ] && [ \$(interrupts) -eq $k ]" && interrupt $((k + 1)) || break
    k=$((k + 1))
done
test $k -eq 4; ok $? "four SIGINTs stop four lines in turn ($k)"
finish
test "$(cat "$tmp/out")" = "2
0
42"; ok $? "then getstack() is 0, and the last line runs"
test "$rc" -eq 1; ok $? "exit status 1 (got $rc)"
test "$(grep -c . "$tmp/err")" -eq 4 && test "$(interrupts)" -eq 4
ok $? "one interrupt line each, nothing else on stderr"

# Waiting for input: SIGINT ends ntcalc.
mkfifo "$tmp/fifo"
fresh
env --default-signal=INT $VSTACK_TEST_WRAPPER "$NTCALC" <"$tmp/fifo" >"$tmp/out" 2>"$tmp/err" &
pid=$!
exec 3>"$tmp/fifo"
echo '1+1' >&3
wait_for '[ -s "$tmp/out" ]'
# ntcalc ends its line and blocks in read(): its CPU time stands still.
still=1
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    t1=$(ticks)
    sleep 0.5
    if [ -n "$t1" ] && [ "$(ticks)" = "$t1" ]; then
        still=0
        break
    fi
done
ok $still "ntcalc waits for input without using CPU"
kill -INT "$pid"
finish
exec 3>&-
test "$rc" -eq 130; ok $? "SIGINT while it waits for input ends it as SIGINT does (status $rc)"
test "$(cat "$tmp/out")" = 2; ok $? "after the line it had printed"

# SIGINT ignored by whoever started it: ntcalc goes on.  That needs a
# system on which such a signal does not interrupt a read either.
why=$(trap '' INT; probe ignored-sigint)
if [ -n "$why" ]; then
    skip "$why" "an ignored SIGINT stays ignored"
else
    fresh
    (
        trap '' INT
        exec $VSTACK_TEST_WRAPPER "$NTCALC" <"$tmp/fifo" >"$tmp/out" 2>"$tmp/err"
    ) &
    pid=$!
    exec 3>"$tmp/fifo"
    echo '1+1' >&3
    wait_for '[ -s "$tmp/out" ]'
    kill -INT "$pid"
    sleep 0.3
    echo '3+4' >&3
    exec 3>&-
    finish
    test "$rc" -eq 0 && test "$(cat "$tmp/out")" = "2
7"; ok $? "an ignored SIGINT stays ignored (status $rc)"
fi

test "$vgerr" -eq 0; ok $? "no run reported memory errors"
done_testing
