from pkg.api import create

create()
