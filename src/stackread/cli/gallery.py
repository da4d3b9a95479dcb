"""`stackread gallery PATH... -o DIR`: every operation of each tree as a static browsable site."""

from __future__ import annotations

import sys

import click

from stackread.errors import ExitCode, StackreadError


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="PATH...")
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False), metavar="DIR",
              help="Directory to write the site into (created; pages already there are replaced).")
@click.option("--link-template", metavar="URL",
              help="Where source links go, with {path} and {line}; default: opendev at the release's tag for "
                   "a published release (an sdist), else file:// to the source.")
@click.option("--driver", metavar="NAME", help="Which implementation of a driver interface to follow (default libvirt).")
@click.option("--set", "settings", multiple=True, metavar="GROUP.OPTION=VALUE",
              help="Evaluate conditions with this option value instead of its default (repeatable).")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Index cache directory.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the index cache.")
def gallery(paths: tuple[str, ...], out: str, link_template: str | None, driver: str | None,
            settings: tuple[str, ...], cache_dir: str | None, no_cache: bool) -> None:
    """Write every API operation of each tree as a static site: DIR/index.html lists them by
    resource with a search box; each operation's page has its sequence diagram, hops, steps and
    links to the source. Open DIR/index.html in a browser, or copy DIR to any static host.

    \b
      stackread gallery "$(stackread get nova==34.0.0)" -o site
      stackread gallery nova-34.0.0 cinder-29.0.0 -o site
    """
    import pathlib

    from stackread.flows.settings import parse_settings
    from stackread.render import diagram
    from stackread.render.output import stages_progress

    try:
        diagram.check_link_template(link_template)
    except StackreadError as exc:
        raise click.UsageError(str(exc)) from exc
    values = parse_settings(settings)
    target = pathlib.Path(out)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StackreadError(f"cannot write {target}: {exc.strerror or exc}") from exc
    trees, diagnostics, taken = [], [], set()
    with stages_progress() as update:
        for path in paths:
            tree, found = _tree(path, target, taken, link_template, driver, values, cache_dir, no_cache, update)
            trees.append(tree)
            diagnostics += found
    from stackread.render.gallery.site import write_index

    index = write_index(target, trees)
    failed = [(t.release, x) for t in trees for x in t.entries if x.error]
    total = sum(len(t.entries) for t in trees)
    click.echo(f"wrote {index}: {total - len(failed)} operation pages, {len(failed)} failed", err=True)
    for release, entry in failed[:8]:
        click.echo(f"  failed: {release.project} {entry.name}: {entry.error}", err=True)
    if len(failed) > 8:
        click.echo(f"  ... and {len(failed) - 8} more (listed on the index)", err=True)
    from stackread.cli.commands import _report_diagnostics

    _report_diagnostics(diagnostics)
    if failed or any(d.severity.value == "error" for d in diagnostics):
        sys.exit(ExitCode.ANALYSIS_ERROR)


def _tree(path, target, taken, link_template, driver, settings, cache_dir, no_cache, update):
    """One tree's pages; returns its index and what reading it reported (each diagnostic once)."""
    from stackread.flows.gallery import TreeTracer, trace_each
    from stackread.render.gallery.index import TreeIndex
    from stackread.render.gallery.layout import release_title
    from stackread.render.gallery.links import link_template as default_template
    from stackread.render.gallery.site import page_names, tree_directory, write_operation

    parsing = (lambda done, total: update(f"parsing {path}", done, total)) if update else None
    with TreeTracer(path, driver=driver, settings=settings, cache_dir=cache_dir, use_cache=not no_cache,
                    progress=parsing) as tracer:
        release = tracer.release
        if not tracer.operations:
            click.echo(f"stackread: warning: {path}: no REST API operation found (see `stackread routes`)", err=True)
        directory = target / tree_directory(release, taken)
        directory.mkdir(exist_ok=True)
        template = default_template(release, link_template)
        names = page_names(tracer.operations)
        entries, seen = [], {}
        stage = f"tracing {release_title(release)}"
        for number, traced in enumerate(trace_each(tracer)):
            entries.append(write_operation(directory, names[number], release, traced, template))
            for d in traced.trace.diagnostics if traced.trace else ():
                seen.setdefault(str(d), d)
            if update:
                update(stage, number + 1, len(names))
    return TreeIndex(release, tuple(entries)), list(seen.values())
