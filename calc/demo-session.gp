\\ A scripted ntcalc session: run it with  calc/ntcalc -v calc/demo-session.gp
\\ (-v shows the stack and the heap growing and shrinking, and the heap's
\\ collections; gp -q reads the same file).
\\
\\ A small stack that may grow up to a large maximum:
default(parisize, "1M")
default(parisizemax, "2G")
default(parisize)
default(parisizemax)
\\ fibonacci(3*10^8) has 62696040 digits; computing it takes a few hundred
\\ MB of stack, committed by doubling while the computation runs.
fibonacci(3*10^8) % 1000000007
\\ After each line the stack is reset: nothing in use, back to parisize.
getstack()
default(parisize)
\\ Bytes in use in the middle of a line: 2^(2*10^9) alone takes 250 MB.
0*2^(2*10^9) + getstack()
getstack()
\\ With parisizemax 0 the stack is fixed: the same kind of work overflows,
\\ the error names the sizes, and the session goes on.
default(parisizemax, 0)
fibonacci(10^8) % 1000000007
default(parisizemax, "2G")
fibonacci(10^8) % 1000000007
\\ Variables live in a heap of their own, beside the stack: a value made on
\\ one line outlives the reset of the stack after it.  f has 2089877 digits.
f = fibonacci(10^7);
getstack()
\\ [objects, words] (gp's count also has objects of its own)
getheap()
f % 1000000007
g = f^2 % (2^127 - 1)
\\ Reassigning frees the old value: the collector slides the live values
\\ down over it, and the heap gives the memory back.
f = 0
getheap()
\\ Comparisons and booleans give 1 or 0, as in gp; 3>2>1 is (3>2)>1.
g < 2^127 && isprime(2^127 - 1)
3 > 2 > 1
