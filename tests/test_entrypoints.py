"""`stackread entrypoints` on fixture trees shaped like real releases (facts in fixtures/README.md)."""

import shutil

import git
import pytest

from conftest import FIXTURES
from stackread.flows.entrypoints import find_entrypoints
from stackread.errors import UsageError


def table(report):
    return {ep.name: ep for ep in report.entrypoints}


def service_facts(report):
    return {ep.name: (ep.service.binary, ep.service.topic, ep.service.manager,
                      f"{ep.service.manager_path}:{ep.service.manager_line}")
            for ep in report.entrypoints if ep.kind == "service"}


def test_ocata_shaped_nova():
    report = find_entrypoints(FIXTURES / "nova-ocata")
    assert report.project == "nova"
    assert service_facts(report) == {
        "nova-compute": ("nova-compute", "compute", "nova.compute.manager.ComputeManager", "nova/compute/manager.py:27"),
        "nova-conductor": ("nova-conductor", "conductor", "nova.conductor.manager.ConductorManager", "nova/conductor/manager.py:20"),
        "nova-scheduler": ("nova-scheduler", "scheduler", "nova.scheduler.manager.SchedulerManager", "nova/scheduler/manager.py:24"),
        "nova-network": ("nova-network", "network", "nova.network.manager.VlanManager", "nova/network/manager.py:48"),
        "nova-cells": ("nova-cells", "cells", "nova.cells.manager.CellsManager", "nova/cells/manager.py:21"),
    }
    eps = table(report)
    compute = eps["nova-compute"]
    assert (compute.group, compute.target, compute.path, compute.line) == (
        "console_scripts", "nova.cmd.compute:main", "nova/cmd/compute.py", 31)
    assert (compute.service.topic_path, compute.service.topic_line) == ("nova/conf/compute.py", 27)
    assert (compute.service.created_path, compute.service.created_line) == ("nova/cmd/compute.py", 45)
    # The option lives in group [conductor], registered through an OptGroup object.
    assert (eps["nova-conductor"].service.topic_path, eps["nova-conductor"].service.topic_line) == ("nova/conf/conductor.py", 19)
    # The API process: a console script that serves each of CONF.enabled_apis.
    assert eps["nova-api"].kind == "wsgi"
    assert eps["nova-api"].api.apps == ("osapi_compute", "metadata")
    assert (eps["nova-placement-api"].kind, eps["nova-placement-api"].line) == ("wsgi", 36)
    assert eps["nova-rootwrap"].external and eps["nova-rootwrap"].path is None
    assert eps["nova-manage"].kind == "tool"


def test_ocata_plugins_resolve_including_module_only_targets():
    eps = {(ep.group, ep.name): ep for ep in find_entrypoints(FIXTURES / "nova-ocata").entrypoints}
    assert (eps[("nova.image.download.modules", "file")].path, eps[("nova.image.download.modules", "file")].line) == (
        "nova/image/download/file.py", 1)
    # A plugin in a file that only parses with the old grammar still resolves.
    migrate = eps[("nova.api.v21.extensions", "migrate_server")]
    assert (migrate.path, migrate.line, migrate.kind) == ("nova/api/openstack/compute/migrate_server.py", 45, "plugin")
    assert eps[("nova.scheduler.driver", "fake_scheduler")].path == "nova/tests/unit/scheduler/fakes.py"


def test_current_shaped_nova_reads_pyproject_and_finds_wsgi_modules():
    report = find_entrypoints(FIXTURES / "nova-current")
    facts = service_facts(report)
    assert facts["nova-compute"] == ("nova-compute", "compute", "nova.compute.manager.ComputeManager", "nova/compute/manager.py:21")
    assert facts["nova-conductor"][1:3] == ("conductor", "nova.conductor.manager.ConductorManager")
    assert facts["nova-scheduler"][1] == "scheduler"
    eps = table(report)
    assert eps["nova-compute"].service.extra_topics == ("compute-alt",)
    assert (eps["nova-compute"].service.topic_path, eps["nova-compute"].service.topic_line) == ("nova/compute/rpcapi.py", 18)
    # No metadata declares the API: the module-level `application` is the entry.
    api = eps["nova/wsgi/osapi_compute.py"]
    assert (api.kind, api.group, api.target, api.line) == ("wsgi", "wsgi_application", "nova.wsgi.osapi_compute:application", 21)
    assert "osapi_compute" in api.api.apps
    assert "nova/wsgi/metadata.py" in eps


def test_cinder_shape():
    report = find_entrypoints(FIXTURES / "cinder-current")
    assert service_facts(report) == {
        "cinder-volume": ("cinder-volume", "cinder-volume", "cinder.volume.manager.VolumeManager", "cinder/volume/manager.py:30"),
        "cinder-scheduler": ("cinder-scheduler", "cinder-scheduler", "cinder.scheduler.manager.SchedulerManager", "cinder/scheduler/manager.py:23"),
        "cinder-backup": ("cinder-backup", "cinder-backup", "cinder.backup.manager.BackupManager", "cinder/backup/manager.py:23"),
    }
    eps = table(report)
    assert (eps["cinder-volume"].service.created_path, eps["cinder-volume"].service.created_line) == ("cinder/cmd/volume.py", 64)
    assert eps["cinder-api"].api.apps == ("osapi_volume",)
    assert eps["cinder/wsgi/api.py"].kind == "wsgi"
    # `application = wsgi.initialize_application()` names no app; the function it calls returns
    # `wsgi.Loader(CONF).load_app(name='osapi_volume')`: the uWSGI module serves that one.
    assert eps["cinder/wsgi/api.py"].api.apps == ("osapi_volume",)


def test_unparseable_files_off_the_entry_paths_do_not_matter():
    report = find_entrypoints(FIXTURES / "nova-ocata")
    assert not report.has_errors
    assert not any("py2only" in (d.path or "") for d in report.diagnostics)


def test_the_analysed_code_is_never_run(make_tree, tmp_path):
    trap = tmp_path / "RAN"
    root = make_tree({
        "setup.py": f"open({str(trap)!r}, 'w').write('setup.py')\n",
        "setup.cfg": "[metadata]\nname = proj\n[entry_points]\nconsole_scripts =\n    proj-x = proj.cmd:main\n",
        "proj/__init__.py": f"open({str(trap)!r}, 'w').write('package')\n",
        "proj/cmd.py": f"open({str(trap)!r}, 'w').write('module')\ndef main():\n    pass\n",
    })
    report = find_entrypoints(root)
    assert table(report)["proj-x"].path == "proj/cmd.py"
    assert not trap.exists()


def _tagged_repo(tmp_path):
    """A git repository whose tag 15.0.0 is Ocata-shaped and whose HEAD is current-shaped."""
    repo_dir = tmp_path / "nova"
    shutil.copytree(FIXTURES / "nova-ocata", repo_dir)
    repo = git.Repo.init(repo_dir)
    with repo.config_writer() as config:
        config.set_value("user", "name", "t").set_value("user", "email", "t@example.com")
    repo.git.add(A=True)
    repo.index.commit("ocata")
    repo.create_tag("15.0.0")
    for child in repo_dir.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(FIXTURES / "nova-current", repo_dir, dirs_exist_ok=True)
    repo.git.add(A=True)
    repo.index.commit("current")
    return repo_dir, repo


def test_rev_reads_a_revision_without_checking_it_out(tmp_path):
    repo_dir, repo = _tagged_repo(tmp_path)
    old = find_entrypoints(repo_dir, rev="15.0.0")
    assert "nova-network" in table(old) and table(old)["nova-network"].service.topic == "network"
    assert old.revision.startswith("15.0.0")
    assert table(old)["nova-compute"].service.topic_path == "nova/conf/compute.py"
    head = find_entrypoints(repo_dir)
    assert "nova-network" not in table(head)
    assert table(head)["nova-compute"].service.extra_topics == ("compute-alt",)
    assert repo.head.commit.message == "current"  # nothing was checked out
    assert not repo.is_dirty(untracked_files=True)


def test_unknown_revision_and_non_git_directory_are_usage_errors(tmp_path):
    repo_dir, _ = _tagged_repo(tmp_path)
    with pytest.raises(UsageError, match="unknown revision 'no-such-tag'"):
        find_entrypoints(repo_dir, rev="no-such-tag")
    with pytest.raises(UsageError, match="not a git repository"):
        find_entrypoints(FIXTURES / "cinder-current", rev="HEAD")


def _installed(tmp_path, dists=("nova-34.0.0",)):
    site = tmp_path / "site-packages"
    shutil.copytree(FIXTURES / "nova-current" / "nova", site / "nova")
    for dist in dists:
        info = site / f"{dist}.dist-info"
        info.mkdir()
        name, version = dist.rsplit("-", 1)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        (info / "entry_points.txt").write_text(
            "[console_scripts]\nnova-compute = nova.cmd.compute:main\nnova-rootwrap = oslo_rootwrap.cmd:main\n")
    return site


def test_installed_distribution_by_dist_info_or_site_packages(tmp_path):
    site = _installed(tmp_path)
    for path in (site / "nova-34.0.0.dist-info", site):
        report = find_entrypoints(path)
        assert (report.project, report.version) == ("nova", "34.0.0")
        compute = table(report)["nova-compute"]
        assert compute.service.manager == "nova.compute.manager.ComputeManager"
        assert compute.declared_path == "nova-34.0.0.dist-info/entry_points.txt"


def test_site_packages_with_several_distributions_asks_to_name_one(tmp_path):
    site = _installed(tmp_path, dists=("nova-34.0.0", "cinder-29.0.0"))
    with pytest.raises(UsageError, match="2 installed distributions"):
        find_entrypoints(site)


def test_missing_and_broken_targets_are_errors_but_the_rest_still_comes(make_tree):
    root = make_tree({
        "setup.cfg": """
            [metadata]
            name = nova
            [entry_points]
            console_scripts =
                nova-foo = nova.cmd.foo:main
                nova-bar = nova.cmd.bar:main
                nova-baz = nova.cmd.baz:nomain
                nova-ok = nova.cmd.ok:main
            """,
        "nova/__init__.py": "",
        "nova/cmd/__init__.py": "",
        "nova/cmd/bar.py": 'def main():\n    print "hi"\n',
        "nova/cmd/baz.py": "def main():\n    pass\n",
        "nova/cmd/ok.py": "def main():\n    pass\n",
    })
    report = find_entrypoints(root)
    assert report.has_errors
    messages = [str(d) for d in report.diagnostics]
    assert any(m.startswith("setup.cfg:5: nova-foo: target module nova.cmd.foo is missing") for m in messages)
    assert any(m.startswith("nova/cmd/bar.py:2: does not parse") and "Python 2" in m for m in messages)
    assert any("nova-baz: nomain is not defined in nova.cmd.baz" in m for m in messages)
    assert table(report)["nova-ok"].path == "nova/cmd/ok.py"


def test_targets_re_exported_by_star_import_or_named_as_subpackage(make_tree):
    root = make_tree({
        "setup.cfg": """
            [metadata]
            name = ks
            [entry_points]
            ks.token.provider =
                fernet = ks.token.fernet:Provider
                hidden = ks.token.limited:_Private
            ks.migrations =
                ks = ks.db:alembic_migrations
            """,
        "ks/__init__.py": "",
        "ks/token/__init__.py": "",
        "ks/token/fernet/__init__.py": "from ks.token.fernet.core import *  # noqa\n",
        "ks/token/fernet/core.py": "import os\n\n\nclass Provider(object):\n    pass\n",
        "ks/token/limited/__init__.py": "from .core import *\n",
        "ks/token/limited/core.py": "__all__ = ['Public']\nclass Public: pass\nclass _Private: pass\n",
        "ks/db/__init__.py": "",
        "ks/db/alembic_migrations/__init__.py": "",
    })
    report = find_entrypoints(root)
    eps = table(report)
    assert (eps["fernet"].path, eps["fernet"].line) == ("ks/token/fernet/core.py", 4)
    assert (eps["ks"].path, eps["ks"].line) == ("ks/db/alembic_migrations/__init__.py", 1)
    # `import *` honours __all__: the private class is not re-exported, as Python would not.
    assert eps["hidden"].line is None and "_Private is not defined" in str(report.diagnostics[0])


def test_rev_on_a_bare_mirror_without_a_config_file(tmp_path):
    # Mirrors of public repositories can be bare git dirs with no config; GitPython then
    # mistakes them for work trees and runs git in the parent directory.
    repo_dir, _ = _tagged_repo(tmp_path)
    mirror = tmp_path / "mirror"
    git.Repo.clone_from(repo_dir, mirror, bare=True)
    (mirror / "config").unlink()
    report = find_entrypoints(mirror, rev="15.0.0")
    assert table(report)["nova-network"].service.manager == "nova.network.manager.VlanManager"
