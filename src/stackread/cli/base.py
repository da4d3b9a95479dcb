"""The group every command joins, the options many of them share, how each one ends, and main()."""

import sys

import click

from stackread import __version__
from stackread.errors import ExitCode, StackreadError
from stackread.perf import one_command_process
from stackread.render.output import report_diagnostics, say_warnings

@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="stackread", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show tracebacks of failures.")  # read by main(), before click
@click.option("-q", "--quiet", is_flag=True, help="Leave warnings out (files skipped, ...); errors are still said.")
def cli(debug: bool, quiet: bool) -> None:
    """Read an OpenStack service from its source: where each process starts, what it runs,
    and how one API request crosses services.

    \b
    Examples:
      stackread get nova==34.0.0             fetch a release's source into the cache
      stackread entrypoints ~/src/nova       services, WSGI apps, tools and plugins
      stackread entrypoints ~/src/nova --rev 14.0.0 --json
      stackread callgraph ~/src/nova --json > nova-calls.json
      stackread graph ComputeManager.build_and_run_instance -C ~/src/nova --depth 2
      stackread graph ServersController.create --to LibvirtDriver.spawn -C ~/src/nova
      stackread rpc ~/src/nova --service nova-conductor
      stackread routes ~/src/nova --find live-migrate
      stackread trace create_server -C ~/src/nova
      stackread trace create_server -C ~/src/nova -o create_server.svg
      stackread breakpoints create_server -C ~/src/nova > .pdbrc
    """
    say_warnings(not quiet)


path_argument = click.argument("path", default=".", type=click.Path())
path_option = click.option("-C", "path", default=".", type=click.Path(), help="The project to read (default: here).")
trees_option = click.option("-C", "paths", multiple=True, metavar="PATH|SPEC", help="The project to read (default: here), or a release (nova==34.0.0); again for each project to follow REST calls into.")
rev_option = click.option("--rev", metavar="REV", help="Read this git revision without checking it out.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (schema in docs/json.md).")
library_option = click.option("-L", "--library", "libraries", multiple=True, metavar="SPEC|PATH", help="Also read this library's packages (neutron-lib==5.0.1, fetched like `get`, or a source directory); repeatable.")


def cache_options(cache_help: str = "The cache directory, as $STACKREAD_CACHE_DIR (index/ holds the index).",
                  include_tests: bool = False):
    """--cache-dir and --no-cache: where the index cache is, or none; --include-tests for whole-tree commands."""
    def decorate(command):
        command = click.option("--no-cache", is_flag=True, help="Neither read nor write the index cache.")(command)
        command = click.option("--cache-dir", type=click.Path(file_okay=False), help=cache_help)(command)
        if include_tests:
            command = click.option("--include-tests", is_flag=True, help="Analyse test packages too (left out by default).")(command)
        return command
    return decorate


def finish(diagnostics, reported: bool = False) -> None:
    """Once the answer is out: the input's problems on stderr (unless `reported`), exit status 1 for errors."""
    if not reported:
        report_diagnostics(diagnostics)
    if any(d.severity.value == "error" for d in diagnostics):
        sys.exit(ExitCode.ANALYSIS_ERROR)


@one_command_process
def main() -> None:
    """The console script: one line on stderr and an exit status for every failure, no traceback."""
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
        from stackread.render.output import explain

        if not explain(exc, debug):
            raise
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
