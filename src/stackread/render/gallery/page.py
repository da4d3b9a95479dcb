"""One operation's page: the sequence diagram inline (zoom and pan), the hop table, the step tree
(nested <details>), links to the source at the release and the other views as downloads."""

from __future__ import annotations

from typing import Callable

from stackread.flows.fold import folded_label
from stackread.flows.gallery import Compared, Release, Traced
from stackread.flows.trace import Hop, Step, Trace
from stackread.render.flow import short
from stackread.render.gallery.assets import ZOOM_JS
from stackread.render.gallery.layout import document, e, hop_summary, processes, release_title, route_text

UrlOf = Callable[[str, int], str]


def operation_page(release: Release, traced: Traced, svg: str | None, downloads: dict[str, str],
                   url_of: UrlOf, index_href: str = "../index.html", steps_svg: str | None = None) -> str:
    """The page's HTML; `svg` is the sequence diagram of the story (an <svg> element, already XML-escaped
    by its writer), `steps_svg` the one of every step the toggle shows instead, `downloads` label -> file
    name beside the page."""
    trace = traced.trace
    assert trace is not None
    name = traced.operation.name
    header = (f"<p><a href=\"{e(index_href)}\">&larr; {e(release_title(release))}: all operations</a></p>"
              f"<h1>{e(name)}</h1>"
              f"<p class=\"mono\">{'<br>'.join(e(route_text(r)) for r in traced.operation.routes)}</p>"
              f"<p>{e(' → '.join(processes(trace)))} <span class=\"dim\">({e(hop_summary(trace))})</span></p>")
    body = [_assumptions(trace), _diagram(svg, downloads, steps_svg), _since(traced.compared), _hop_table(trace, url_of),
            _steps(trace, url_of)]
    return document(f"{name} · {release_title(release)}", header, "\n".join(body), ZOOM_JS if svg else "")


def _assumptions(trace: Trace) -> str:
    settings = ", ".join(f"{k}={v!r}" for k, v in sorted(trace.settings.items()))
    said = ["Conditions on configuration options are evaluated on their defaults"
            + (f", except {e(settings)}" if settings else "") + " to mark the default path; "
            "the error path (except blocks) is left out."]
    said += [e(note) for note in trace.notes]
    return "<section class=\"notes\">" + "".join(f"<p class=\"dim\">{text}</p>" for text in said) + "</section>"


def _diagram(svg: str | None, downloads: dict[str, str], steps_svg: str | None = None) -> str:
    links = " ".join(f"<a class=\"button\" href=\"{e(href)}\" download>{e(label)}</a>"
                     for label, href in downloads.items())
    if svg is None:
        return f"<h2>Sequence diagram</h2><p class=\"dim\">No diagram could be drawn.</p><div class=\"toolbar\">{links}</div>"
    buttons = ("<button id=\"zoom-out\" type=\"button\" title=\"Zoom out\">&minus;</button>"
               "<span id=\"zoom-level\" class=\"dim\">100%</span>"
               "<button id=\"zoom-in\" type=\"button\" title=\"Zoom in\">+</button>"
               "<button id=\"zoom-fit\" type=\"button\">Fit</button>"
               "<button id=\"zoom-reset\" type=\"button\">1:1</button>")
    said = ("<p class=\"dim\">The story: the hops, each endpoint's main driver call, and one arrow per other "
            "service and process (hover it for the methods).</p>")
    inner = svg
    if steps_svg is not None:  # both drawn into the page: the toggle needs no server and fetches nothing
        buttons = ("<button id=\"detail-toggle\" type=\"button\" aria-pressed=\"false\" "
                   "data-steps=\"Expand to every step\" data-story=\"Back to the story\">Expand to every step"
                   "</button>" + buttons)
        inner = (f"<div class=\"level\" data-level=\"story\">{svg}</div>"
                 f"<div class=\"level\" data-level=\"steps\" hidden>{steps_svg}</div>")
    return (f"<h2>Sequence diagram</h2>{said}<div class=\"toolbar\">{buttons}<span class=\"dim\">drag to pan, "
            f"ctrl+wheel to zoom · download:</span> {links}</div>"
            f"<div id=\"viewport\" class=\"viewport\">{inner}</div>")


def _since(compared: Compared | None) -> str:
    """With --diff: how the flow changed since the old release, hop by hop, and both flows drawn as one."""
    if compared is None:
        return ""
    title = f"<h2>Since {e(compared.other)}</h2>"
    if compared.error is not None:
        return f"{title}<p class=\"bad\">Its flow there could not be worked out: {e(compared.error)}</p>"
    if compared.diff is None:
        return f"{title}<p>New: {e(compared.other)} has no operation of this name.</p>"
    from stackread.render.flowdiff import to_sequence
    from stackread.render.sequence_svg import to_svg

    changes = [c for c in compared.diff.hops if c.status not in ("same", "moved")]
    if not changes:
        moved = sum(1 for c in compared.diff.hops if c.status == "moved")
        return f"{title}<p>The same hops{f', {moved} of them with code that moved' if moved else ''}.</p>"
    rows = "".join(f"<li><span class=\"badge\">{e(c.status)}</span> {e(_hop_text(c))}</li>" for c in changes)
    svg = to_svg(to_sequence(compared.diff)).decode("utf-8").split("?>", 1)[-1].strip()
    return f"{title}<ul class=\"changes\">{rows}</ul><div class=\"viewport plain\">{svg}</div>"


def _hop_text(change) -> str:
    hop = change.hop
    text = f"{hop.source} ={hop.kind}=> {hop.target} {hop.method}"
    if change.status == "renamed":
        text = f"{hop.source} ={hop.kind}=> {hop.target} {change.old.method} -> {hop.method}"
    said = [f"{c.field}: {c.old} -> {c.new}" for c in change.changes
            if c.field not in ("method", "client_path", "client_line", "endpoint_path", "endpoint_line")]
    return text + (f" ({'; '.join(said)})" if said else "")


def _where(url_of: UrlOf, path: str, line: int) -> str:
    return f"<a class=\"mono where\" href=\"{e(url_of(path, line))}\">{e(path)}:{line}</a>"


def _hop_table(trace: Trace, url_of: UrlOf) -> str:
    hops = [h for h in trace.hops if not h.error_path]
    if not hops:
        return "<h2>Hops</h2><p class=\"dim\">No RPC hop: the operation stays in its process.</p>"
    rows = "".join(_hop_row(i, h, url_of) for i, h in enumerate(hops, 1))
    return ("<h2>Hops</h2><div class=\"table\"><table class=\"hops\"><thead><tr><th>#</th><th>kind</th>"
            "<th>from → to</th><th>method</th><th>sent at</th><th>endpoint</th><th>route</th><th>condition</th>"
            f"<th>default path</th></tr></thead><tbody>{rows}</tbody></table></div>")


def _hop_row(number: int, hop: Hop, url_of: UrlOf) -> str:
    kind = hop.kind + (" fanout" if hop.fanout else "")
    cells = [str(number), f"<span class=\"kind-{e(hop.kind)}\">{e(kind)}</span>",
             f"{e(hop.source)} → {e(hop.target)}", f"<code>{e(hop.method)}</code>",
             f"<code>{e(short(hop.client))}</code><br>{_where(url_of, hop.client_path, hop.client_line)}",
             f"<code>{e(short(hop.endpoint))}</code><br>{_where(url_of, hop.endpoint_path, hop.endpoint_line)}",
             f"<code>server={e(hop.route)}</code>" if hop.route else "<span class=\"dim\">any</span>",
             (f"<code>{e(hop.condition)}</code>" if hop.condition else "") + _assumed(hop.assumed),
             ("open branch" if hop.open else "yes") if hop.default_path else "<span class=\"warn\">no</span>"]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _assumed(assumed: list[str]) -> str:
    """What the default scenario assumed to decide the branch (flows/scenario.py)."""
    return f" <span class=\"dim\">(assumed: {e('; '.join(assumed))})</span>" if assumed else ""


def _steps(trace: Trace, url_of: UrlOf) -> str:
    return ("<h2>Steps</h2><p class=\"dim\">Every call on the way to a hop, a driver or another service; "
            "click to fold.</p><div class=\"steps\">" + _step(trace.root, url_of) + "</div>")


def _step(step: Step, url_of: UrlOf) -> str:
    label = _label(step, url_of)
    children = [c for c in step.children if not c.error_path]
    if not children:
        return f"<div class=\"leaf{'' if step.default_path else ' off'}\">{label}</div>"
    inner = "".join(_step(child, url_of) for child in children)
    opened = " open" if step.default_path else ""
    return f"<details{opened} class=\"{'' if step.default_path else 'off'}\"><summary>{label}</summary>{inner}</details>"


def _label(step: Step, url_of: UrlOf) -> str:
    parts = []
    if step.kind == "entry":
        parts.append(f"<strong>{e(step.process)}</strong>")
    if step.kind == "hop" and step.hop is not None:
        hop = step.hop
        kind = hop.kind + (" fanout" if hop.fanout else "")
        parts.append(f"<span class=\"kind-{e(hop.kind)}\">={e(kind)}⇒ {e(hop.target)}</span> <code>{e(hop.method)}</code>"
                     " →")
    if step.kind == "cut":
        parts.append(f"<span class=\"bad\">{e(step.cut or 'flow cut')}</span>")
    else:
        parts.append(f"<code>{e(short(step.function))}</code>")
    if step.path and step.path != "?":
        parts.append(_where(url_of, step.path, step.line))
    badges = {"driver": "virt driver", "service": step.service or "service"}
    if step.kind in badges:
        parts.append(f"<span class=\"badge\">{e(badges[step.kind])}</span>")
    if step.condition:
        parts.append(f"<span class=\"dim\">if <code>{e(step.condition)}</code></span>")
    if step.assumed:
        parts.append(_assumed(step.assumed))
    if step.loop:
        parts.append(f"<span class=\"dim\">in loop <code>{e(step.loop)}</code></span>")
    if not step.default_path:
        parts.append("<span class=\"warn\">(not on the default path)</span>")
    if step.seen_above:
        parts.append("<span class=\"dim\">(expanded above)</span>")
    if step.folded:
        parts.append(f"<span class=\"dim\">({e(folded_label(step))})</span>")
    return " ".join(parts)
