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
    from stackread.entrypoints import find_entrypoints
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

    from stackread import fetch

    def report(line: str) -> None:
        click.echo(f"  {line}", err=True)

    cache = pathlib.Path(cache_dir) if cache_dir else None
    if fetch.looks_like_git_url(spec):
        path = fetch.clone_repository(spec, cache, report=report)
    else:
        path = fetch.fetch_release(spec, cache, index_url=index_url, report=report)
    click.echo(str(path))


def _report_diagnostics(diagnostics) -> None:
    if not diagnostics:
        return
    errors = sum(1 for d in diagnostics if d.severity.value == "error")
    warnings = len(diagnostics) - errors
    parts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((errors, "error"), (warnings, "warning")) if n]
    click.echo(f"\n{', '.join(parts)}:", err=True)
    for d in diagnostics:
        click.echo(f"  {d.severity.value}: {d}", err=True)


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
