\\ PARI's stack, driven through gp: growth to parisizemax, overflow there,
\\ allocatemem, a fixed-size stack, a refused parisizemax halved to fit,
\\ and thread stacks growing to threadsizemax.  contrib/pari/check runs it
\\ with the gp built on libvstack and with Debian's gp, both as
\\ gp -q -f < stack.gp (no gprc), and compares what each prints (stdout and
\\ stderr).
default(debugmem, 1);
default(parisize, "4M");
default(parisizemax, "256M");
[default(parisize), default(parisizemax)]
\\ Growth: about 80 MB of stack, doubling from 4 MB.
#vector(5*10^6, i, i)
getstack()
\\ A reset after the line: the next line starts from parisize again.
#vector(3*10^6, i, 2*i)
\\ Overflow at parisizemax, and recovery.
default(parisizemax, "32M");
#vector(10^7, i, i)
#vector(1000, i, i)
\\ allocatemem: a new parisize (the contents go).
allocatemem(16*10^6)
default(parisize)
\\ A fixed-size stack: parisizemax 0.
default(parisizemax, 0);
default(parisizemax)
#vector(3*10^6, i, i)
#vector(10^5, i, i)
\\ A parisizemax the machine cannot give is halved until it fits.
default(parisizemax, "100T");
default(parisizemax) > 0
default(parisizemax, "64M");
\\ Thread stacks: one task grows its stack up to threadsizemax.
default(nbthreads, 2);
default(threadsize, "2M");
default(threadsizemax, "128M");
parvector(2, k, if (k == 2, #vector(2*10^6, i, i), k))
\\ And overflows it.
default(threadsizemax, "16M");
iferr(parvector(2, k, if (k == 2, #vector(4*10^6, i, i), k)), E, errname(E))
parvector(2, k, if (k == 2, #vector(4*10^6, i, i), k))
parvector(2, k, k^2)
