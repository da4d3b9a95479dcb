from pkg.util import helper

helper()
