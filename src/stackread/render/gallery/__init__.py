"""`stackread gallery`: every operation of a tree as a static site (layout.py frames pages,
page.py one operation, index.py the index, site.py writes the files, links.py source links)."""
