"""The command line: parse options, call one analysis function, hand its result to render.

Heavy modules (rich, GitPython, the analysis itself) are imported inside commands, so
`stackread --help` starts fast.
"""

from __future__ import annotations

import json
import sys

import click

from stackread import __version__
from stackread.errors import ExitCode, StackreadError

_MAX_DIAGNOSTICS = 8
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="stackread")
@click.option("--debug", is_flag=True, help="Show tracebacks of failures.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Read an OpenStack service from its source: where each process starts, what it runs,
    and how one API request crosses services.

    \b
    Examples:
      stackread get nova==34.0.0             fetch a release's source into the cache
      stackread entrypoints ~/src/nova       services, WSGI apps, tools and plugins
      stackread entrypoints ~/src/nova --rev 14.0.0 --json
      stackread callgraph ~/src/nova --json > nova-calls.json
      stackread graph ComputeManager.build_and_run_instance -C ~/src/nova --depth 2
      stackread rpc ~/src/nova --service nova-conductor
      stackread routes ~/src/nova --find live-migrate
      stackread trace create_server -C ~/src/nova
      stackread trace create_server -C ~/src/nova -o create_server.svg
      stackread breakpoints create_server -C ~/src/nova > .pdbrc
    """
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option("--rev", metavar="REV", help="Read this git revision (tag, branch, sha) without checking it out.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (schema in docs/json.md).")
@click.option("--plugins", "show_plugins", is_flag=True, help="List every plugin entry point, not just counts per group.")
def entrypoints(path: str, rev: str | None, as_json: bool, show_plugins: bool) -> None:
    """Programs the project at PATH installs, where each one starts, and what each service runs.

    PATH is a source tree (git clone or unpacked sdist), or an installed distribution
    (a *.dist-info directory). For RPC services: binary, manager class and topic.
    """
    from stackread.flows.entrypoints import find_entrypoints
    from stackread.render import entrypoints as view
    from stackread.render.output import progress_status, stdout

    with progress_status(f"reading entry points of {path}"):
        report = find_entrypoints(path, rev)
    if as_json:
        click.echo(json.dumps(view.to_json(report), indent=2))
    else:
        for renderable in view.render(report, show_plugins):
            stdout().print(renderable)
    _report_diagnostics(report.diagnostics)
    if report.has_errors:
        sys.exit(ExitCode.ANALYSIS_ERROR)


def _cache_options(func):
    func = click.option("--no-cache", is_flag=True, help="Neither read nor write the index cache.")(func)
    func = click.option("--cache-dir", type=click.Path(file_okay=False),
                        help="Index cache directory (default: $STACKREAD_CACHE_DIR/index or the XDG cache).")(func)
    func = click.option("--include-tests", is_flag=True, help="Analyse test packages too (left out by default).")(func)
    return func


def _load_graph(path: str, rev: str | None, include_tests: bool, cache_dir: str | None, no_cache: bool):
    from stackread.flows.callgraph import load_callgraph
    from stackread.render.output import index_progress

    with index_progress() as progress:
        return load_callgraph(path, rev, include_tests=include_tests, cache_dir=cache_dir,
                              use_cache=not no_cache, progress=progress)


@cli.command()
@click.argument("path", default=".", type=click.Path())
@click.option("--rev", metavar="REV", help="Read this git revision without checking it out.")
@click.option("--json", "as_json", is_flag=True, help="Print every node and edge as JSON (schema in docs/json.md).")
@_cache_options
def callgraph(path: str, rev: str | None, as_json: bool, include_tests: bool, cache_dir: str | None,
              no_cache: bool) -> None:
    """The static call graph of all the Python code under PATH.

    Module names are dotted paths relative to PATH (PATH/nova/compute/api.py is
    nova.compute.api). Each edge joins the definitions of caller and callee; a call with
    several possible targets (an overridden method, a driver interface) has one edge per
    target, each marked uncertain. Calls into libraries are listed apart as external.
    """
    result = _load_graph(path, rev, include_tests, cache_dir, no_cache)
    if as_json:
        from stackread.render.callgraph import write_json

        write_json(result, sys.stdout)
    else:
        from stackread.render.callgraph import summary
        from stackread.render.output import stdout

        stdout().print(summary(result))
    _report_diagnostics(result.diagnostics)


@cli.command()
@click.argument("symbol")
@click.option("-C", "path", default=".", type=click.Path(), help="The project to read (default: here).")
@click.option("--rev", metavar="REV", help="Read this git revision without checking it out.")
@click.option("--callers", is_flag=True, help="Show what calls SYMBOL.")
@click.option("--callees", is_flag=True, help="Show what SYMBOL calls (with --callers: both; neither: both).")
@click.option("--depth", default=2, show_default=True, type=click.IntRange(1, 50), help="How many calls away.")
@click.option("-o", "output", type=click.Path(dir_okay=False), help="Write a drawing: FILE.svg, FILE.png or FILE.dot.")
@click.option("--link-template", metavar="URL", help="Node links in drawings, with {path} and {line}.")
@_cache_options
def graph(symbol: str, path: str, rev: str | None, callers: bool, callees: bool, depth: int, output: str | None,
          link_template: str | None, include_tests: bool, cache_dir: str | None, no_cache: bool) -> None:
    """The neighbourhood of one function, method or class in the call graph.

    SYMBOL is a dotted name (nova.compute.manager.ComputeManager.build_and_run_instance)
    or a unique suffix of one (ComputeManager.build_and_run_instance).
    """
    import pathlib

    from stackread.render.output import stdout

    result = _load_graph(path, rev, include_tests, cache_dir, no_cache)
    name = _one_symbol(result.graph, symbol)
    if not callers and not callees:
        callers = callees = True
    sub = result.graph.neighbourhood(name, depth, callers=callers, callees=callees)
    if output:
        from stackread.render.graph import write_drawing

        write_drawing(sub, name, pathlib.Path(output), link_template=link_template)
        click.echo(f"wrote {output} ({len(sub)} nodes)", err=True)
    else:
        from stackread.render.graph import render_tree

        stdout().print(render_tree(sub, name, callers=callers, callees=callees, depth=depth))
    _report_diagnostics(result.diagnostics)


def _one_symbol(graph, symbol: str) -> str:
    from stackread.errors import AnalysisError

    found = graph.find(symbol)
    if len(found) == 1:
        return found[0]
    if found:
        listed = "\n  ".join(found[:20]) + ("\n  ..." if len(found) > 20 else "")
        raise AnalysisError(f"{symbol!r} is ambiguous; {len(found)} definitions match:\n  {listed}")
    import difflib

    names = [node.name for node in graph.nodes()]
    short = {}
    for name in names:
        short.setdefault(name.rsplit(".", 2)[-1], []).append(name)
        short.setdefault(".".join(name.rsplit(".", 2)[-2:]), []).append(name)
    close = difflib.get_close_matches(symbol, list(short), n=5, cutoff=0.6)
    hint = "".join(f"\n  {short[c][0]}" for c in close)
    raise AnalysisError(f"no definition named {symbol!r}" + (f"; did you mean:{hint}" if hint else ""))


@cli.command()
@click.argument("path", default=".", type=click.Path())
@click.option("--rev", metavar="REV", help="Read this git revision without checking it out.")
@click.option("--service", metavar="NAME", help="Only what is sent to this service (binary or topic).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (schema in docs/json.md).")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Index cache directory.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the index cache.")
def rpc(path: str, rev: str | None, service: str | None, as_json: bool, cache_dir: str | None, no_cache: bool) -> None:
    """Every oslo.messaging cast and call, and the method that serves it.

    For each RPC client method: the method name it sends, cast or call (and fanout), the
    topic and namespace, the routing expression (prepare(server=...)), and the endpoint
    method oslo.messaging dispatches it to in the receiving service. Then what does not
    match: sends that no endpoint serves, endpoint methods that no client sends.
    """
    from stackread.render import rpc as view
    from stackread.render.output import index_progress
    from stackread.flows.rpc import find_rpc

    with index_progress() as progress:
        report = find_rpc(path, rev, cache_dir=cache_dir, use_cache=not no_cache, progress=progress)
    if service:
        report = view.only_service(report, service)
    _show(as_json, lambda: view.to_json(report), lambda: view.render(report))
    _report_diagnostics(report.diagnostics)
    _exit_on_errors(report.diagnostics)


@cli.command()
@click.argument("path", default=".", type=click.Path())
@click.option("--rev", metavar="REV", help="Read this git revision without checking it out.")
@click.option("--find", "name", metavar="NAME",
              help="Only the operation a user names: create_server, 'server create', 'POST /servers', reboot, live-migrate ...")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (schema in docs/json.md).")
def routes(path: str, rev: str | None, name: str | None, as_json: bool) -> None:
    """Every REST route of the API at PATH: verb, URL, action key, controller method, microversions.

    `POST .../action` routes are listed once per action key (reboot, os-migrateLive, ...)
    with the handler that serves it. With --find, the routes of one operation, named the
    way you know it; an unknown or ambiguous name lists the closest ones and exits 1.
    """
    from stackread.render import routes as view
    from stackread.render.output import progress_status, stdout
    from stackread.flows.routes import find_routes

    with progress_status(f"reading the REST routes of {path}"):
        report = find_routes(path, rev)
    if name is None:
        _show(as_json, lambda: view.to_json(report), lambda: view.render(report))
        _report_diagnostics(report.diagnostics)
        _exit_on_errors(report.diagnostics)
        return
    from stackread.flows.operations import find_operation

    lookup = find_operation(report.routes, name)
    if as_json:
        click.echo(json.dumps(view.lookup_json(lookup), indent=1))
    elif lookup.found:
        for renderable in view.render_lookup(lookup):
            stdout().print(renderable)
    else:
        _print_candidates(lookup)
    if any(d.severity.value == "error" for d in report.diagnostics):  # malformed metadata, say
        _report_diagnostics(report.diagnostics)
    if not lookup.found:
        sys.exit(ExitCode.ANALYSIS_ERROR)
    _exit_on_errors(report.diagnostics)


def _print_candidates(lookup) -> None:
    """Why a name names no single operation, and the operations it might have meant, on stderr."""
    from stackread.render.output import stderr
    from stackread.render.routes import candidate_lines

    what = "is ambiguous" if lookup.ambiguous else "is not an operation of this API"
    if not lookup.candidates:
        click.echo(f"stackread: {lookup.query!r} {what}, and nothing is close "
                   "(`stackread routes` lists them all)", err=True)
        return
    closest = "it matches" if lookup.ambiguous else "closest"
    click.echo(f"stackread: {lookup.query!r} {what}; {closest}:", err=True)
    stderr().print(candidate_lines(lookup), soft_wrap=True)


def _flow_options(rev_help: str, errors_help: str):
    """The options of every command that traces a flow: where, which revision, driver, settings."""
    def decorate(command):
        for option in reversed([
            click.option("-C", "path", default=".", type=click.Path(), help="The project to read (default: here)."),
            click.option("--rev", metavar="REV", help=rev_help),
            click.option("--driver", metavar="NAME", help="Which implementation of a driver interface to follow: "
                         "libvirt (default), ironic, fake.FakeDriver ...; 'all' shows every one."),
            click.option("--set", "settings", multiple=True, metavar="GROUP.OPTION=VALUE",
                         help="Evaluate conditions with this option value instead of its default (repeatable); "
                              "the option must be declared in the tree, DEFAULT.OPTION is OPTION."),
            click.option("--errors", is_flag=True, help=errors_help),
        ]):
            command = option(command)
        return command
    return decorate


@cli.command()
@click.argument("operation")
@_flow_options("Read this git revision without checking it out.", "Also show the error path (calls in except blocks).")
@click.option("--show-objects", is_flag=True, help="Also follow versioned objects, the DB API and notifications.")
@click.option("--depth", "extra_depth", type=click.IntRange(0, None), default=0, show_default=True,
              help="Also show N levels of calls that lead to no other process, driver or service.")
@click.option("--all-calls", is_flag=True, help="Show every call the flow makes, not only those leading somewhere.")
@click.option("--diff", "other", metavar="REV|DIR",
              help="Compare with another version: a git revision of the same repository, or another "
                   "source tree (an unpacked sdist). The one traced (-C, --rev) is the old side.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (schema in docs/json.md).")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), metavar="FILE",
              help="Draw the flow into FILE: .svg .png .dot .mmd (Mermaid) .puml (PlantUML) .diag (seqdiag) .json.")
@click.option("--format", "fmt", type=click.Choice(["svg", "png", "dot", "json", "mermaid", "plantuml", "seqdiag"],
                                                   case_sensitive=False),
              help="Format of -o FILE (default: its suffix); text formats print to stdout without -o. "
                   "With --diff: mermaid, added/removed hops colored.")
@click.option("--view", type=click.Choice(["graph", "sequence"]),
              help="graph: cross-process call graph (default for svg/png/dot); sequence: a sequence diagram.")
@click.option("--link-template", metavar="URL",
              help="Where SVG nodes link, with {path} and {line}; default file:// to the source.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Index cache directory.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the index cache.")
def trace(operation: str, path: str, rev: str | None, driver: str | None, settings: tuple[str, ...], errors: bool,
          show_objects: bool, extra_depth: int, all_calls: bool, other: str | None, as_json: bool, out: str | None,
          fmt: str | None, view: str | None, link_template: str | None, cache_dir: str | None,
          no_cache: bool) -> None:
    """The cross-process flow of one API operation, from the controller to the virt driver.

    OPERATION is named the way you know it: create_server, 'server create', 'POST /servers',
    reboot, live-migrate (see `stackread routes --find`). Each process boundary shows cast or
    call, the RPC method, the receiving service and which host it goes to; steps under a
    condition carry it, and conditions on configuration options are evaluated on their
    defaults to mark the default path.

    \b
    Drawings (-o FILE, --format, --view):
      stackread trace create_server -C ~/src/nova -o create_server.svg
      stackread trace create_server -C ~/src/nova --view sequence -o create_server.svg
      stackread trace resize -C ~/src/nova --format mermaid > resize.mmd

    \b
    With --diff, the same operation in two versions: hops added, removed, renamed or changed
    (cast became call, another process, another endpoint, off the default path), and the
    steps whose code moved, with path:line on both sides:
      stackread trace live-migrate -C ~/src/nova --rev 12.0.0 --diff 15.0.0
      stackread trace create_server -C nova-15.1.5 --diff nova-34.0.0 --format mermaid
    """
    import pathlib

    from stackread.flows.settings import parse_settings
    from stackread.render import diagram
    from stackread.render import trace as text_view
    from stackread.flows.trace import MAX_DEPTH

    target = pathlib.Path(out) if out else None
    if as_json and (target or fmt):
        raise click.UsageError("--json prints trace's JSON; with -o or --format use --format json instead")
    if other is not None and (view or link_template or (fmt and fmt.lower() != "mermaid")
                              or (target and target.suffix.lower() not in (".svg", ".png", ".mmd"))):
        raise click.UsageError("--diff prints text, --json or --format mermaid, or draws -o FILE.svg/.png/.mmd")
    # Check the drawing asked for before the walk, so a typo costs no time.
    choice = None
    if other is None:
        try:
            choice = diagram.choose(target, fmt, view) if (target or fmt) else None
            if choice is not None:
                diagram.check_link_template(link_template)
        except StackreadError as exc:
            raise click.UsageError(str(exc)) from exc
        if choice is None and (view or link_template):
            raise click.UsageError("--view and --link-template apply to drawings: add -o FILE or --format")
    extra_depth = MAX_DEPTH if all_calls else extra_depth
    values = other_values = parse_settings(settings)
    if other is not None and values:  # each tree gets the options it declares
        from stackread.flows.settings import settings_across

        (values, other_values), left_out = settings_across([(path, rev), _other_side(path, other)], values)
        for warning in left_out:
            click.echo(f"stackread: warning: {warning}", err=True)
    result = _traced(operation, path, rev, driver, values, show_objects, cache_dir, no_cache,
                     named=other is not None, extra_depth=extra_depth)
    newer = []
    if other is not None:
        newer = _show_diff(result, other, operation, path, driver, other_values, show_objects, cache_dir,
                           no_cache, extra_depth, errors, as_json, fmt, target)
    elif choice is not None:
        data = diagram.render(result, choice, errors=errors, link_template=link_template)
        if target is None:
            click.echo(data.decode("utf-8"), nl=False)
        else:
            diagram.write(target, data)
            click.echo(f"wrote {target} ({choice.view} view, {choice.format})", err=True)
    else:
        _show(as_json, lambda: text_view.to_json(result, errors), lambda: text_view.render(result, errors))
    _report_diagnostics(result.diagnostics)
    _exit_on_errors(result.diagnostics + newer)


def _exit_on_errors(diagnostics) -> None:
    """Exit status 1 once the answer is out, when the input was read but something in it is wrong
    (a malformed entry point, a flow cut at a skipped file)."""
    if any(d.severity.value == "error" for d in diagnostics):
        sys.exit(ExitCode.ANALYSIS_ERROR)


def _other_side(path: str, other: str) -> tuple[str, str | None]:
    """--diff OTHER: another directory is another source tree; anything else a revision of the same one."""
    import pathlib

    return (other, None) if pathlib.Path(other).is_dir() else (path, other)


def _show_diff(result, other, operation, path, driver, settings, show_objects, cache_dir, no_cache, extra_depth,
               errors, as_json, fmt, target) -> list:
    """Shows the flow diff; returns the newer side's diagnostics, already reported."""
    from stackread.flows.flowdiff import diff_traces
    from stackread.render import flowdiff as diff_view

    where, revision = _other_side(path, other)
    newer = _traced(operation, where, revision, driver, settings, show_objects, cache_dir, no_cache, named=True,
                    extra_depth=extra_depth)
    diff = diff_traces(result, newer, errors)
    if target is not None:
        from stackread.render import diagram
        from stackread.render.sequence_svg import to_svg

        suffix = target.suffix.lower()
        if suffix == ".mmd":
            data = diff_view.to_mermaid(diff).encode("utf-8")
        else:
            svg = to_svg(diff_view.to_sequence(diff))
            data = svg if suffix == ".svg" else diagram.svg_to_png(svg)
        diagram.write(target, data)
        click.echo(f"wrote {target} (flow diff, sequence view)", err=True)
    elif fmt:
        click.echo(diff_view.to_mermaid(diff), nl=False)
    else:
        _show(as_json, lambda: diff_view.to_json(diff), lambda: diff_view.render(diff))
    _report_diagnostics(newer.diagnostics)
    return list(newer.diagnostics)


@cli.command()
@click.argument("operation", required=False)
@_flow_options("Read this git revision without checking it out (not with --insert).",
               "Also stop on the error path (calls in except blocks).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (schema in docs/json.md).")
@click.option("--insert", is_flag=True, help="Put a breakpoint statement at each place in the working tree.")
@click.option("--remove", is_flag=True, help="Take out every breakpoint statement stackread inserted (OPERATION optional).")
@click.option("--stmt", "statement", default="import pdb; pdb.set_trace()", show_default=True,
              help="The statement --insert puts in, e.g. 'breakpoint()' or a remote debugger's.")
@click.option("--force", is_flag=True, help="With --insert: edit files with uncommitted changes or other hard links, "
              "or outside git. With --remove: take out every line marked # stackread-breakpoint, recorded or not.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Index cache directory.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the index cache.")
def breakpoints(operation: str | None, path: str, rev: str | None, driver: str | None, settings: tuple[str, ...],
                errors: bool, as_json: bool, insert: bool, remove: bool, statement: str, force: bool,
                cache_dir: str | None, no_cache: bool) -> None:
    """Where to stop, per process, to debug one API operation with pdb.

    For the traced OPERATION (as in `stackread trace`): the first line of the API controller, of
    each manager method a cast or call lands on and of each virt-driver method called, and the
    statement of each RPC client method that sends. Printed as `break FILE:LINE` lines that make
    a .pdbrc as they are, with the way to run each process in the foreground.

    \b
    --insert writes a breakpoint statement at each place instead, marked
    `# stackread-breakpoint`, and records each line in .git/stackread/; it refuses files with
    uncommitted changes or other hard links (--force edits them), never edits outside the
    repository, and writes all files or none. --remove takes out exactly the recorded lines, in
    every file under -C PATH, leaving each file as it was.
    """
    import os

    from stackread.flows import breakpoints as bp
    from stackread.flows.settings import parse_settings
    from stackread.render import breakpoints as view

    if insert and remove:
        raise click.UsageError("--insert and --remove do not go together")
    if remove:
        changes = bp.remove(path, force)
        click.echo("\n".join(view.change_lines(changes, "removed", os.getcwd())))
        _report_problems(changes.problems)
        return
    if operation is None:
        raise click.UsageError("Missing argument 'OPERATION' (only --remove goes without one).")
    values = parse_settings(settings)
    if insert:
        bp.check_insert(rev)
        from stackread.source.edits import check_statement

        check_statement(statement)
    result = _traced(operation, path, rev, driver, values, False, cache_dir, no_cache)
    plan = bp.plan_breakpoints(result, path, rev, driver=driver, errors=errors)
    if insert:
        changes = bp.insert(plan, statement, force)
        click.echo("\n".join(view.change_lines(changes, "inserted", os.getcwd())))
        for process in plan.processes:
            run = plan.runs[process]
            if run.command:
                click.echo(f"run {process} in the foreground:  {run.command}")
        click.echo(f"`stackread breakpoints --remove -C {path}` takes them out again")
    elif as_json:
        click.echo(json.dumps(view.to_json(plan), indent=1))
    else:
        click.echo("\n".join(view.lines(plan)))
    _report_diagnostics(result.diagnostics)
    _exit_on_errors(result.diagnostics)


def _report_problems(problems: list[str]) -> None:
    """Edits that were left undone: on stderr, and exit status 1 once the rest is printed."""
    for problem in problems:
        click.echo(f"warning: {problem}", err=True)
    if problems:
        sys.exit(ExitCode.ANALYSIS_ERROR)


def _traced(operation, path, rev, driver, settings, show_objects, cache_dir, no_cache, named=False, extra_depth=0):
    """trace_operation with the command line's options; an unknown operation lists the close ones."""
    from stackread.render.output import index_progress
    from stackread.flows.trace import UnknownOperation, trace_operation

    try:
        with index_progress() as progress:
            return trace_operation(path, operation, rev, driver=driver, settings=settings, show_objects=show_objects,
                                   extra_depth=extra_depth, cache_dir=cache_dir, use_cache=not no_cache,
                                   progress=progress)
    except UnknownOperation as exc:
        if named:  # two trees are read: say which one lacks it
            click.echo(f"stackread: in {path}" + (f" @ {rev}" if rev else "") + ":", err=True)
        _print_candidates(exc.lookup)
        sys.exit(ExitCode.ANALYSIS_ERROR)


@cli.command()
@click.argument("spec")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Where releases go (default: $STACKREAD_CACHE_DIR or the XDG cache).")
@click.option("--index-url", metavar="URL", help="Package index to ask (default: the one pip is configured with).")
def get(spec: str, cache_dir: str | None, index_url: str | None) -> None:
    """Bring a release's source into the cache and print its directory.

    SPEC is a release (`nova==15.1.5`, or `nova` for the newest) whose sdist is unpacked,
    never built or run, or a git URL, which is cloned. Use it as
    `stackread entrypoints "$(stackread get nova==15.1.5)"`.
    """
    import pathlib

    from stackread.source import fetch

    def report(line: str) -> None:
        click.echo(f"  {line}", err=True)

    cache = pathlib.Path(cache_dir) if cache_dir else None
    if fetch.looks_like_git_url(spec):
        path = fetch.clone_repository(spec, cache, report=report)
    else:
        path = fetch.fetch_release(spec, cache, index_url=index_url, report=report)
    click.echo(str(path))


_CACHE_DIR_HELP = "The cache directory, holding index/, releases/ and repos/ (default: $STACKREAD_CACHE_DIR, else $XDG_CACHE_HOME/stackread, else ~/.cache/stackread)."


@cli.group()
def cache() -> None:
    """What stackread keeps, and emptying it.

    \b
    Computed results (index/: file summaries, call graphs, traced flows) are worked out again
    when missing; past $STACKREAD_CACHE_MAX_MB (default 512) the least recently used go first.
    Downloads (releases/ from `stackread get`, repos/) stay until `stackread cache clear --all`.
    """


@cache.command("info")
@click.option("--cache-dir", type=click.Path(file_okay=False), help=_CACHE_DIR_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (schema in docs/json.md).")
def cache_info(cache_dir: str | None, as_json: bool) -> None:
    """Where the cache is, its size on disk, the entries of each kind, and the limit."""
    import pathlib

    from stackread.index.cacheadmin import cache_info as read_info
    from stackread.render import cache as view

    info = read_info(pathlib.Path(cache_dir) if cache_dir else None)
    click.echo(json.dumps(view.to_json(info), indent=1) if as_json else "\n".join(view.lines(info)))


@cache.command("clear")
@click.option("--cache-dir", type=click.Path(file_okay=False), help=_CACHE_DIR_HELP)
@click.option("--all", "everything", is_flag=True, help="Remove the downloaded releases and cloned repositories too.")
def cache_clear(cache_dir: str | None, everything: bool) -> None:
    """Remove the computed results (the next run works them out again), and say what went.

    Downloaded releases are kept unless --all: commands may be pointed at them.
    """
    import pathlib

    from stackread.index.cacheadmin import clear_cache
    from stackread.render import cache as view

    cleared = clear_cache(pathlib.Path(cache_dir) if cache_dir else None, downloads=everything)
    click.echo("\n".join(view.cleared_lines(cleared)))
    if cleared.problems:
        sys.exit(ExitCode.ANALYSIS_ERROR)


def _show(as_json: bool, to_json, render) -> None:
    """The command's answer: JSON, or the rich renderables for a person."""
    if as_json:
        click.echo(json.dumps(to_json(), indent=1))
    else:
        from stackread.render.output import stdout

        for renderable in render():
            stdout().print(renderable)


def _report_diagnostics(diagnostics) -> None:
    if not diagnostics:
        return
    errors = sum(1 for d in diagnostics if d.severity.value == "error")
    warnings = len(diagnostics) - errors
    parts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((errors, "error"), (warnings, "warning")) if n]
    click.echo(f"\n{', '.join(parts)}:", err=True)
    # Errors always; warnings (mostly files skipped for Python 2 syntax) up to a screenful.
    shown = [d for d in diagnostics if d.severity.value == "error"]
    shown += [d for d in diagnostics if d.severity.value != "error"][: max(0, _MAX_DIAGNOSTICS - len(shown))]
    for d in shown:
        click.echo(f"  {d.severity.value}: {d}", err=True)
    if len(shown) < len(diagnostics):
        click.echo(f"  ... and {len(diagnostics) - len(shown)} more (--json lists them all)", err=True)


def main() -> None:
    debug = "--debug" in sys.argv[1:]
    try:
        cli.main(standalone_mode=False, prog_name="stackread")
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("stackread: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.USAGE_ERROR)
    except StackreadError as exc:
        if debug:
            raise
        click.echo(f"stackread: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # a bug of ours: one line, and the way to see more
        if debug:
            raise
        click.echo(f"stackread: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", err=True)
        sys.exit(ExitCode.ANALYSIS_ERROR)


from stackread.cli.gallery import gallery  # noqa: E402 - a command of its own module, registered on the group
cli.add_command(gallery)
