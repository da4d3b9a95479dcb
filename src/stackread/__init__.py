"""stackread: read OpenStack services from their source."""

__version__ = "0.1.0"
