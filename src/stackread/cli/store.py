"""The commands about what stackread keeps: get (a release into the cache), cache info and clear."""

import pathlib
import sys

import click

from stackread.cli.base import cli, json_option
from stackread.errors import ExitCode


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
    from stackread.source.fetch import fetch_source

    path = fetch_source(spec, pathlib.Path(cache_dir) if cache_dir else None, index_url=index_url,
                        report=lambda line: click.echo(f"  {line}", err=True))
    click.echo(str(path))


_cache_dir_option = click.option("--cache-dir", type=click.Path(file_okay=False), help="The cache directory, holding index/, releases/ and repos/ (default: $STACKREAD_CACHE_DIR, else $XDG_CACHE_HOME/stackread, else ~/.cache/stackread).")


@cli.group()
def cache() -> None:
    """What stackread keeps, and emptying it.

    \b
    Computed results (index/: file summaries, call graphs, traced flows) are worked out again
    when missing; past $STACKREAD_CACHE_MAX_MB (default 512) the least recently used go first.
    Downloads (releases/ from `stackread get`, repos/) stay until `stackread cache clear --all`.
    """


@cache.command("info")
@_cache_dir_option
@json_option
def cache_info(cache_dir: str | None, as_json: bool) -> None:
    """Where the cache is, its size on disk, the entries of each kind, and the limit."""
    from stackread.index.cacheadmin import cache_info as read_info
    from stackread.render import cache as view

    view.show_info(read_info(pathlib.Path(cache_dir) if cache_dir else None), as_json)


@cache.command("clear")
@_cache_dir_option
@click.option("--all", "everything", is_flag=True, help="Remove the downloaded releases and cloned repositories too.")
def cache_clear(cache_dir: str | None, everything: bool) -> None:
    """Remove the computed results (the next run works them out again), and say what went.

    Downloaded releases are kept unless --all: commands may be pointed at them.
    """
    from stackread.index.cacheadmin import clear_cache
    from stackread.render import cache as view

    cleared = clear_cache(pathlib.Path(cache_dir) if cache_dir else None, downloads=everything)
    click.echo("\n".join(view.cleared_lines(cleared)))
    if cleared.problems:
        sys.exit(ExitCode.ANALYSIS_ERROR)
