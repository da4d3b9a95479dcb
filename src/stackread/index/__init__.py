"""Per-module facts, one ast pass per file, cached by content."""
