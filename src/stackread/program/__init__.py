"""The whole program: per-module summaries resolved into one call graph."""
