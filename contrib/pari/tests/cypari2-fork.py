#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""cypari2-fork.py DIR vstack|stock: Debian's cypari2 on the libpari in DIR/lib.

Run with LD_LIBRARY_PATH=DIR/lib (contrib/pari/check does), so that cypari2
loads DIR's libpari-gmp-tls.so.8 in place of Debian's.  Checks that the
process maps DIR's libpari (and DIR's libvstack.so.2, or no libvstack for a
stock build), computes a GP expression that takes about 1 GiB of PARI's
stack after raising parisizemax with allocatemem, keeps its result and a
vector of values, and forks: the child checks them by value, computes
again on its own stack, and exits 0.

Prints TAP lines without numbers, which contrib/pari/check numbers; exits 1
if a check failed.
"""
import os
import sys

failures = 0


def report(ok, what):
    global failures
    print("%s - %s" % ("ok" if ok else "not ok", what), flush=True)
    if not ok:
        failures += 1


def mapped(name):
    """The real paths of the files mapped whose name starts with NAME."""
    paths = set()
    with open("/proc/self/maps") as f:
        for line in f:
            fields = line.split(None, 5)
            if len(fields) == 6 and os.path.basename(fields[5].strip()).startswith(name):
                paths.add(os.path.realpath(fields[5].strip()))
    return paths


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ("vstack", "stock"):
        print("usage: cypari2-fork.py DIR vstack|stock", file=sys.stderr)
        return 2
    lib = os.path.join(sys.argv[1], "lib")
    vstack = sys.argv[2] == "vstack"

    import cypari2
    pari = cypari2.Pari()
    print("# cypari2 from %s" % os.path.dirname(cypari2.__file__))

    want = os.path.realpath(os.path.join(lib, "libpari-gmp-tls.so.8"))
    got = mapped("libpari")
    report(got == {want}, "the process maps %s and no other libpari (maps: %s)"
           % (want, ", ".join(sorted(got)) or "none"))
    got = mapped("libvstack")
    if vstack:
        want = os.path.realpath(os.path.join(lib, "libvstack.so.2"))
        report(got == {want}, "the process maps %s (maps: %s)" % (want, ", ".join(sorted(got)) or "none"))
    else:
        report(not got, "a stock build maps no libvstack (maps: %s)" % (", ".join(sorted(got)) or "none"))

    pari.default("debugmem", 0)
    pari.allocatemem(8 * 10**6, 2 * 10**9, silent=True)
    report(pari.stacksizemax() >= 2 * 10**9,
           "allocatemem: parisize %d, parisizemax %d" % (pari.stacksize(), pari.stacksizemax()))

    # 2^25 t_INT and their vector: 1 GiB of stack, popped when the line ends.
    n = 2**25
    keep = pari("vector(1000, i, 2^64 + i)")
    result = pari("my(v = [1..%d]); vecsum(v)" % n)
    expected = n * (n + 1) // 2
    report(int(result) == expected and pari.stacksize() > 2**30,
           "a GP expression on 1 GiB of stack: result %s, the stack grew to %d bytes"
           % (result, pari.stacksize()))

    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        status = 0
        try:
            if int(result) != expected:
                status |= 1
            if [int(x) for x in keep] != [2**64 + i for i in range(1, 1001)]:
                status |= 2
            # The child's PARI computes on its own stack, below the wiped part.
            if int(pari("my(v = [1..2^22]); vecsum(v)")) != 2**22 * (2**22 + 1) // 2:
                status |= 4
        except BaseException:
            status |= 8
        os._exit(status)
    _, status = os.waitpid(pid, 0)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
    report(os.WIFEXITED(status) and not code & 1, "the child of os.fork() reads the result")
    report(os.WIFEXITED(status) and not code & 2, "the child reads the 1000 kept values")
    report(os.WIFEXITED(status) and not code & (4 | 8), "the child computes on its own stack (128 MiB)")
    report(os.WIFEXITED(status) and code == 0, "the child exits 0 (status %#x)" % status)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
