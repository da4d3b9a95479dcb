"""Per-module facts, one ast pass per file (summary), built in parallel workers (build, workers) and
cached by content in SQLite as plain data (cache, datacodec, cacheadmin). Knows nothing of what the
code means; imports only source and the shared modules.
"""
