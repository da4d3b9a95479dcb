from pkg.b import helper as h
