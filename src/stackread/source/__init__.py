"""Where code comes from and goes back to: working trees, git revisions read from the object store,
unpacked sdists and installed distributions (trees), fetching releases (fetch, pipconfig), decoding
files and the async-identifier rewrite (parsing), git run with the tree's own commands off (gitsafe),
and lossless edits of the user's files (edits, writes). Imports only the shared modules.
"""
