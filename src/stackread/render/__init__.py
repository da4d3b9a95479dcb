"""Turning results into what users read: rich text for terminals, JSON for tools."""
