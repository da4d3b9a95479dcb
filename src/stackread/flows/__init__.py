"""The questions users ask, each answered from one project (`Reading`: tree, revision, cache):
entrypoints, callgraph, routes, rpc, operation names, and for one operation (a `Question`) the
trace (walker, conditions, cuts, the flow it makes and its cache), flow diff, breakpoints and the
gallery (every operation of a tree with one built program), with
the --set settings they take. Imports frameworks and everything below; never render or cli.
"""
