"""stackread: read OpenStack services from their source, never running it.

The packages are layers, each importing only those below it: source -> index -> program ->
frameworks -> flows -> render -> cli. The loose modules here (errors, diagnostics, perf) are what
every layer shares.
"""

__version__ = "0.1.0"
