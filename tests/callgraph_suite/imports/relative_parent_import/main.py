from pkg.compute.manager import build

build()
