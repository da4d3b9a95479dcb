"""`--set GROUP.OPTION=VALUE` and `--driver NAME` are checked against the tree: a name it does not
declare, or a value the option cannot take, ends the command (exit 2) with the closest names."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import write_tree
from test_flowdiff import MINI

from stackread.flows.question import Question
from stackread.flows.reading import Reading
from stackread.flows.settings import SettingError, normalized_name, parse_settings
from stackread.flows.trace import trace_operation

# MINI's create_server, with options deciding the way and a compute manager calling a virt driver.
TREE = {
    **MINI,
    "nova/conf/__init__.py": "",
    "nova/conf/compute.py": """
        from oslo_config import cfg

        compute_opts = [
            cfg.IntOpt('reclaim_instance_interval', default=0, min=0, max=86400),
            cfg.BoolOpt('direct_compute', default=False),
            cfg.StrOpt('build_mode', default='queued', choices=[('queued', 'via the conductor'), ('direct', 'no')]),
            cfg.PortOpt('console_port', default=6080),
        ]
        workarounds_group = cfg.OptGroup('workarounds')
        workaround_opts = [cfg.BoolOpt('skip_conductor', default=False)]
        ALL_OPTS = compute_opts


        def register_opts(conf):
            conf.register_opts(ALL_OPTS)
            conf.register_group(workarounds_group)
            conf.register_opts(workaround_opts, group=workarounds_group)
        """,
    "nova/api/openstack/compute/servers.py": """
        from oslo_config import cfg

        from nova.api.openstack import wsgi
        from nova.compute import rpcapi as compute_rpcapi
        from nova.conductor import rpcapi as conductor_rpcapi

        CONF = cfg.CONF


        class ServersController(wsgi.Controller):
            def __init__(self):
                self.compute_task_api = conductor_rpcapi.ComputeTaskAPI()
                self.compute_rpcapi = compute_rpcapi.ComputeAPI()

            def create(self, req, body):
                if CONF.direct_compute or CONF.workarounds.skip_conductor or CONF.build_mode == 'direct':
                    self.compute_rpcapi.build_and_run_instance(req, None, 'host')
                else:
                    self.compute_task_api.build_instances(req, body=body)
        """,
    "nova/virt/__init__.py": "",
    "nova/virt/driver.py": """
        from oslo_utils import importutils


        class ComputeDriver(object):
            def spawn(self):
                raise NotImplementedError()


        def load_compute_driver(name):
            driver = importutils.import_object('nova.virt.%s' % name)
            if isinstance(driver, ComputeDriver):
                return driver
        """,
    "nova/virt/libvirt/__init__.py": "from nova.virt.libvirt import driver\n\nLibvirtDriver = driver.LibvirtDriver\n",
    "nova/virt/libvirt/driver.py": """
        from nova.virt import driver


        class LibvirtDriver(driver.ComputeDriver):
            def spawn(self):
                pass
        """,
    "nova/virt/fake.py": """
        from nova.virt import driver


        class FakeDriver(driver.ComputeDriver):
            def spawn(self):
                pass


        class SmallFakeDriver(FakeDriver):
            def spawn(self):
                pass
        """,
    "nova/compute/manager.py": """
        import oslo_messaging as messaging
        from nova import manager
        from nova.virt import driver

        class ComputeManager(manager.Manager):
            target = messaging.Target(version='6.5')

            def __init__(self):
                super().__init__()
                self.driver = driver.load_compute_driver('libvirt.LibvirtDriver')

            def build_and_run_instance(self, ctxt, instance):
                self.driver.spawn()
        """,
}



def compute_manager(methods: str, before: str = "") -> str:
    """TREE's compute manager, its driver loaded in __init__, with these methods instead of its own (the
    shape the driver tests share); `before`: lines above its imports."""
    head = textwrap.dedent(TREE["nova/compute/manager.py"]).lstrip("\n").split("    def build_and_run_instance")[0]
    body = textwrap.indent(textwrap.dedent(methods).strip("\n"), "    ")
    return textwrap.dedent(before).lstrip("\n") + head + body + "\n"

@pytest.fixture
def nova(tmp_path):
    return write_tree(tmp_path / "nova", TREE)


def default_hops(trace):
    return [(h.source, h.target, h.method) for h in trace.hops if h.default_path]


def drivers(trace):
    found, todo = [], [trace.root]
    while todo:
        step = todo.pop()
        found += [step.function] if step.kind == "driver" else []
        todo += step.children
    return sorted(found)


def uncached(nova, **question):
    return trace_operation(Reading(nova, use_cache=False), Question("create_server", **question))


def run(*args):
    env = {**os.environ, "COLUMNS": "100"}  # the error lists must read well at 100 columns
    return subprocess.run([sys.executable, "-m", "stackread", *args], capture_output=True, text=True, timeout=120,
                          env=env)


VIA_CONDUCTOR = [("nova-api", "nova-conductor", "build_instances"), ("nova-conductor", "nova-compute",
                                                                    "build_and_run_instance")]
DIRECT = [("nova-api", "nova-compute", "build_and_run_instance")]


def test_good_values_still_change_the_flow(nova):
    assert default_hops(uncached(nova)) == VIA_CONDUCTOR
    for settings in ({"direct_compute": "true"}, {"direct_compute": True}, {"DEFAULT.direct_compute": "yes"},
                     {"workarounds.skip_conductor": "on"}, {"build_mode": "direct"}):
        trace = uncached(nova, settings=settings)
        assert default_hops(trace) == DIRECT, settings
    assert default_hops(uncached(nova, settings={"direct_compute": "0"})) == VIA_CONDUCTOR


def test_default_group_is_the_bare_name_and_shares_the_cached_answer(nova, tmp_path, monkeypatch):
    import stackread.flows.trace as trace_module

    cache = tmp_path / "cache"
    cached = Reading(nova, cache_dir=cache)
    bare = trace_operation(cached, Question("create_server", settings={"direct_compute": "true"}))
    assert bare.settings == {"direct_compute": True}

    def not_again(*args, **kwargs):
        raise AssertionError("worked out again")

    monkeypatch.setattr(trace_module, "_trace", not_again)
    grouped = trace_operation(cached, Question("create_server", settings={"DEFAULT.direct-compute": "true"}))
    assert default_hops(grouped) == default_hops(bare) == DIRECT


def test_cli_default_group_gives_the_same_output(nova):
    bare = run("trace", "create_server", "-C", str(nova), "--set", "direct_compute=true", "--json", "--no-cache")
    grouped = run("trace", "create_server", "-C", str(nova), "--set", "DEFAULT.direct_compute=true", "--json",
                  "--no-cache")
    assert bare.returncode == grouped.returncode == 0, bare.stderr
    assert bare.stdout == grouped.stdout
    assert json.loads(bare.stdout)["settings"] == {"direct_compute": True}


@pytest.mark.parametrize("setting, message", [
    ("reclaim_instanse_interval=3600",
     "--set: no option 'reclaim_instanse_interval' in this tree; did you mean DEFAULT.reclaim_instance_interval?"),
    ("DEFAULT.skip_conductor=true",
     "--set: no option 'skip_conductor' in this tree; did you mean workarounds.skip_conductor?"),
    ("workaround.skip_conductor=true",
     "--set: no option 'workaround.skip_conductor' in this tree; did you mean workarounds.skip_conductor?"),
    ("workarounds.direct_compute=true",
     "--set: no option 'workarounds.direct_compute' in this tree; did you mean DEFAULT.direct_compute?"),
    ("no_such_thing=1", "--set: no option 'no_such_thing' in this tree (nothing close"),
    ("reclaim_instance_interval=abc", "reclaim_instance_interval is an IntOpt (nova/conf/compute.py:4); "
                                      "'abc' is not an integer"),
    ("reclaim_instance_interval=-5", "-5 is below its minimum 0"),
    ("reclaim_instance_interval=99999", "99999 is above its maximum 86400"),
    ("direct_compute=maybe", "direct_compute is a BoolOpt (nova/conf/compute.py:5); 'maybe' is not true or false"),
    ("build_mode=fast", "'fast' is not one of its choices: queued, direct"),
    ("console_port=70000", "70000 is above its maximum 65535"),
    ("direct_compute", "--set: 'direct_compute' is not GROUP.OPTION=VALUE (no '=')"),
    ("=true", "--set: an empty name is not GROUP.OPTION or OPTION"),
    ("a.b.c=1", "--set: 'a.b.c' is not GROUP.OPTION or OPTION"),
    (".x=1", "--set: '.x' is not GROUP.OPTION or OPTION"),
])
def test_bad_settings_exit_2_with_one_line_and_close_matches(nova, setting, message):
    for command in ("trace", "breakpoints"):
        result = run(command, "create_server", "-C", str(nova), "--set", setting, "--no-cache")
        assert result.returncode == 2, (command, result.stderr)
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("stackread: error: --set")


def test_api_callers_get_the_same_checks(nova):
    with pytest.raises(SettingError, match="did you mean DEFAULT.direct_compute"):
        uncached(nova, settings={"direct_compte": True})
    with pytest.raises(SettingError, match="'yes' is not an integer"):
        uncached(nova, settings={"reclaim_instance_interval": "yes"})
    with pytest.raises(SettingError, match="True is not an integer"):
        uncached(nova, settings={"reclaim_instance_interval": True})


def test_names_are_normalized_before_anything_else():
    assert normalized_name("DEFAULT.reclaim_instance_interval") == "reclaim_instance_interval"
    assert normalized_name("reclaim-instance-interval") == "reclaim_instance_interval"
    assert normalized_name("workarounds.skip-conductor") == "workarounds.skip_conductor"
    assert normalized_name("fc-zone-manager.x") == "fc-zone-manager.x"  # a group keeps its name
    assert parse_settings(["DEFAULT.a=1", "g.b=x=y"]) == {"a": "1", "g.b": "x=y"}


def test_a_comparison_leaves_an_option_out_of_the_tree_that_lacks_it(nova, tmp_path):
    newer = write_tree(tmp_path / "newer", {**TREE, "nova/conf/compute.py": TREE["nova/conf/compute.py"].replace(
        "cfg.BoolOpt('direct_compute', default=False),", "")})
    result = run("trace", "create_server", "-C", str(nova), "--diff", str(newer), "--set", "direct_compute=true",
                 "--no-cache")
    assert result.returncode == 0, result.stderr
    assert f"--set direct_compute: {newer} declares no such option; left out there" in result.stderr
    typo = run("trace", "create_server", "-C", str(nova), "--diff", str(newer), "--set", "direct_compte=true",
               "--no-cache")
    assert typo.returncode == 2 and "no option 'direct_compte' in either tree; did you mean DEFAULT.direct_compute?" \
        in typo.stderr


# -- --driver ------------------------------------------------------------------------------------


def test_driver_spellings_that_name_an_implementation(nova):
    libvirt = ["nova.virt.libvirt.driver.LibvirtDriver.spawn"]
    assert drivers(uncached(nova)) == libvirt
    for spelling in ("libvirt", "LibvirtDriver", "libvirt.LibvirtDriver", "nova.virt.libvirt.driver.LibvirtDriver"):
        assert drivers(uncached(nova, driver=spelling)) == libvirt, spelling
    assert drivers(uncached(nova, driver="fake.FakeDriver")) == [
        "nova.virt.fake.FakeDriver.spawn"]
    assert drivers(uncached(nova, driver="fake")) == [
        "nova.virt.fake.FakeDriver.spawn", "nova.virt.fake.SmallFakeDriver.spawn"]
    assert len(drivers(uncached(nova, driver="all"))) == 4


def test_without_driver_the_implementation_an_option_default_names_is_followed(tmp_path):
    # As Cinder's volume_driver names LVMVolumeDriver: the default deployment runs that one, its
    # inherited method too (found through its MRO); `--driver` another, `all` every one.
    tree = {**TREE,
            "nova/conf/compute.py": TREE["nova/conf/compute.py"].replace(
                "cfg.PortOpt('console_port', default=6080),",
                "cfg.PortOpt('console_port', default=6080),\n"
                "            cfg.StrOpt('my_driver', default='nova.virt.fake.FakeDriver'),"),
            "nova/virt/driver.py": TREE["nova/virt/driver.py"].replace(
                "raise NotImplementedError()",
                "raise NotImplementedError()\n\n            def power_on(self):\n                pass", 1),
            "nova/compute/manager.py": TREE["nova/compute/manager.py"].replace(
                "self.driver.spawn()", "self.driver.spawn()\n                self.driver.power_on()"),
            "nova/virt/libvirt/driver.py": TREE["nova/virt/libvirt/driver.py"] + """
            def power_on(self):
                pass
        """}
    nova = write_tree(tmp_path / "nova", tree)
    trace = uncached(nova)
    assert drivers(trace) == ["nova.virt.driver.ComputeDriver.power_on", "nova.virt.fake.FakeDriver.spawn"]

    def receivers(step):
        return [(c.receiver or "") for c in step.children if c.kind == "driver"] + \
            [r for c in step.children for r in receivers(c)]
    assert receivers(trace.root) == ["", "nova.virt.fake.FakeDriver"]
    assert drivers(uncached(nova, driver="libvirt")) == ["nova.virt.libvirt.driver.LibvirtDriver.power_on",
                                                         "nova.virt.libvirt.driver.LibvirtDriver.spawn"]
    assert len(drivers(uncached(nova, driver="all"))) == 4 + 2


def test_without_driver_the_plugin_the_option_default_names_and_a_type_check_hands_back_is_followed(tmp_path):
    # As Masakari's load_masakari_driver: stevedore's DriverManager loads the entry point
    # CONF.notification_driver's default names ('taskflow_driver'), and utils.check_isinstance(driver,
    # NotificationDriver) hands it back. The flow follows that plugin, not the interface the check
    # names nor libvirt; `--driver` still picks another.
    tree = {**TREE,
            "setup.cfg": TREE["setup.cfg"] + "nova.virt.drivers =\n    fake_driver = nova.virt.fake:FakeDriver\n",
            "nova/conf/compute.py": TREE["nova/conf/compute.py"].replace(
                "cfg.PortOpt('console_port', default=6080),",
                "cfg.PortOpt('console_port', default=6080),\n"
                "            cfg.StrOpt('virt_plugin', default='fake_driver'),"),
            "nova/utils.py": """
                def check_isinstance(obj, cls):
                    if isinstance(obj, cls):
                        return obj
                    raise Exception('Expected object of type: %s' % cls)
                """,
            "nova/virt/driver.py": """
                from oslo_config import cfg
                from stevedore import driver

                from nova import utils

                CONF = cfg.CONF


                class ComputeDriver(object):
                    def spawn(self):
                        raise NotImplementedError()


                def load_compute_driver(name=None):
                    if not name:
                        name = CONF.virt_plugin
                    loaded = driver.DriverManager('nova.virt.drivers', name, invoke_on_load=True).driver
                    return utils.check_isinstance(loaded, ComputeDriver)
                """,
            "nova/compute/manager.py": TREE["nova/compute/manager.py"].replace(
                "driver.load_compute_driver('libvirt.LibvirtDriver')", "driver.load_compute_driver()")}
    nova = write_tree(tmp_path / "nova", tree)
    assert drivers(uncached(nova)) == ["nova.virt.fake.FakeDriver.spawn"]
    assert drivers(uncached(nova, driver="libvirt")) == ["nova.virt.libvirt.driver.LibvirtDriver.spawn"]


@pytest.mark.parametrize("spelling, first", [
    ("no_such_driver", "--driver: no driver 'no_such_driver' in this tree"),
    ("libvrt", "--driver: no driver 'libvrt' in this tree; did you mean libvirt.LibvirtDriver?"),
    ("ComputeDriver", "--driver: no driver 'ComputeDriver' in this tree"),  # the interface is no implementation
])
def test_unknown_driver_exits_2_and_lists_the_drivers_of_the_tree(nova, spelling, first):
    for command in ("trace", "breakpoints"):
        result = run(command, "create_server", "-C", str(nova), "--driver", spelling, "--no-cache")
        assert result.returncode == 2, result.stderr
        lines = result.stderr.splitlines()
        assert lines[0] == f"stackread: error: {first}"
        listed = " ".join(line.strip() for line in lines[1:-1])  # wrapped at 100 columns
        assert listed.startswith("drivers of nova.virt.driver.ComputeDriver: ")
        names = listed.partition(": ")[2]
        expected = "fake.FakeDriver, libvirt.LibvirtDriver and 1 more in fake"
        if spelling == "libvrt":
            expected = "libvirt.LibvirtDriver, fake.FakeDriver and 1 more in fake"  # close matches first
        assert names == expected
        assert "Traceback" not in result.stderr and all(len(line) <= 100 for line in lines)


def test_unknown_driver_in_a_tree_without_drivers(tmp_path):
    root = write_tree(tmp_path / "nova", MINI)
    result = run("trace", "create_server", "-C", str(root), "--driver", "libvirt", "--no-cache")
    assert result.returncode == 2 and "no driver 'libvirt' in this tree, which has no driver interface" in result.stderr
    assert run("trace", "create_server", "-C", str(root), "--no-cache").returncode == 0  # the default is not checked
