"""The commands that read one project's structure: entrypoints, callgraph, graph, rpc, routes."""

import sys

import click

from stackread.cli.base import cache_options, cli, finish, json_option, library_option, path_argument, path_option, rev_option
from stackread.errors import ExitCode
from stackread.flows.reading import Reading
from stackread.render.output import index_progress, progress_status, report_diagnostics, say_rendered, show


@cli.command()
@path_argument
@click.option("--rev", metavar="REV", help="Read this git revision (tag, branch, sha) without checking it out.")
@json_option
@click.option("--plugins", "show_plugins", is_flag=True, help="List every plugin entry point, not just counts per group.")
@library_option
def entrypoints(path: str, rev: str | None, as_json: bool, show_plugins: bool, libraries: tuple[str, ...]) -> None:
    """Programs the project at PATH installs, where each one starts, and what each service runs.

    PATH is a source tree (git clone or unpacked sdist), or an installed distribution
    (a *.dist-info directory). For RPC services: binary, manager class and topic.
    """
    from stackread.flows.entrypoints import find_entrypoints
    from stackread.render import entrypoints as view
    with progress_status(f"reading entry points of {path}"):
        report = find_entrypoints(path, rev, libraries)
    view.show(report, as_json, show_plugins)
    finish(report.diagnostics)


_format_option = click.option("--format", "fmt", type=click.Choice(["graphml"]),
                              help="GraphML for Gephi and yEd, to -o FILE.graphml or stdout.")
_graph_options = lambda f: library_option(cache_options(include_tests=True)(f))  # noqa: E731 (-L: neutron-lib's events)


@cli.command()
@path_argument
@rev_option
@click.option("--json", "as_json", is_flag=True, help="Print every node and edge as JSON (schema in docs/json.md).")
@_format_option
@click.option("-o", "output", type=click.Path(dir_okay=False), help="Write the GraphML to FILE.graphml.")
@_graph_options
def callgraph(path: str, rev: str | None, as_json: bool, fmt: str | None, output: str | None, include_tests: bool,
              cache_dir: str | None, no_cache: bool, libraries: tuple[str, ...]) -> None:
    """The static call graph of all the Python code under PATH.

    Module names are dotted paths relative to PATH (PATH/nova/compute/api.py is
    nova.compute.api). Each edge joins the definitions of caller and callee; a call with
    several possible targets (an overridden method, a driver interface) has one edge per
    target, each marked uncertain. Calls into libraries are listed apart as external.
    --format graphml writes it for Gephi and yEd (to -o FILE.graphml, or stdout).
    """
    from stackread.flows.callgraph import load_callgraph
    from stackread.render import callgraph as view

    with index_progress() as progress:
        result = load_callgraph(Reading(path, rev, cache_dir, not no_cache, libraries), include_tests, progress)
    if fmt or output:
        from stackread.render.graph_export import write_graphml
        from stackread.render.graphml import callgraph_graphml

        write_graphml(callgraph_graphml(result.graph), fmt, output)
    else:
        view.show(result, as_json)
    report_diagnostics(result.diagnostics)


@cli.command()
@click.argument("symbol")
@path_option
@rev_option
@click.option("--callers", is_flag=True, help="Show what calls SYMBOL.")
@click.option("--callees", is_flag=True, help="Show what SYMBOL calls (with --callers: both; neither: both).")
@click.option("--depth", default=2, show_default=True, type=click.IntRange(1, 50), help="How many calls away.")
@click.option("-o", "output", type=click.Path(dir_okay=False), help="Write a drawing: FILE.svg, FILE.png or FILE.dot.")
@click.option("--link-template", metavar="URL", help="Node links in drawings, with {path} and {line}.")
@click.option("--to", "target", metavar="SYMBOL", help="How SYMBOL is reached: the shortest call chains, across RPC.")
@click.option("--max-chains", default=3, show_default=True, type=click.IntRange(1, 100), help="With --to: how many chains.")
@_format_option
@click.option("--json", "as_json", is_flag=True,
              help="Print the neighbourhood's nodes and edges (or with --to the chains) as JSON (docs/json.md).")
@_graph_options
def graph(symbol: str, path: str, rev: str | None, callers: bool, callees: bool, depth: int, output: str | None,
          link_template: str | None, target: str | None, max_chains: int, fmt: str | None, as_json: bool,
          include_tests: bool, cache_dir: str | None, no_cache: bool, libraries: tuple[str, ...]) -> None:
    """The neighbourhood of one function, method or class in the call graph.

    SYMBOL is a dotted name (nova.compute.manager.ComputeManager.build_and_run_instance)
    or a unique suffix of one (ComputeManager.build_and_run_instance). With --to B: how
    SYMBOL reaches B, the shortest call chains, crossing RPC casts and calls into the
    endpoint that serves them (one hop per line with path:line, or --json); no chain: exit 1.
    """
    from stackread.flows.callgraph import load_callgraph, neighbourhood
    from stackread.render.graph import show_neighbourhood

    with index_progress() as progress:
        reading = Reading(path, rev, cache_dir, not no_cache, libraries)
        result = load_callgraph(reading, include_tests, progress)
    if target is not None or fmt or (output or "").lower().endswith(".graphml"):
        from stackread.flows.paths import PathQuestion
        from stackread.render.graph_export import Export, export_graph

        around = lambda: neighbourhood(result.graph, symbol, depth, callers, callees)  # noqa: E731
        found, ok = export_graph(reading, result, target and PathQuestion(symbol, target, max_chains),
                                 Export(as_json, fmt, output), around)
        if target:
            finish(found)  # a chain asked for: errors in its files exit 1, as trace does
        else:
            report_diagnostics(found)
        sys.exit(ExitCode.OK if ok else ExitCode.ANALYSIS_ERROR)
    show_neighbourhood(neighbourhood(result.graph, symbol, depth, callers, callees), output, link_template, as_json)
    report_diagnostics(result.diagnostics)


@cli.command()
@path_argument
@rev_option
@click.option("--service", metavar="NAME", help="Only what is sent to this service (binary or topic).")
@json_option
@cache_options()
@library_option
def rpc(path: str, rev: str | None, service: str | None, as_json: bool, cache_dir: str | None, no_cache: bool, libraries: tuple) -> None:
    """Every oslo.messaging cast and call, and the method that serves it.

    For each RPC client method: the method name it sends, cast or call (and fanout), the
    topic and namespace, the routing expression (prepare(server=...)), and the endpoint
    method oslo.messaging dispatches it to in the receiving service. Then what does not
    match: sends that no endpoint serves, endpoint methods that no client sends.
    """
    from stackread.flows.rpc import find_rpc
    from stackread.render import rpc as view

    with index_progress() as progress:
        report = find_rpc(Reading(path, rev, cache_dir, not no_cache, libraries), progress)
    report = view.only_service(report, service) if service else report
    show(as_json, lambda: view.to_json(report), lambda: view.render(report))
    finish(report.diagnostics)


@cli.command()
@path_argument
@rev_option
@click.option("--find", "name", metavar="NAME",
              help="Only the operation a user names: create_server, 'server create', 'POST /servers', reboot, live-migrate ...")
@click.option("--list-operations", "list_names", is_flag=True,
              help="Only the name of every operation, one a line, each one --find and trace find.")
@json_option
@library_option
def routes(path: str, rev: str | None, name: str | None, list_names: bool, as_json: bool, libraries: tuple[str, ...]) -> None:
    """Every REST route of the API at PATH: verb, URL, action key, controller method, microversions.

    `POST .../action` routes are listed once per action key (reboot, os-migrateLive, ...)
    with the handler that serves it. With --find, the routes of one operation, named the
    way you know it; an unknown or ambiguous name lists the closest ones and exits 1.
    """
    from stackread.flows import operations, routes as routes_flow
    from stackread.render import routes as view

    everything = name is None and not list_names
    with progress_status(f"reading the REST routes of {path}"):
        report, text = routes_flow.routes_and_text(path, rev, libraries, view.showing(as_json) if everything else None)
    if everything:
        say_rendered(text)
        return finish(report.diagnostics)
    if list_names:
        click.echo("".join(f"{listed}\n" for listed in sorted(operations.pasteable_names(report.routes))), nl=False)
        return finish(report.diagnostics)
    lookup = operations.find_operation(report.routes, name)
    view.show_lookup(lookup, as_json, report.diagnostics)
    finish(report.diagnostics, reported=True)
    if not lookup.found:
        sys.exit(ExitCode.ANALYSIS_ERROR)
