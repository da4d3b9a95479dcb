"""`stackread gallery PATH... -o DIR`: every operation of each tree as a static browsable site."""

import pathlib
import sys

import click

from stackread.cli.base import cache_options, cli, finish
from stackread.cli.flows import driver_option, set_option
from stackread.errors import ExitCode, StackreadError
from stackread.flows.reading import Reading


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="PATH...")
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False), metavar="DIR",
              help="Directory to write the site into (created; pages already there are replaced).")
@click.option("--link-template", metavar="URL", help="Where source links go, with {path} and {line}; default: "
              "opendev at the release's tag for a published release (an sdist), else file:// to the source.")
@click.option("--diff", "old", metavar="REV|DIR", help="Also say, per operation, how its flow changed since this "
              "older release (another source tree, or a git revision of PATH's repository); one PATH only.")
@driver_option
@set_option
@cache_options()
def gallery(paths: tuple[str, ...], out: str, link_template: str | None, old: str | None, driver: str | None,
            settings: tuple[str, ...], cache_dir: str | None, no_cache: bool) -> None:
    """Write every API operation of each tree as a static site: DIR/index.html lists them by
    resource with a search box; each operation's page has its sequence diagram, hops, steps and
    links to the source. Open DIR/index.html in a browser, or copy DIR to any static host.

    \b
      stackread gallery "$(stackread get nova==34.0.0)" -o site
      stackread gallery nova-34.0.0 cinder-29.0.0 -o site
      stackread gallery nova-34.0.0 --diff nova-15.1.5 -o site
    """
    from stackread.flows import question as asked, settings as given
    from stackread.render import diagram
    from stackread.render.gallery.build import write_gallery

    if old is not None and len(paths) != 1:
        raise click.UsageError("--diff compares one tree with an older release: give one PATH")
    try:
        diagram.check_link_template(link_template)
    except StackreadError as exc:
        raise click.UsageError(str(exc)) from exc
    question = asked.Question("", driver, given.parse_settings(settings))
    readings = [Reading(path, None, cache_dir, not no_cache) for path in paths]
    diagnostics, complete = write_gallery(readings, question, pathlib.Path(out), link_template,
                                          readings[0].other(old) if old else None)
    finish(diagnostics)
    if not complete:
        sys.exit(ExitCode.ANALYSIS_ERROR)
