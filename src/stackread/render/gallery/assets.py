"""The gallery's style and scripts, inlined into every page: a page opened from file://, or
copied alone to any static host, needs no other file and fetches nothing at view time."""

CSS = """
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1d1d1f; --dim: #66666e; --line: #d8d8de;
  --card: #f6f6f8; --accent: #6a2c91; --cast: #6a2c91; --call: #1f5fa8; --bad: #b42318; --warn: #9a6700; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #16161a; --fg: #e8e8ee; --dim: #a0a0aa; --line: #34343c; --card: #202026;
    --accent: #c89bf0; --cast: #c89bf0; --call: #8cb8f5; --bad: #ff8a80; --warn: #f2c14e; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.45 system-ui, sans-serif; }
header, main, footer { max-width: 1400px; margin: 0 auto; padding: 0 16px; }
header { padding-top: 16px; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.5em; margin: 0 0 4px; } h2 { font-size: 1.25em; margin: 28px 0 8px; }
h3 { font-size: 1.05em; margin: 20px 0 6px; color: var(--dim); text-transform: uppercase; letter-spacing: .04em; }
a { color: var(--accent); } code, .mono { font-family: ui-monospace, monospace; font-size: .92em; }
.dim { color: var(--dim); } .bad { color: var(--bad); } .warn { color: var(--warn); }
.search { position: sticky; top: 0; background: var(--bg); padding: 10px 0; z-index: 2; }
.search input { width: 100%; max-width: 640px; font-size: 1em; padding: 8px 10px; border: 1px solid var(--line);
  border-radius: 6px; background: var(--card); color: var(--fg); }
ul.ops { list-style: none; margin: 0; padding: 0; display: grid; gap: 6px;
  grid-template-columns: repeat(auto-fill, minmax(min(100%, 420px), 1fr)); }
li.op { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px;
  overflow-wrap: anywhere; }
li.op .name { font-weight: 600; } li.op .route, li.op .hops { font-size: .88em; }
li.failed { border-color: var(--bad); }
.kind-cast { color: var(--cast); font-weight: 600; } .kind-call { color: var(--call); font-weight: 600; }
.toolbar { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; margin: 8px 0; }
.toolbar button, .toolbar a.button { font: inherit; padding: 4px 10px; border: 1px solid var(--line);
  border-radius: 5px; background: var(--card); color: var(--fg); cursor: pointer; text-decoration: none; }
.viewport { overflow: auto; max-height: 80vh; border: 1px solid var(--line); border-radius: 6px;
  background: #ffffff; cursor: grab; touch-action: pan-x pan-y; }
.viewport.dragging { cursor: grabbing; } .viewport svg { display: block; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9em; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
th { color: var(--dim); font-weight: 600; }
.steps details, .steps .leaf { margin-left: 18px; } .steps > details, .steps > .leaf { margin-left: 0; }
.steps summary { cursor: pointer; } .steps .where { font-size: .85em; }
.steps .off { opacity: .75; } .badge { font-size: .8em; border: 1px solid var(--line); border-radius: 4px;
  padding: 0 4px; margin-left: 4px; }
footer { margin-top: 32px; padding-bottom: 24px; color: var(--dim); font-size: .85em; }
@media (max-width: 700px) { body { font-size: 14px; } th, td { padding: 4px 5px; } .viewport { max-height: 70vh; } }
"""

# The index: every word typed must occur in an operation's name, routes, RPC methods or functions.
SEARCH_JS = """
(function () {
  var box = document.getElementById('search'), count = document.getElementById('count');
  var ops = Array.prototype.slice.call(document.querySelectorAll('li.op'));
  function filter() {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean), shown = 0;
    ops.forEach(function (op) {
      var text = op.getAttribute('data-search');
      var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
      op.hidden = !hit; if (hit) { shown++; }
    });
    document.querySelectorAll('section.group').forEach(function (group) {
      group.hidden = !group.querySelector('li.op:not([hidden])');
    });
    count.textContent = shown + ' of ' + ops.length + ' operations';
  }
  box.addEventListener('input', filter);
  if (box.value) { filter(); }
})();
"""

# An operation page: zoom buttons, ctrl+wheel zoom and drag to pan the inline diagram.
ZOOM_JS = """
(function () {
  var view = document.getElementById('viewport'), svgs = view ? view.querySelectorAll('svg') : [];
  if (!svgs.length) { return; }
  var svg, w, h, scale = 1;
  function pick(i) {  // the story first; the toggle shows every step instead, in the same viewport
    svg = svgs[i]; w = parseFloat(svg.getAttribute('width')); h = parseFloat(svg.getAttribute('height'));
  }
  pick(0);
  function zoom(to) {
    scale = Math.min(4, Math.max(0.1, to));
    svg.style.width = (w * scale) + 'px'; svg.style.height = (h * scale) + 'px';
    document.getElementById('zoom-level').textContent = Math.round(scale * 100) + '%';
  }
  document.getElementById('zoom-in').onclick = function () { zoom(scale * 1.25); };
  document.getElementById('zoom-out').onclick = function () { zoom(scale / 1.25); };
  document.getElementById('zoom-fit').onclick = function () { zoom(view.clientWidth / w); };
  document.getElementById('zoom-reset').onclick = function () { zoom(1); };
  view.addEventListener('wheel', function (e) {
    if (!e.ctrlKey) { return; }
    e.preventDefault(); zoom(scale * (e.deltaY < 0 ? 1.1 : 1 / 1.1));
  }, { passive: false });
  var start = null;
  view.addEventListener('mousedown', function (e) {
    if (e.target.closest('a')) { return; }
    start = [e.clientX, e.clientY, view.scrollLeft, view.scrollTop]; view.classList.add('dragging');
  });
  window.addEventListener('mousemove', function (e) {
    if (!start) { return; }
    view.scrollLeft = start[2] - (e.clientX - start[0]); view.scrollTop = start[3] - (e.clientY - start[1]);
  });
  window.addEventListener('mouseup', function () { start = null; view.classList.remove('dragging'); });
  function fit() { zoom(w > view.clientWidth ? Math.max(0.5, view.clientWidth / w) : 1); }
  var toggle = document.getElementById('detail-toggle'), levels = view.querySelectorAll('.level');
  if (toggle && levels.length === 2) {
    toggle.onclick = function () {
      var steps = levels[1].hidden;
      levels[0].hidden = steps; levels[1].hidden = !steps; pick(steps ? 1 : 0);
      toggle.textContent = steps ? toggle.getAttribute('data-story') : toggle.getAttribute('data-steps');
      toggle.setAttribute('aria-pressed', steps ? 'true' : 'false');
      fit();
    };
  }
  fit();
})();
"""
