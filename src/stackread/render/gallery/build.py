"""`stackread gallery`: each tree's operations traced (flows/gallery) and written as pages, then the
index over all trees, with one progress display over parsing and tracing."""

from __future__ import annotations

import contextlib
import pathlib
from dataclasses import replace

from stackread.errors import StackreadError
from stackread.flows.gallery import TreeTracer, compare_each, trace_each
from stackread.flows.question import Question
from stackread.flows.reading import Reading
from stackread.flows.settings import settings_across
from stackread.render.gallery.index import TreeIndex
from stackread.render.gallery.layout import release_title
from stackread.render.links import link_template as default_template
from stackread.render.gallery.site import page_names, tree_directory, write_index, write_operation
from stackread.render.output import stages_progress, tell, warn

_SHOWN_FAILURES = 8


def write_gallery(readings: list[Reading], question: Question, out: pathlib.Path, link_template: str | None,
                  old: Reading | None = None) -> tuple[list, bool]:
    """Writes the site into `out`; returns what reading the trees reported (each diagnostic once),
    and whether every operation got its page (those that failed are listed on the index). With
    `old`, each page also says how its flow changed since that release, and the index which did."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StackreadError(f"cannot write {out}: {exc.strerror or exc}") from exc
    trees, diagnostics, taken = [], {}, set()
    with stages_progress() as update:
        for reading in readings:
            tree = _write_tree(reading, question, (out, taken, link_template, old), update, diagnostics)
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
    """One tree's pages into its own directory of the site (out, directories taken, link template,
    the old release to compare with or None)."""
    out, taken, link_template, old = site
    with contextlib.ExitStack() as opened:
        tracer, before = _tracers(reading, question, old, update, opened)
        release = tracer.release
        if not tracer.operations:
            warn(f"{reading.path}: no REST API operation found (see `stackread routes`)")
        directory = out / tree_directory(release, taken)
        directory.mkdir(exist_ok=True)
        template = default_template(release, link_template)
        names = page_names(tracer.operations)
        entries, flows = [], trace_each(tracer)
        if before is not None:
            flows = compare_each(flows, before, release_title(before.release))
        for number, traced in enumerate(flows):
            entries.append(write_operation(directory, names[number], release, traced, template))
            for d in traced.trace.diagnostics if traced.trace else ():
                seen.setdefault(str(d), d)
            if update:
                update(f"tracing {release_title(release)}", number + 1, len(names))
    other = release_title(before.release) if before is not None else None
    return TreeIndex(release, tuple(entries), other)


def _tracers(reading: Reading, question: Question, old: Reading | None, update, opened):
    """The tree's tracer and, with `old`, the old release's: each with the settings its tree declares."""
    def parsing(path):
        return (lambda done, total: update(f"parsing {path}", done, total)) if update else None

    asked = [question, question]
    if old is not None and question.settings:
        per_tree, left_out = settings_across([reading, old], question.settings)
        asked = [replace(question, settings=settings) for settings in per_tree]
        for warning in left_out:
            warn(warning)
    tracer = opened.enter_context(TreeTracer(reading, asked[0], parsing(reading.path)))
    before = None if old is None else opened.enter_context(TreeTracer(old, asked[1], parsing(old.label)))
    return tracer, before
