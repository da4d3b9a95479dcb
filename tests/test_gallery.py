"""`stackread gallery`: the pages written for a small tree, what they say and what they never do."""

from __future__ import annotations

import json

import pytest

from gallery_fixture import HOSTILE, gallery_tree, run_gallery

from stackread.flows import gallery as flows_gallery
from stackread.flows.gallery import TreeTracer, group_of, trace_each
from stackread.flows.operations import Operation
from stackread.flows.question import Question
from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation
from stackread.frameworks.rest.route import Route
from stackread.render.gallery.site import page_names
from stackread.render.trace import to_json


@pytest.fixture
def site(tmp_path):
    root = gallery_tree(tmp_path / "nova")
    result = run_gallery(str(root), "-o", str(tmp_path / "site"), "--cache-dir", str(tmp_path / "cache"))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote ")  # no progress bar when nobody watches
    return tmp_path / "site"


def _route(verb, path, action=None, controller="nova.api.openstack.compute.servers.ServersController.create",
           max_version=None):
    return Route(verb, path, action, controller, None, None, None, max_version, "routes.py", 1)


def test_every_operation_gets_a_page_and_the_index_lists_them_under_their_resource(site):
    index = (site / "index.html").read_text()
    assert "nova 1.0.0: every API operation" in index  # the project and release, from PKG-INFO
    assert '<h3>servers <span class="dim">(2)</span></h3>' in index
    for name in ("ServersController.create", "ServersController.show"):
        assert f'href="nova-1.0.0/{name}.html"' in index
        page = (site / "nova-1.0.0" / f"{name}.html").read_text()
        # The sequence diagram inline: the story shown, every step one toggle away.
        assert ('<div id="viewport" class="viewport"><div class="level" data-level="story"><svg' in page
                and '<div class="level" data-level="steps" hidden><svg' in page and 'id="detail-toggle"' in page)
        for download in (".sequence.svg", ".steps.svg", ".graph.svg", ".mmd", ".puml", ".json"):
            assert (site / "nova-1.0.0" / f"{name}{download}").stat().st_size > 0
            assert f'href="{name}{download}" download' in page
    assert "nova-api → nova-conductor → nova-compute" in index and "2 hops: 2 casts" in index
    assert "nova-api <span class=\"dim\">· no RPC hop" in index  # show stays in the API
    # The search box matches RPC methods and functions of the flow, not only names.
    assert "build_and_run_instance" in index.split("ServersController.create.html")[0].rsplit("<li", 1)[1]


def test_the_operation_page_has_its_hops_steps_and_links_at_the_release(site):
    page = (site / "nova-1.0.0" / "ServersController.create.html").read_text()
    table = page.split('<table class="hops">')[1].split("</table>")[0]
    assert table.count("<tr>") == 3  # head and two hops
    assert "nova-conductor → nova-compute" in table and "<code>server=&#x27;host&#x27;</code>" in table
    assert ('href="https://opendev.org/openstack/nova/src/tag/1.0.0/nova/compute/manager.py#L7">'
            "nova/compute/manager.py:7</a>") in table
    assert page.count("<details open") >= 3  # the step tree, nested and unfolded on the default path
    data = json.loads((site / "nova-1.0.0" / "ServersController.create.json").read_text())
    assert [h["method"] for h in data["hops"]] == ["build_instances", "build_and_run_instance"]


def test_text_from_the_code_is_escaped_everywhere(site):
    for page in site.rglob("*.html"):
        assert HOSTILE not in page.read_text(), page
    page = (site / "nova-1.0.0" / "ServersController.create.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown, as text


def test_without_pkg_info_links_go_to_the_files_and_a_template_overrides(tmp_path):
    root = gallery_tree(tmp_path / "nova", published=False)
    cache = str(tmp_path / "cache")
    assert run_gallery(str(root), "-o", str(tmp_path / "a"), "--cache-dir", cache).exit_code == 0
    page = next((tmp_path / "a").glob("*/ServersController.create.html")).read_text()
    assert f'href="file://{root.resolve()}/nova/compute/manager.py#L7"' in page
    assert "opendev" not in page
    result = run_gallery(str(root), "-o", str(tmp_path / "b"), "--cache-dir", cache,
                         "--link-template", "https://example.org/src/{path}?line={line}")
    assert result.exit_code == 0
    page = next((tmp_path / "b").glob("*/ServersController.create.html")).read_text()
    assert 'href="https://example.org/src/nova/compute/manager.py?line=7"' in page


def test_a_bad_link_template_is_a_usage_error_before_anything_is_read(tmp_path):
    result = run_gallery(str(tmp_path / "missing"), "-o", str(tmp_path / "site"), "--link-template", "{nope}")
    assert result.exit_code == 2 and "link template" in result.output


def test_an_operation_that_fails_is_listed_with_its_reason_and_the_others_are_written(tmp_path, monkeypatch):
    from stackread.flows.trace import Tracer

    walk = Tracer.walk

    def failing(self, name, entry):
        if name == "ServersController.show":
            raise RuntimeError(f"boom {HOSTILE}")
        return walk(self, name, entry)

    monkeypatch.setattr(Tracer, "walk", failing)
    root = gallery_tree(tmp_path / "nova")
    result = run_gallery(str(root), "-o", str(tmp_path / "site"), "--cache-dir", str(tmp_path / "cache"))
    assert result.exit_code == 1  # the site is written, but not whole
    assert "1 operation pages, 1 failed" in result.output
    index = (tmp_path / "site" / "index.html").read_text()
    assert "failed: internal error: RuntimeError: boom &lt;script&gt;" in index
    assert "<span class=\"bad\">1 failed</span>" in index
    assert (tmp_path / "site" / "nova-1.0.0" / "ServersController.create.html").exists()
    assert not (tmp_path / "site" / "nova-1.0.0" / "ServersController.show.html").exists()


def test_the_program_is_built_once_per_tree_and_each_flow_is_the_one_trace_finds(tmp_path, monkeypatch):
    root = gallery_tree(tmp_path / "nova")
    from stackread.flows import callgraph

    builds = []
    real = callgraph.build_program
    monkeypatch.setattr(callgraph, "build_program", lambda *a, **k: builds.append(1) or real(*a, **k))
    with TreeTracer(Reading(root, cache_dir=tmp_path / "cache"), Question("")) as tracer:
        traced = list(trace_each(tracer))
    assert len(builds) == 1 and len(traced) == 2
    for entry in traced:
        alone = trace_operation(Reading(root, use_cache=False), entry.operation.name)
        assert to_json(entry.trace, True) == to_json(alone, True)
    # Asked again, every flow is read back: nothing is built.
    with TreeTracer(Reading(root, cache_dir=tmp_path / "cache"), Question("")) as tracer:
        assert all(t.trace is not None for t in trace_each(tracer))
    assert len(builds) == 3  # the two trace_operation calls above, none for the second gallery


def test_operations_are_grouped_by_resource_and_actions_apart():
    assert group_of(Operation("x", (_route("POST", "/servers"),))) == "servers"
    assert group_of(Operation("reboot", (_route("POST", "/servers/{id}/action", "reboot"),))) == "server actions"
    assert group_of(Operation("x", (_route("GET", "/servers/{server_id}/os-interface"),))) == "os-interface"


def test_operations_sharing_a_name_get_distinct_pages_and_the_one_still_served_keeps_the_name():
    stop = _route("POST", "/servers/{id}/action", "os-stop", "nova.api.openstack.compute.servers.ServersController._stop")
    old_stop = _route("POST", "/os-volumes_boot/{id}/action", "os-stop",
                      "nova.api.openstack.compute.volumes_boot.VolumesBootController._stop", max_version="2.102")
    ops = [Operation("os-stop", (stop,)), Operation("os-stop", (old_stop,)), Operation("a/b c", (_route("GET", "/x"),))]
    assert page_names(ops) == ["os-stop", "VolumesBootController.os-stop", "a-b-c"]
    # Both still served: neither is the one the name means.
    ops[1] = Operation("os-stop", (_route("POST", "/os-volumes_boot/{id}/action", "os-stop",
                                          "nova.api.openstack.compute.volumes_boot.VolumesBootController._stop"),))
    assert page_names(ops) == ["ServersController.os-stop", "VolumesBootController.os-stop", "a-b-c"]


def test_an_unknown_driver_is_the_command_lines_fault_not_each_operations(tmp_path):
    root = gallery_tree(tmp_path / "nova")
    with TreeTracer(Reading(root, cache_dir=tmp_path / "cache"), Question("", "nosuch")) as tracer:
        with pytest.raises(flows_gallery.UsageError):
            list(trace_each(tracer))


def test_a_tree_without_routes_is_said_and_still_gets_its_index(tmp_path):
    root = tmp_path / "lib"
    (root / "lib").mkdir(parents=True)
    (root / "lib" / "__init__.py").write_text("")
    (root / "setup.cfg").write_text("[metadata]\nname = lib\n")
    result = run_gallery(str(root), "-o", str(tmp_path / "site"), "--cache-dir", str(tmp_path / "cache"))
    assert result.exit_code == 0
    assert "no REST API operation found" in result.output
    assert "0 operations" in (tmp_path / "site" / "index.html").read_text()


def test_diff_says_per_operation_what_changed_since_the_old_release_and_the_index_lists_them(tmp_path):
    new = gallery_tree(tmp_path / "new")
    old = gallery_tree(tmp_path / "old")
    (old / "PKG-INFO").write_text((old / "PKG-INFO").read_text().replace("1.0.0", "0.9.0"))
    rpcapi = old / "nova/compute/rpcapi.py"  # the old release called where the new one casts
    rpcapi.write_text(rpcapi.read_text().replace("cctxt.cast(ctxt, 'build_and_run_instance'",
                                                 "return cctxt.call(ctxt, 'build_and_run_instance'"))
    routes = old / "nova/api/openstack/compute/routes.py"  # and had no show
    text = routes.read_text()
    start = text.index("('/servers/{id}'")
    routes.write_text(text[:start] + text[text.index("}),", start) + 4:])
    result = run_gallery(str(new), "--diff", str(old), "-o", str(tmp_path / "site"),
                         "--cache-dir", str(tmp_path / "cache"))
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    index = (site / "index.html").read_text()
    assert "Flow changed since nova 0.9.0</strong>" in index and "New since nova 0.9.0</strong>" in index
    create = next(site.glob("*/ServersController.create.html")).read_text()
    assert "<h2>Since nova 0.9.0</h2>" in create
    assert "nova-conductor =cast=&gt; nova-compute build_and_run_instance (kind: call -&gt; cast)" in create
    assert create.count("<svg") == 3  # the flow's story and steps, and both flows drawn as one
    show = next(site.glob("*/ServersController.show.html")).read_text()
    assert "New: nova 0.9.0 has no operation of this name." in show
    # Without --diff, nothing of it.
    plain = run_gallery(str(new), "-o", str(tmp_path / "plain"), "--cache-dir", str(tmp_path / "cache"))
    assert plain.exit_code == 0 and "Since " not in next((tmp_path / "plain").glob("*/ServersController.create.html")).read_text()


def test_diff_takes_one_tree(tmp_path):
    result = run_gallery(str(tmp_path / "a"), str(tmp_path / "b"), "--diff", str(tmp_path / "c"), "-o", str(tmp_path / "s"))
    assert result.exit_code == 2 and "one PATH" in result.output
