"""`stackread gallery`: each tree's operations traced (flows/gallery) and written as pages, then the
index over all trees, with one progress display over parsing and tracing."""

from __future__ import annotations

import pathlib

from stackread.errors import StackreadError
from stackread.flows.gallery import TreeTracer, trace_each
from stackread.flows.question import Question
from stackread.flows.reading import Reading
from stackread.render.gallery.index import TreeIndex
from stackread.render.gallery.layout import release_title
from stackread.render.links import link_template as default_template
from stackread.render.gallery.site import page_names, tree_directory, write_index, write_operation
from stackread.render.output import stages_progress, tell, warn

_SHOWN_FAILURES = 8


def write_gallery(readings: list[Reading], question: Question, out: pathlib.Path,
                  link_template: str | None) -> tuple[list, bool]:
    """Writes the site into `out`; returns what reading the trees reported (each diagnostic once),
    and whether every operation got its page (those that failed are listed on the index)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StackreadError(f"cannot write {out}: {exc.strerror or exc}") from exc
    trees, diagnostics, taken = [], {}, set()
    with stages_progress() as update:
        for reading in readings:
            tree = _write_tree(reading, question, (out, taken, link_template), update, diagnostics)
            trees.append(tree)
    index = write_index(out, trees)
    failed = [(t.release, x) for t in trees for x in t.entries if x.error]
    total = sum(len(t.entries) for t in trees)
    tell(f"wrote {index}: {total - len(failed)} operation pages, {len(failed)} failed")
    for release, entry in failed[:_SHOWN_FAILURES]:
        tell(f"  failed: {release.project} {entry.name}: {entry.error}")
    if len(failed) > _SHOWN_FAILURES:
        tell(f"  ... and {len(failed) - _SHOWN_FAILURES} more (listed on the index)")
    return list(diagnostics.values()), not failed


def _write_tree(reading: Reading, question: Question, site: tuple, update, seen: dict) -> TreeIndex:
    """One tree's pages into its own directory of the site (out, directories taken, link template)."""
    out, taken, link_template = site
    parsing = (lambda done, total: update(f"parsing {reading.path}", done, total)) if update else None
    with TreeTracer(reading, question, parsing) as tracer:
        release = tracer.release
        if not tracer.operations:
            warn(f"{reading.path}: no REST API operation found (see `stackread routes`)")
        directory = out / tree_directory(release, taken)
        directory.mkdir(exist_ok=True)
        template = default_template(release, link_template)
        names = page_names(tracer.operations)
        entries = []
        for number, traced in enumerate(trace_each(tracer)):
            entries.append(write_operation(directory, names[number], release, traced, template))
            for d in traced.trace.diagnostics if traced.trace else ():
                seen.setdefault(str(d), d)
            if update:
                update(f"tracing {release_title(release)}", number + 1, len(names))
    return TreeIndex(release, tuple(entries))
