"""The whole program: module summaries resolved into names, imports, classes and their MRO, values
and calls (modules, evaluate, resolve, mro), and the call graph they make (graph). Knows Python,
not OpenStack; imports index, source and the shared modules.
"""
