"""Shared test helpers: tiny packages built from a dict, and real releases fetched once."""

from __future__ import annotations

import os
import pathlib
import textwrap

import pytest

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures"

# Output read back as text is laid out for no terminal (render/output.py) unless a test says how wide:
# the runner's own COLUMNS (pytest-xdist's workers set 80) must not fold what a test looks for.
os.environ.pop("COLUMNS", None)

# Real releases the suite reads; pinned so that what the tests assert stays true.
REAL_RELEASES = {
    "nova-ocata": "nova==15.1.5",
    "nova-current": "nova==34.0.0",
    "cinder-current": "cinder==29.0.0",
    "cinder-queens": "cinder==12.0.10",  # an older release of the same flows (issue 17)
    "manila-current": "manila==21.0.0",
    # pecan APIs (issue 15)
    "ironic-current": "ironic==39.0.0",
    "octavia-current": "octavia==19.0.0",
    "designate-current": "designate==23.0.0",
    "magnum-current": "magnum==23.0.0",
    "zun-current": "zun==18.0.0",
    "watcher-current": "python-watcher==17.0.0",
    "cyborg-current": "openstack-cyborg==17.0.0",
    "barbican-current": "barbican==23.0.0",
    # a Nova-like extensions API casting to one engine that runs its recovery through a driver (issue 17)
    "masakari-current": "masakari==22.0.0",
    # REST tables, Flask and paste deploy (issue 15)
    "placement-current": "openstack-placement==16.0.0",
    "heat-current": "openstack-heat==27.0.1",
    "trove-current": "trove==26.0.0",
    "keystone-current": "keystone==30.0.0",
    # resources from API definitions read in a library (issue 15): neutron 29 asks for neutron-lib>=5.0.0
    "neutron-current": "neutron==29.0.0",
    "neutron-lib-current": "neutron-lib==5.0.1",
    # the same flows on an older release (issue 17): Queens, with the neutron-lib its upper-constraints pin
    "neutron-queens": "neutron==12.1.1",
    "neutron-lib-queens": "neutron-lib==1.13.0",
    # client libraries read as source, each method to the HTTP request it sends (issue 17)
    "cinderclient-current": "python-cinderclient==9.10.0",
    "neutronclient-current": "python-neutronclient==14.0.0",
    "keystoneauth1-current": "keystoneauth1==5.18.1",
    # Glance of Nova 34's cycle (2026.2 Hibiscus), and the glanceclient of that cycle nova asks for
    # (`python-glanceclient>=4.7.0`; 4.12 and 4.13 came after stable/2026.1)
    "glance-current": "glance==33.0.0",
    "glanceclient-current": "python-glanceclient==4.13.0",
}


def write_tree(root: pathlib.Path, files: dict[str, str | bytes]) -> pathlib.Path:
    """Create `{"pkg/mod.py": "source"}` under root; text is dedented so tests read naturally."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def make_tree(tmp_path):
    def make(files: dict[str, str | bytes], name: str = "project") -> pathlib.Path:
        return write_tree(tmp_path / name, files)

    return make


def _real_cache() -> pathlib.Path:
    from stackread.source.fetch import default_cache_dir

    return default_cache_dir()


@pytest.fixture(scope="session")
def real_release():
    """Path of an unpacked real release, downloaded once into the stackread cache."""
    from stackread.errors import FetchError
    from stackread.source.fetch import fetch_release

    def get(key: str) -> pathlib.Path:
        spec = REAL_RELEASES[key]
        try:
            return fetch_release(spec, _real_cache())
        except FetchError as exc:
            if os.environ.get("CI"):
                raise  # CI must read real releases; a skip there would hide a broken suite
            pytest.skip(f"cannot fetch {spec} here: {exc}")

    return get


@pytest.fixture(scope="session")
def real_rpc(real_release):
    """`find_rpc` of a real release, worked out once per session: the RPC report of a release is
    read by several modules, and none of them changes it. The index cache is the suite's (as for
    `trace`): file summaries another test parsed are read back, as a second command would."""
    from stackread.flows.reading import Reading
    from stackread.flows.rpc import find_rpc

    reports = {}

    def get(key: str):
        if key not in reports:
            reports[key] = find_rpc(Reading(real_release(key)))
        return reports[key]

    return get
