"""The issue-17 flows: each project's operations, and one request across projects, as hop summaries.

Run: python benchmarks/fleet_flows.py [PROJECT ...]  (e.g. cinder nova+neutron; default: all).
Reads the releases `stackread get` put in the cache (STACKREAD_CACHE_DIR or ~/.cache/stackread) and
runs the installed `stackread trace --json` on each; prints, per flow, the hops of the default path
(`source =kind=> target  method  server=...  if ...`, a long condition cut), then how many
other hops the flow draws (off the default path, or on the error path) and the time it took.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import time

_CONDITION = 90  # characters of a hop's condition shown: the head says which branch
# name -> (trees, the first the caller; libraries; operations)
FLOWS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "cinder": (["cinder-29.0.0"], [], ["volume create", "volume delete", "os-attach", "attachment create",
                                       "attachment update", "attachment complete", "snapshot create",
                                       "backup create", "os-migrate_volume"]),
    "cinder-queens": (["cinder-12.0.10"], [], ["volume create", "volume delete", "os-attach",
                                               "snapshot create"]),
    "manila": (["manila-21.0.0"], [], ["share create", "share delete", "snapshot create"]),
    "ironic": (["ironic-39.0.0"], [], ["node deploy", "node power on"]),
    "neutron": (["neutron-29.0.0"], ["neutron-lib-5.0.1"], ["port create", "router create", "router add subnet"]),
    "neutron-queens": (["neutron-12.1.1"], ["neutron-lib-1.13.0"],
                       ["port create", "router create", "router add subnet"]),
    "heat": (["openstack-heat-27.0.1"], [], ["stack create", "stack delete"]),
    "octavia": (["octavia-19.0.0"], [], ["load balancer create"]),
    "designate": (["designate-23.0.0"], [], ["zone create"]),
    "magnum": (["magnum-23.0.0"], [], ["cluster create"]),
    "trove": (["trove-26.0.0"], [], ["instance create"]),
    "zun": (["zun-18.0.0"], [], ["container create"]),
    "masakari": (["masakari-22.0.0"], [], ["notification create"]),
    "watcher": (["python-watcher-17.0.0"], [], ["audit create"]),
    "nova+cinder": (["nova-34.0.0", "cinder-29.0.0"], ["python-cinderclient-9.10.0", "keystoneauth1-5.18.1"],
                    ["server add volume"]),
    "nova+neutron": (["nova-34.0.0", "neutron-29.0.0"],
                     ["neutron-lib-5.0.1", "python-neutronclient-14.0.0", "keystoneauth1-5.18.1"],
                     ["server create", "interface attach"]),
    "nova+glance": (["nova-34.0.0", "glance-33.0.0"], ["python-glanceclient-4.13.0", "keystoneauth1-5.18.1"],
                    ["server create", "server image create"]),
    "nova+placement": (["nova-34.0.0", "openstack-placement-16.0.0"], ["keystoneauth1-5.18.1"],
                       ["server create"]),
}


def releases_dir() -> pathlib.Path:
    base = os.environ.get("STACKREAD_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "stackread")
    return pathlib.Path(base) / "releases"


def hop_line(hop: dict) -> str:
    kind = hop["kind"] + (" fanout" if hop.get("fanout") else "")
    text = f"{hop['from']} ={kind}=> {hop['to']}  {hop['method']}"
    if hop.get("route"):
        text += f"  server={hop['route']}"
    if hop.get("open"):  # the default path takes it only if a condition the scenario leaves open holds
        text += "  (open branch)"
    if hop.get("condition"):
        condition = hop["condition"]
        text += f"  if {condition if len(condition) <= _CONDITION else condition[:_CONDITION] + '…'}"
    return text


def flow(trees: list[str], libraries: list[str], operation: str) -> list[str]:
    where = releases_dir()
    args = ["stackread", "trace", operation, "--json"]
    for tree in trees:
        args += ["-C", str(where / tree)]
    for library in libraries:
        args += ["-L", str(where / library)]
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode:
        return [f"failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}"]
    data = json.loads(done.stdout)
    hops = data["hops"]
    default = [h for h in hops if h["default_path"] and not h["error_path"]]
    lines = [hop_line(h) for h in default] or ["(no other process on the default path)"]
    return lines + [f"({len(hops) - len(default)} more off the default path or on the error path; {took:.1f} s)"]


def main(names: list[str]) -> None:
    for name in names or FLOWS:
        trees, libraries, operations = FLOWS[name]
        for operation in operations:
            print(f"{trees[0]}{' + ' + ' + '.join(trees[1:]) if trees[1:] else ''}: {operation}")
            for line in flow(trees, libraries, operation):
                print(f"    {line}")
            print(flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
