from pkg.a import h

h()
