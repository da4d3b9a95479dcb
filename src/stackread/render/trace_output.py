"""What `stackread trace` prints or writes, and the checks on it that run before anything is traced.

A flow is shown as text (render/trace.py), JSON, or a drawing (-o FILE, --format, --view: see
render/diagram.py); a flow diff (--diff) as text, JSON, Mermaid, or a sequence diagram in SVG or
PNG (render/flowdiff.py). Each asks for what the other cannot do, so `checked` refuses the
combinations that make no sense with a UsageError, and a typo costs no time.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from stackread.diagnostics import Diagnostic
from stackread.errors import UsageError
from stackread.flows.detail import PRUNED, at_level
from stackread.flows.flow import Trace
from stackread.flows.question import Showing
from stackread.render import diagram
from stackread.render.output import console_signature, rendered, report_diagnostics, say, say_rendered, show, tell

if TYPE_CHECKING:  # a flow diff: only --diff imports it
    from stackread.flows.flowdiff import FlowDiff

_DIFF_SUFFIXES = (".svg", ".png", ".mmd")


@dataclass(frozen=True)
class TraceOutput:
    as_json: bool = False
    out: str | None = None  # -o FILE
    fmt: str | None = None  # --format
    view: str | None = None  # --view graph | sequence
    link_template: str | None = None
    diff: bool = False  # the answer is a flow diff
    choice: diagram.Choice | None = None  # the drawing of a flow, once checked
    detail: str | None = None  # --detail; None: story for a drawing, steps for the text tree and JSON

    @property
    def level(self) -> str:
        """The level of detail shown: a drawing tells the story first, the tree and JSON hold every step."""
        if self.detail is not None:
            return self.detail
        return "story" if self.choice is not None and self.choice.format != "json" else "steps"

    @property
    def target(self) -> pathlib.Path | None:
        return pathlib.Path(self.out) if self.out else None

    def checked(self) -> TraceOutput:
        """This output with its drawing chosen; a UsageError for what cannot be written."""
        if self.as_json and (self.target or self.fmt):
            raise UsageError("--json prints trace's JSON; with -o or --format use --format json instead")
        if self.diff:
            if self.detail in PRUNED:
                raise UsageError(f"--diff compares every step of both flows: --detail {self.detail} does not apply")
            if (self.view or self.link_template or (self.fmt and self.fmt.lower() != "mermaid")
                    or (self.target and self.target.suffix.lower() not in _DIFF_SUFFIXES)):
                raise UsageError("--diff prints text, --json or --format mermaid, or draws -o FILE.svg/.png/.mmd")
            return self
        choice = diagram.choose(self.target, self.fmt, self.view) if (self.target or self.fmt) else None
        if choice is not None:
            diagram.check_link_template(self.link_template)
        elif self.view or self.link_template:
            raise UsageError("--view and --link-template apply to drawings: add -o FILE or --format")
        return replace(self, choice=choice)


def show_answer(answer: Trace | FlowDiff, output: TraceOutput, errors: bool = False,
                text: str | None = None) -> list[Diagnostic]:
    """Prints or writes the flow (with the error path if `errors`) or the flow diff as asked, then
    what was wrong in the input on stderr; returns every diagnostic, for the exit status. `text`:
    what `answer_text` gave for this answer and output, kept from an earlier command."""
    if not isinstance(answer, Trace):  # a FlowDiff
        _show_diff(answer, output)
        report_diagnostics(answer.new.diagnostics)
        report_diagnostics(answer.old.diagnostics)
        return list(answer.old.diagnostics) + list(answer.new.diagnostics)
    diagnostics = list(answer.diagnostics)
    text = text if text is not None else answer_text(answer, output, errors)
    if text is not None:
        say_rendered(text)
    else:
        data = diagram.render(at_level(answer, output.level, errors), output.choice, errors=errors,
                              link_template=output.link_template)
        diagram.write(output.target, data)
        tell(f"wrote {output.target} ({output.choice.view} view, {output.choice.format})")
    report_diagnostics(diagnostics)
    return diagnostics


def answer_text(answer: Trace, output: TraceOutput, errors: bool = False) -> str | None:
    """What `show_answer` prints of a flow on stdout, as text; None for a drawing written to a file.
    The same answer and `showing` signature give the same text."""
    answer = at_level(answer, output.level, errors)
    if output.choice is not None:
        if output.target is not None:
            return None
        return diagram.render(answer, output.choice, errors=errors, link_template=output.link_template).decode("utf-8")
    from stackread.render import trace as text_view

    return rendered(output.as_json, lambda: text_view.to_json(answer, errors), lambda: text_view.render(answer, errors))


def showing(output: TraceOutput, errors: bool = False) -> Showing:
    """How the flow is shown, for `trace_and_show` to keep its text: `answer_text`, and everything
    that text depends on besides the answer."""
    return Showing(repr((output, errors, console_signature())), lambda flow: answer_text(flow, output, errors))


def _show_diff(diff: FlowDiff, output: TraceOutput) -> None:
    from stackread.render import flowdiff as diff_view

    if output.target is not None:
        from stackread.render.sequence_svg import to_svg

        if output.target.suffix.lower() == ".mmd":
            data = diff_view.to_mermaid(diff).encode("utf-8")
        else:
            svg = to_svg(diff_view.to_sequence(diff), legend=diff_view.legend())
            data = svg if output.target.suffix.lower() == ".svg" else diagram.svg_to_png(svg)
        diagram.write(output.target, data)
        tell(f"wrote {output.target} (flow diff, sequence view)")
    elif output.fmt:
        say(diff_view.to_mermaid(diff), nl=False)
    else:
        show(output.as_json, lambda: diff_view.to_json(diff), lambda: diff_view.render(diff))
