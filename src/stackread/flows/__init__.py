"""The questions users ask, each answered from one project: entrypoints, callgraph, routes, rpc,
operation names (operations), trace with its cache key and cuts, flow diff and breakpoints, with
the --set settings they take. Imports frameworks and everything below; never render or cli.
"""
