\\ Where PARI's parallel tasks run: contrib/pari/check runs this with a
\\ --mt=mpi gp under mpirun and reads one line for gp and one a task:
\\   main|task:K PID libpari PATH libvstack PATH stack BYTES
\\ PATH being the file mapped ("none" if none), BYTES the stack in use,
\\ for a task while it holds a vector of 4*10^6 t_INT (about 128 MB).
default(debugmem, 0);
default(threadsize, "8M");
default(threadsizemax, "256M");
maplib(name) =
{
  my(m = select(l -> #strsplit(l, name) > 1, readstr("/proc/self/maps")), f);
  if (#m == 0, return("none"));
  f = strsplit(m[1], " "); f[#f];
}
mypid() = strsplit(readstr("/proc/self/stat")[1], " ")[1];
export(maplib, mypid);
print("main ", mypid(), " libpari ", maplib("libpari"), " libvstack ", maplib("libvstack"), " stack ", getstack());
T = parvector(4, k, my(v = vector(4*10^6, i, i)); [mypid(), maplib("libpari"), maplib("libvstack"), getstack()]);
for (k = 1, #T, print("task:", k, " ", T[k][1], " libpari ", T[k][2], " libvstack ", T[k][3], " stack ", T[k][4]));
