"""The commands that follow one operation across processes: trace (and --diff), breakpoints."""

import contextlib
import functools
import sys

import click

from stackread.cli.base import cache_options, cli, finish, json_option, library_option, path_option, rev_option, trees_option
from stackread.errors import ExitCode, StackreadError, UnknownOperation
from stackread.flows.reading import Reading
from stackread.render.output import explain, index_progress, warn


driver_option = click.option("--driver", metavar="NAME", help="Which implementation of a driver interface to follow: "
                             "lvm, ironic, ...; 'all' every one; default: the one an option's default names, else libvirt.")
set_option = click.option("--set", "settings", multiple=True, metavar="GROUP.OPTION=VALUE",
                          help="Evaluate conditions with this option value instead of its default (repeatable); "
                               "the option must be declared in the tree, DEFAULT.OPTION is OPTION.")


def _flow_options(rev, errors_help: str, where=path_option):
    """The options of every command that traces a flow: where, which revision, driver, settings."""
    options = [where, rev, driver_option, set_option, click.option("--errors", is_flag=True, help=errors_help)]
    return lambda command: functools.reduce(lambda decorated, option: option(decorated), reversed(options), command)


def _operations(ctx: click.Context, _param, incomplete: str) -> list[str]:
    """OPERATION completed from the tree `-C PATH` names earlier on the line (flows/completion.py)."""
    from stackread.flows.completion import operation_names

    p = ctx.params  # trace's -C is repeatable (`paths`): the first names the tree
    path = p["path"] if ctx.get_parameter_source("path") is click.core.ParameterSource.COMMANDLINE else (p.get("paths") or [None])[0]
    return operation_names(Reading(path, p.get("rev"), p.get("cache_dir"), not p.get("no_cache")) if path else None,
                           incomplete)


@contextlib.contextmanager
def _traced():
    """Around a trace, its progress bar; an operation the tree lacks lists the close ones, and exits 1."""
    try:
        with index_progress() as progress:
            yield progress
    except UnknownOperation as exc:
        explain(exc)
        sys.exit(ExitCode.ANALYSIS_ERROR)


@cli.command()
@click.argument("operation", required=False, shell_complete=_operations)
@_flow_options(rev_option, "Also show the error path (calls in except blocks).", trees_option)
@click.option("--list", "list_names", is_flag=True,
              help="Print the name of every operation of the tree, one a line (for shell completion), and stop.")
@click.option("--show-objects", is_flag=True, help="Also follow versioned objects, the DB API and notifications.")
@click.option("--microversion", metavar="X.Y", help="Decide microversion checks for X.Y (default: the newest).")
@click.option("--set-policy", "policies", multiple=True, metavar="NAME=RULE", help="Check policy NAME with RULE ('@', '!').")
@click.option("--assume", "assumptions", multiple=True, metavar="NAME=VALUE", help="Change an assumption the note lists.")
@click.option("--depth", "extra_depth", type=click.IntRange(0, None), default=0, show_default=True,
              help="Also show N levels of calls that lead to no other process, driver or service.")
@click.option("--detail", type=click.Choice(["hops", "story", "steps", "all"]),
              help="How much of the flow to show (the rules are below): hops, story (the default of "
                   "drawings), steps (the default of the text tree and --json), all.")
@click.option("--all-calls", is_flag=True, help="Show every call the flow makes (the same as --detail all).")
@click.option("--diff", "other", metavar="REV|DIR",
              help="Compare with another version: a git revision of the same repository, or another "
                   "source tree (an unpacked sdist). The one traced (-C, --rev) is the old side.")
@json_option
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), metavar="FILE",
              help="Draw the flow into FILE: .svg .png .dot .mmd (Mermaid) .puml (PlantUML) .diag (seqdiag) .json.")
@click.option("--format", "fmt", type=click.Choice(["svg", "png", "dot", "json", "mermaid", "plantuml", "seqdiag"],
                                                   case_sensitive=False),
              help="Format of -o FILE (default: its suffix); text formats print to stdout without -o. "
                   "With --diff: mermaid, added/removed hops colored.")
@click.option("--view", type=click.Choice(["graph", "sequence"]),
              help="graph: cross-process call graph (default for svg/png/dot); sequence: a sequence diagram.")
@click.option("--link-template", metavar="URL",
              help="Where SVG nodes link, with {path} and {line}; default: the code at the release's "
                   "tag on opendev for a published release (an sdist), else file:// to the source.")
@cache_options()
@library_option
def trace(operation: str | None, paths: tuple[str, ...], rev: str | None, driver: str | None, settings: tuple, errors: bool,
          list_names: bool, show_objects: bool, microversion: str | None, policies: tuple, assumptions: tuple,
          extra_depth: int, detail: str | None, all_calls: bool, other: str | None, as_json: bool, out: str | None,
          fmt: str | None, view: str | None, link_template: str | None, cache_dir: str | None, no_cache: bool,
          libraries: tuple[str, ...]) -> None:
    """The cross-process flow of one API operation, from the controller to the virt driver.

    OPERATION is named the way you know it: create_server, 'server create', 'POST /servers',
    reboot, live-migrate (see `stackread routes --find`). Each process boundary shows cast or
    call, the RPC method, the receiving service and which host it goes to; steps under a
    condition carry it, and conditions on configuration options are evaluated on their
    defaults to mark the default path. So are those on the request, in the default scenario:
    the newest microversion (--microversion X.Y), the policy defaults in code (--set-policy
    NAME=RULE), an image-backed ACTIVE instance and no pending resize (--assume NAME=VALUE);
    the closing note lists every assumption, and each decided branch says which it used.

    \b
    --detail: how much of the flow is shown, by rules, never by a list per operation:
      hops   the RPC hops only, each landing on its endpoint method
      story  (the default of drawings) the hops; each endpoint's main driver
             call: one it makes itself or through its own helpers (named with
             the endpoint's name: _do_live_migration), or a driver method named
             after it, never a get_* query; per process, each other service's
             client as one arrow where that process first calls it, with the
             count and the methods; frames only where a kept hop or driver call
             is conditional or looped
      steps  (the default of the text tree and --json) every call on the way
             to a hop, driver or service
      all    every call (--all-calls)

    \b
    Drawings (-o FILE, --format, --view):
      stackread trace create_server -C ~/src/nova -o create_server.svg
      stackread trace create_server -C ~/src/nova --view sequence -o create_server.svg
      stackread trace resize -C ~/src/nova --format mermaid > resize.mmd

    \b
    Across projects: give the trees of the services the flow calls too (the first -C is the
    one traced). A call into another service's client (nova/volume/cinder.py) is read through
    the client library's source to the HTTP request it sends (VERB URL), into the serving
    tree's route for it and on through that project's processes, as a hop of kind rest:
      stackread trace "server add volume" -C nova==34.0.0 -C cinder==29.0.0
      nova-api =rest=> cinder-api  GET /volumes/{id}
    The client library is the one -L names, else the python-<project>client the first tree's
    requirements.txt asks for: its newest release in the cache, else fetched like `get`.
    Without the serving tree the call stays a leaf.

    \b
    With --diff, the same operation in two versions: hops added, removed, renamed or changed
    (cast became call, another process, another endpoint, off the default path), and the
    steps whose code moved, with path:line on both sides:
      stackread trace live-migrate -C ~/src/nova --rev 12.0.0 --diff 15.0.0
      stackread trace create_server -C nova-15.1.5 --diff nova-34.0.0 --format mermaid
    """
    from stackread.flows import completion, crossing, detail as levels, flowdiff, question as asked, settings as given, trace as tracing
    from stackread.render.trace_output import TraceOutput, show_answer, showing

    project, servers = crossing.readings(paths, rev, cache_dir, not no_cache, libraries)
    if list_names:
        names, problems = completion.every_operation(project)
        click.echo("".join(f"{name}\n" for name in names), nl=False)
        return finish(problems)
    if operation is None:
        raise click.UsageError("Missing argument 'OPERATION' (or --list).")
    try:  # the output is checked before the walk, so that a typo costs no time
        detail = levels.chosen(detail, all_calls)
        output = TraceOutput(as_json, out, fmt, view, link_template, diff=other is not None, detail=detail).checked()
    except StackreadError as exc:
        raise click.UsageError(str(exc)) from exc
    question = asked.Question(operation, driver, given.parse_settings(settings), show_objects, asked.MAX_DEPTH
                              if detail == "all" else extra_depth, errors, asked.scenario_choices(microversion, policies, assumptions))
    with _traced() as progress:
        answer, text = (tracing.trace_and_show(project, question, showing(output, errors), progress, tuple(servers)) if other is None
                        else (flowdiff.diff_operation(project, project.other(other), question, progress, warn), None))
    finish(show_answer(answer, output, errors, text), reported=True)


@cli.command()
@click.argument("operation", required=False, shell_complete=_operations)
@_flow_options(click.option("--rev", metavar="REV", help="Read this git revision without checking it out (not with --insert)."),
               "Also stop on the error path (calls in except blocks).")
@json_option
@click.option("--insert", is_flag=True, help="Put a breakpoint statement at each place in the working tree.")
@click.option("--remove", is_flag=True, help="Take out every breakpoint statement stackread inserted (OPERATION optional).")
@click.option("--stmt", "statement", default="import pdb; pdb.set_trace()", show_default=True,
              help="The statement --insert puts in, e.g. 'breakpoint()' or a remote debugger's.")
@click.option("--force", is_flag=True, help="With --insert: edit files with uncommitted changes or other hard links, "
              "or outside git. With --remove: take out every line marked # stackread-breakpoint, recorded or not.")
@cache_options()
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
    from stackread.flows import breakpoints as bp, question as asked, settings as given
    from stackread.render import breakpoints as view

    if insert and remove:
        raise click.UsageError("--insert and --remove do not go together")
    if remove:
        changes = bp.remove(path, force)
        view.show_changes(changes, "removed")
        sys.exit(ExitCode.ANALYSIS_ERROR if changes.problems else ExitCode.OK)
    if operation is None:
        raise click.UsageError("Missing argument 'OPERATION' (only --remove goes without one).")
    question = asked.Question(operation, driver, given.parse_settings(settings), errors=errors)
    if insert:
        bp.check_insert(rev, statement)
    with _traced() as progress:
        plan = bp.plan_breakpoints(Reading(path, rev, cache_dir, not no_cache), question, progress)
    if insert:
        view.show_inserted(plan, bp.insert(plan, statement, force), path)
    else:
        view.show_plan(plan, as_json)
    finish(plan.diagnostics)
