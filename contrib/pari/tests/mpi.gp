\\ PARI's parallel functions.  contrib/pari/check runs this with a --mt=mpi
\\ gp under mpirun (gp -q -f < mpi.gp, rank 0 reading it) and with a pthread
\\ gp, and compares what the two print.
default(debugmem, 0); \\ no growth warnings: threads print them in no fixed order
default(threadsize, "8M");
default(threadsizemax, "256M");
parapply(x -> x^2 + 1, [1..20])
parvector(8, k, factor(2^(50 + k) + 1))
parsum(k = 1, 2000, k^3)
s = 0; parfor(k = 1, 60, isprime(2^k - 1), r, if (r, s += 2^k)); s
parselect(p -> ispseudoprime(2^p - 1), primes(60))
\\ Each task grows its stack from threadsize to about 130 MB, under
\\ threadsizemax.  (Not a task that overflows threadsizemax: PARI 2.15's
\\ MPI rank then needs stack to send its error back, overflows again, and
\\ loops.)
parvector(4, k, #vector(4*10^6 + k, i, i))
parvector(3, k, k!)
