"""The whole program: module summaries resolved into names, imports, classes and their MRO, values
and calls (resolve.Program, made of facts, names, classes, values, calls; depth, mro), the call
graph they make (callgraph, graph), and source-level evaluation (modules; constants, the store of
concrete values each tree keeps; evaluate, the readers' client of it). Knows Python,
not OpenStack; imports index, source and the shared modules.
"""
