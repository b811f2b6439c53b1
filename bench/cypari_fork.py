# SPDX-License-Identifier: MIT
# cypari_fork.py -- what fork costs a Python process that runs PARI through
# cypari2, before and after a GP expression of about 1 GiB.
#
#   python3 bench/cypari_fork.py cypari --contender=NAME [--used=BYTES]
#       [--forks=N] [--budget-ms=MS] [--pin=CPU] [--lockstep=N] [--lib=DIR]
#
# bench/run starts it once per library (Debian's libpari, or another through
# LD_LIBRARY_PATH) and reads its CSV lines from stdout:
#   cypari,contender,state,forks,median_us,first_us,min_us,max_us,stack_bytes,
#     parent_charged_kb,child_charged_kb,child_committed_as_kb,child_ok,libpari
# state idle: cypari2 set up (parisize 8000000, parisizemax 4 GiB), nothing
# computed; state used: after one GP expression that holds --used bytes of
# vectors on the stack at once, which PARI reaches by growing its stack (and
# starting the expression again, as PARI does); its result is small.
# cypari2 never resets PARI's stack, so that memory stays committed and
# touched below avma.  Each fork: os.fork, the child os._exit(0)s, waitpid
# (wall time).  Then one more fork, untimed, whose child reads a number
# computed before the forks (it must be intact), sums what its own mappings
# are charged (smaps flag "ac"), and stays alive while the parent reads
# Committed_AS: what one live child adds to the system's commit charge.
# --lib=DIR: the libpari this process loaded must come from DIR, else it
# stops (the wrong library would be measured).  --lockstep=N takes turns
# with the other processes of the table as vsbench --lockstep does: a byte
# on stdin before starting and before every N forks, a line "turn" when
# giving the turn back.
import os
import statistics
import sys
import time


def die(msg):
    sys.stderr.write("cypari_fork: %s\n" % msg)
    sys.exit(2)


def turn_wait():
    if len(os.read(0, 1)) != 1:
        die("--lockstep: no turn came (stdin closed)")


def turn_pass():
    sys.stdout.write("turn\n")
    sys.stdout.flush()
    turn_wait()


def charged_kb(pid="self"):
    """The sizes of the mappings that smaps flags "ac" (charged), in kB."""
    total = size = 0
    with open("/proc/%s/smaps" % pid) as f:
        for line in f:
            if line.startswith("Size:"):
                size = int(line.split()[1])
            elif line.startswith("VmFlags:") and "ac" in line.split()[1:]:
                total += size
    return total


def committed_as_kb():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("Committed_AS:"):
                return int(line.split()[1])
    return -1


def libpari_path():
    with open("/proc/self/maps") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 6 and "/libpari" in fields[5]:
                return fields[5]
    return "?"


def fork_once():
    t0 = time.perf_counter_ns()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    t = time.perf_counter_ns() - t0
    if status != 0:
        die("the forked child failed (status %#x)" % status)
    return t / 1000.0


def time_forks(opts):
    t, spent = [], 0.0
    while len(t) < opts["forks"] and (len(t) < 5 or spent < opts["budget_ms"] * 1000):
        if opts["lockstep"] and len(t) % opts["lockstep"] == 0:
            turn_pass()
        t.append(fork_once())
        spent += t[-1]
    return t


def live_child(check, expect):
    """One untimed fork: the child checks a live object, reports its charge,
    and lives until the parent has read Committed_AS."""
    up_r, up_w = os.pipe()
    go_r, go_w = os.pipe()
    before = committed_as_kb()
    pid = os.fork()
    if pid == 0:
        os.close(up_r)
        os.close(go_w)
        ok = 1 if int(check()) == expect else 0
        os.write(up_w, ("%d %d\n" % (ok, charged_kb())).encode())
        os.read(go_r, 1)
        os._exit(0)
    os.close(up_w)
    os.close(go_r)
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(up_r, 64)
        if not chunk:
            break
        data += chunk
    during = committed_as_kb()
    os.write(go_w, b"g")
    os.close(go_w)
    os.close(up_r)
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        die("the checking child failed (status %#x)" % status)
    ok, child_kb = (int(x) for x in data.split())
    return ok, child_kb, during - before


def main():
    if len(sys.argv) < 2 or sys.argv[1] != "cypari":
        die("usage: cypari_fork.py cypari --contender=NAME [--used=BYTES] [--forks=N] [--budget-ms=MS]"
            " [--pin=CPU] [--lockstep=N] [--lib=DIR]")
    opts = {"contender": None, "used": 1 << 30, "forks": 50, "budget_ms": 1e9, "pin": None,
            "lockstep": 0, "lib": None}
    for a in sys.argv[2:]:
        if not a.startswith("--") or "=" not in a:
            die("%s: expected --name=value" % a)
        k, v = a[2:].split("=", 1)
        k = k.replace("-", "_")
        if k not in opts:
            die("--%s: unknown option" % k)
        opts[k] = v if k in ("contender", "lib") else int(v)
    if not opts["contender"]:
        die("--contender is required")
    if opts["pin"] is not None:
        os.sched_setaffinity(0, {opts["pin"]})
    if opts["lockstep"]:
        turn_wait()

    import cypari2

    pari = cypari2.Pari(8000000, 1 << 32)
    pari.default("debugmem", 0)
    lib = libpari_path()
    if opts["lib"] and not lib.startswith(opts["lib"].rstrip("/") + "/"):
        die("%s: this process loaded %s, not the libpari of %s" % (opts["contender"], lib, opts["lib"]))
    # A number the children must read intact, and what it is.
    big = pari("2^100000 + 7")
    expect = int(pari("(2^100000 + 7) % 1000003"))
    check = lambda: big % 1000003

    for k in range(3):
        fork_once()  # libc, page cache, scheduler
    rows = []
    t = time_forks(opts)
    rows.append(("idle", t, pari.stacksize(), charged_kb(), live_child(check, expect)))
    # Vectors of 8 MiB each (a t_VECSMALL of 2^20 - 1 words and its header).
    n = max(1, opts["used"] >> 23)
    if int(pari("my(v = vector(%d, i, vectorsmall(2^20 - 1))); #v" % n)) != n:
        die("the GP expression gave a wrong result")
    t = time_forks(opts)
    rows.append(("used", t, pari.stacksize(), charged_kb(), live_child(check, expect)))
    for state, t, stack, parent_kb, (ok, child_kb, delta) in rows:
        print("cypari,%s,%s,%d,%.1f,%.1f,%.1f,%.1f,%d,%d,%d,%d,%d,%s" % (
            opts["contender"], state, len(t), statistics.median(t), t[0], min(t), max(t), stack,
            parent_kb, child_kb, delta, ok, lib))
    sys.stdout.flush()


main()
