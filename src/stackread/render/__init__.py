"""Turning answers into what users read: rich text for terminals, JSON for tools (docs/json.md),
Graphviz drawings and sequence diagrams (SVG, Mermaid, PlantUML, seqdiag). Imports the flows'
result types and below; computes nothing about the code itself.
"""
