"""`stackread gallery`: every operation of a tree as a static site (layout.py frames pages,
page.py one operation, index.py the index, site.py writes the files, build.py the whole site)."""
