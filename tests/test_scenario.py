"""The default scenario (flows/scenario.py): microversions, policy defaults, what the request
carries and values the caller passed decide the default path the way a reader decides it. Each
rule on a small Nova-like tree whose create_server branches between the conductor and the compute."""

import pytest

from conftest import write_tree
from test_settings import TREE

from stackread.flows.question import Question
from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation

CONTROLLER = """
    from nova.api.openstack import api_version_request
    from nova.api.openstack import wsgi
    from nova.compute import rpcapi as compute_rpcapi
    from nova.compute import utils as compute_utils
    from nova.conductor import rpcapi as conductor_rpcapi
    from nova.compute import task_states
    from nova.compute import vm_states
    from nova.policies import servers as servers_policies


    class ServersController(wsgi.Controller):
        def __init__(self):
            self.compute_task_api = conductor_rpcapi.ComputeTaskAPI()
            self.compute_rpcapi = compute_rpcapi.ComputeAPI()

        def create(self, req, body):
    {body}

        def _branch(self, req, taken):
            if taken:
                self.compute_task_api.build_instances(req, body=None)
            else:
                self.compute_rpcapi.build_and_run_instance(req, None, 'host')
    """
EXTRA = {
    "nova/api/openstack/api_version_request.py": """
        _MIN_API_VERSION = '2.1'
        _MAX_API_VERSION = '2.90'


        def is_supported(req, min_version, max_version=None):
            return True
        """,
    "nova/compute/utils.py": "def is_volume_backed_instance(context, instance, bdms=None):\n    return False\n",
    "nova/policies/__init__.py": "",
    "nova/policies/base.py": "from oslo_policy import policy\n\nRULE_NOBODY = '!'\nRULE_ADMIN_API = 'rule:admin_api'\n"
                             "rules = [policy.RuleDefault('admin_api', 'is_admin:True')]\n",
    "nova/policies/servers.py": """
        from oslo_policy import policy
        from nova.policies import base

        CROSS_CELL = 'compute:servers:resize:cross_cell'
        rules = [
            policy.DocumentedRuleDefault(name=CROSS_CELL, check_str=base.RULE_NOBODY, description='', operations=[]),
            policy.DocumentedRuleDefault(name='compute:servers:admin', check_str=base.RULE_ADMIN_API,
                                         description='', operations=[]),
        ]
        """,
}


def nova(tmp_path, body: str):
    """The controller with `body` as create's; after a blank line, more methods of the class."""
    create, _sep, methods = body.strip().partition("\n\n")
    lines = "\n".join("            " + line for line in create.splitlines())
    lines += "\n\n" + "\n".join("        " + line if line else "" for line in methods.splitlines())
    files = {**TREE, **EXTRA, "nova/api/openstack/compute/servers.py": CONTROLLER.replace("    {body}", lines)}
    return write_tree(tmp_path / "nova", files)


def default_methods(tree, **scenario):
    trace = trace_operation(Reading(tree, use_cache=False), Question("create_server", scenario=scenario))
    hops = {h.method: h for h in trace.hops if h.source == "nova-api"}
    assert set(hops) == {"build_instances", "build_and_run_instance"}, "both branches stay drawn"
    return sorted(m for m, h in hops.items() if h.default_path), hops, trace


def test_the_newest_microversion_decides_a_local_and_another_one_can_be_asked(tmp_path):
    tree = nova(tmp_path, "async_ = api_version_request.is_supported(req, '2.34')\nself._branch(req, async_)")
    methods, hops, trace = default_methods(tree)
    assert methods == ["build_instances"]
    assert hops["build_instances"].assumed == ["microversion 2.90 (the newest)"]
    assert "microversion 2.90 (the newest) (nova/api/openstack/api_version_request.py:2)" in trace.notes[-1]
    assert default_methods(tree, microversion="2.25")[0] == ["build_and_run_instance"]


def test_a_version_range_and_a_condition_on_the_check_itself(tmp_path):
    tree = nova(tmp_path, "if api_version_request.is_supported(req, min_version='2.3', max_version='2.50'):\n"
                          "    self.compute_task_api.build_instances(req, body=None)\n"
                          "else:\n    self.compute_rpcapi.build_and_run_instance(req, None, 'host')")
    assert default_methods(tree)[0] == ["build_and_run_instance"]
    assert default_methods(tree, microversion="2.40")[0] == ["build_instances"]


def test_a_policy_that_defaults_to_nobody_is_not_the_default_path(tmp_path):
    tree = nova(tmp_path, "ctx = req.environ['nova.context']\n"
                          "self._branch(req, ctx.can(servers_policies.CROSS_CELL, target={}, fatal=False))")
    methods, hops, _trace = default_methods(tree)
    assert methods == ["build_and_run_instance"]
    assert hops["build_and_run_instance"].assumed == ["policy compute:servers:resize:cross_cell = '!' (its default)"]
    assert default_methods(tree, **{"policy.compute:servers:resize:cross_cell": "@"})[0] == ["build_instances"]


def test_a_policy_that_depends_on_the_caller_stays_open(tmp_path):
    tree = nova(tmp_path, "ctx = req.environ['nova.context']\n"
                          "self._branch(req, ctx.can('compute:servers:admin', fatal=False))")
    assert default_methods(tree)[0] == ["build_and_run_instance", "build_instances"]


def test_the_plain_instance_is_image_backed_and_an_assumption_can_be_changed(tmp_path):
    tree = nova(tmp_path, "if compute_utils.is_volume_backed_instance(req, body):\n"
                          "    self.compute_task_api.build_instances(req, body=None)\n"
                          "else:\n    self.compute_rpcapi.build_and_run_instance(req, None, 'host')")
    methods, hops, trace = default_methods(tree)
    assert methods == ["build_and_run_instance"]
    assert hops["build_instances"].assumed[0].startswith("is_volume_backed_instance = False")
    assert "is_volume_backed_instance = False: the instance boots from an image" in trace.notes[-1]
    assert default_methods(tree, **{"assume.is_volume_backed_instance": "true"})[0] == ["build_instances"]


def test_a_field_of_a_loaded_object_passed_for_an_optional_parameter_is_set(tmp_path):
    tree = nova(tmp_path, "self._rebuild(req, body)\n"
                          "\n"
                          "def _rebuild(self, req, instance):\n"
                          "    self._go(req, host=instance.host)\n"
                          "def _go(self, req, host=None):\n"
                          "    if not host:\n"
                          "        self.compute_task_api.build_instances(req, body=None)\n"
                          "    else:\n"
                          "        self.compute_rpcapi.build_and_run_instance(req, None, 'host')")
    methods, hops, _trace = default_methods(tree)
    assert methods == ["build_and_run_instance"]
    assert hops["build_and_run_instance"].assumed == ["host = instance.host: set, a loaded object's field"]


def test_a_field_passed_as_a_flag_stays_open(tmp_path):
    tree = nova(tmp_path, "self._rebuild(req, body)\n"
                          "\n"
                          "def _rebuild(self, req, instance):\n"
                          "    self._flag(req, is_bfv=instance.is_bfv)\n"
                          "def _flag(self, req, is_bfv=False):\n"
                          "    self._branch(req, is_bfv)\n"
                          "def _other(self, req, instance):\n"
                          "    self._branch(req, instance.host)\n")
    assert default_methods(tree)[0] == ["build_and_run_instance", "build_instances"]


@pytest.mark.parametrize("state, expected", [("ACTIVE", "build_and_run_instance"), ("SHELVED", "build_instances")])
def test_the_vm_state_is_what_the_api_method_allows(tmp_path, state, expected):
    tree = nova(tmp_path, "self._api(req, body)\n"
                          "\n"
                          f"@check_instance_state(vm_state=[vm_states.{state}])\n"
                          "def _api(self, req, instance):\n"
                          "    if instance.vm_state == vm_states.SHELVED:\n"
                          "        self.compute_task_api.build_instances(req, body=None)\n"
                          "    else:\n"
                          "        self.compute_rpcapi.build_and_run_instance(req, None, 'host')")
    assert default_methods(tree)[0] == [expected]


def test_the_route_serving_the_asked_microversion_is_the_entry():
    from stackread.flows.operations import Lookup, Operation
    from stackread.flows.trace import Tracer
    from stackread.frameworks.rest.route import Route

    def route(controller, low, high):
        return Route("POST", "/servers/{id}/action", "x", controller, "a.py", 1, low, high, "r.py", 1)

    newest, older = route("a.New.x", "2.6", None), route("a.Old.x", "2.1", "2.5")
    lookup = Lookup("x", Operation("x", (newest,)), (Operation("x", (older,)),))
    tracer = Tracer.__new__(Tracer)  # only the question is read
    for asked, expected in ((None, newest), ("2.3", older), ("2.6", newest)):
        tracer.question = Question("x", scenario={"microversion": asked} if asked else {})
        assert tracer._at_microversion(lookup) is expected


def test_a_negated_check_in_a_local_and_in_an_argument(tmp_path):
    # Nova's volume attach: `needs_device_returned = not is_supported(req, '2.101')`, then
    # `do_cast=not needs_device_returned` a call later: neither is an expression the summary keeps.
    tree = nova(tmp_path, "needs_device = not api_version_request.is_supported(req, '2.50')\n"
                          "self._attach(req, do_cast=not needs_device)\n"
                          "\n"
                          "def _attach(self, req, do_cast=False):\n"
                          "    self._branch(req, do_cast)\n")
    methods, hops, _trace = default_methods(tree)
    assert methods == ["build_instances"]
    assert hops["build_instances"].assumed == ["microversion 2.90 (the newest)"]
    assert default_methods(tree, microversion="2.49")[0] == ["build_and_run_instance"]


def test_the_command_line_refuses_choices_that_would_change_nothing(tmp_path):
    from test_settings import run

    tree = nova(tmp_path, "self._branch(req, api_version_request.is_supported(req, '2.34'))")
    for args, said in ((["--microversion", "2.x"], "is not MAJOR.MINOR"),
                       (["--microversion", "2.91"], "supports up to 2.90"),
                       (["--set-policy", "compute:nothing=@"], "no policy 'compute:nothing'"),
                       (["--assume", "no_equals_sign"], "is not NAME=VALUE")):
        result = run("trace", "create_server", "-C", str(tree), "--no-cache", *args)
        assert result.returncode == 2 and said in result.stderr, (args, result.stderr)
    result = run("trace", "create_server", "-C", str(tree), "--no-cache", "--microversion", "2.25", "--json")
    hops = {h["method"]: h for h in __import__("json").loads(result.stdout)["hops"] if h["from"] == "nova-api"}
    assert hops["build_and_run_instance"]["default_path"] and hops["build_and_run_instance"]["assumed"] == ["microversion 2.25"]


def test_an_optional_key_of_the_body_read_with_get_is_absent(tmp_path):
    tree = nova(tmp_path, "server = body['server']\n"
                          "if server.get('force'):\n"
                          "    self.compute_task_api.build_instances(req, body=None)\n"
                          "else:\n    self.compute_rpcapi.build_and_run_instance(req, None, 'host')")
    methods, hops, trace = default_methods(tree)
    assert methods == ["build_and_run_instance"]
    assert hops["build_instances"].assumed == ["'force' absent from the request body"]
    assert "an optional key read with .get() is absent" in trace.notes[-1]


def test_what_the_controller_passes_on_from_the_body_decides_nothing_in_the_callee(tmp_path):
    # The callee may need one key of several (Cinder's create_from_src: a snapshot or a source group).
    tree = nova(tmp_path, "source = body['server'].get('source')\nself._branch(req, source)")
    assert default_methods(tree)[0] == ["build_and_run_instance", "build_instances"]


def test_a_local_set_again_only_under_an_if_the_plain_body_does_not_take_keeps_its_first_value(tmp_path):
    # Cinder's snapshot create: `force = False`, then `if force_flag is not None: force = ...`.
    tree = nova(tmp_path, "force_flag = body['server'].get('force')\n"
                          "force = False\n"
                          "if force_flag is not None:\n"
                          "    force = True\n"
                          "if force:\n"
                          "    self.compute_task_api.build_instances(req, body=None)\n"
                          "else:\n    self.compute_rpcapi.build_and_run_instance(req, None, 'host')")
    methods, hops, _trace = default_methods(tree)
    assert methods == ["build_and_run_instance"]
    assert hops["build_and_run_instance"].assumed == ["'force' absent from the request body"]


def test_a_key_tested_with_in_and_a_local_set_on_both_branches_stay_open(tmp_path):
    # Only the schema says which keys a body must carry; a local an `else` sets too is not decided.
    tree = nova(tmp_path, "self._branch(req, 'force' in body['server'])")
    assert default_methods(tree)[0] == ["build_and_run_instance", "build_instances"]
    tree = nova(tmp_path / "else", "force = False\n"
                                   "if body['server'].get('force') is not None:\n"
                                   "    force = True\n"
                                   "else:\n    force = req.force\n"
                                   "self._branch(req, force)")
    assert default_methods(tree)[0] == ["build_and_run_instance", "build_instances"]


OBJECTS = {
    "nova/objects/__init__.py": "",
    "nova/objects/instance.py": """
        from oslo_versionedobjects import fields


        class Instance(object):
            fields = {
                'disable_terminate': fields.BooleanField(default=False),
                'locked': fields.BooleanField(default=False),
            }


        class Migration(object):
            fields = {'locked': fields.BooleanField(default=True)}
        """,
}


def test_the_plain_instance_is_on_a_host_and_may_be_deleted(tmp_path):
    # nova/compute/api.py _delete: `if instance.disable_terminate: return` (nova/objects/instance.py
    # declares the field's default False), then `if not instance.host and ...:` the local delete of
    # an instance never scheduled.
    tree = nova(tmp_path, "self._delete(req, body)\n"
                          "\n"
                          "def _delete(self, req, instance):\n"
                          "    if instance.disable_terminate:\n"
                          "        return\n"
                          "    if not instance.host:\n"
                          "        self.compute_task_api.build_instances(req, body=None)\n"
                          "    else:\n"
                          "        self.compute_rpcapi.build_and_run_instance(req, None, 'host')")
    write_tree(tree, OBJECTS)
    methods, hops, trace = default_methods(tree)
    assert methods == ["build_and_run_instance"] and not hops["build_and_run_instance"].open
    assert hops["build_and_run_instance"].assumed == [
        "disable_terminate = False: the default Instance declares (nova/objects/instance.py:6)",
        "instance.host is set: the instance runs on a compute host"]
    # A host of another object is not the instance's: it stays open.
    tree = nova(tmp_path / "other", "self._go(req, body)\n"
                                    "\n"
                                    "def _go(self, req, destination):\n"
                                    "    if destination.host:\n"
                                    "        self.compute_rpcapi.build_and_run_instance(req, None, 'host')\n"
                                    "    else:\n"
                                    "        self.compute_task_api.build_instances(req, body=None)")
    methods, hops, _trace = default_methods(tree)
    assert methods == ["build_and_run_instance", "build_instances"] and hops["build_instances"].open


def test_a_flavor_is_given_and_an_assumption_can_say_none(tmp_path):
    # nova/conductor/manager.py migrate_server: `elif not live and not rebuild and flavor:` resizes to
    # the flavor compute/api.py resize passes (the new one, or the instance's own for a migrate).
    tree = nova(tmp_path, "self._migrate(req, self._flavor(body))\n"
                          "\n"
                          "def _flavor(self, body):\n"
                          "    return body\n"
                          "def _migrate(self, req, flavor):\n"
                          "    if flavor:\n"
                          "        self.compute_rpcapi.build_and_run_instance(req, None, 'host')\n"
                          "    else:\n"
                          "        self.compute_task_api.build_instances(req, body=None)")
    methods, hops, _trace = default_methods(tree)
    assert methods == ["build_and_run_instance"] and not hops["build_and_run_instance"].open
    assert hops["build_and_run_instance"].assumed == ["flavor is set: the request's flavor, or the instance's own"]
    assert default_methods(tree, **{"assume.flavor": "none"})[0] == ["build_instances"]


def test_a_local_set_again_under_a_taken_if_in_a_try_holds_the_value_set_there(tmp_path):
    # nova/compute/api.py _delete: `is_local_delete = True`, then in a try, under `if instance.host is not
    # None:` (set), `is_local_delete = not self.servicegroup_api.service_is_up(service)` (the service is up).
    tree = nova(tmp_path, "self._delete(req, body)\n"
                          "\n"
                          "def _delete(self, req, instance):\n"
                          "    is_local_delete = True\n"
                          "    try:\n"
                          "        if instance.host is not None:\n"
                          "            is_local_delete = not self.servicegroup_api.service_is_up(instance)\n"
                          "    except Exception:\n"
                          "        is_local_delete = True\n"
                          "    if is_local_delete:\n"
                          "        self.compute_task_api.build_instances(req, body=None)\n"
                          "    else:\n"
                          "        self.compute_rpcapi.build_and_run_instance(req, None, 'host')")
    methods, hops, _trace = default_methods(tree)
    assert methods == ["build_and_run_instance"] and not hops["build_and_run_instance"].open
    assert "service_is_up = True: the compute service the instance is on is up" in hops["build_instances"].assumed
    # Read before it is set again, the local is not known there.
    tree = nova(tmp_path / "before", "self._delete(req, body)\n"
                                     "\n"
                                     "def _delete(self, req, instance):\n"
                                     "    is_local_delete = True\n"
                                     "    self._branch(req, is_local_delete)\n"
                                     "    if instance.host is not None:\n"
                                     "        is_local_delete = not self.servicegroup_api.service_is_up(instance)\n"
                                     "    return is_local_delete")
    assert default_methods(tree)[0] == ["build_and_run_instance", "build_instances"]


def test_a_state_tested_against_a_tuple_of_named_states(tmp_path):
    # _delete's `if original_task_state in (task_states.DELETING, task_states.SOFT_DELETING): return`,
    # `original_task_state = instance.task_state`: no task is under way on the plain instance. (The
    # module's locals are read where it calls a check of the scenario, as _delete calls service_is_up.)
    tree = nova(tmp_path, "self._delete(req, body)\n"
                          "\n"
                          "def _delete(self, req, instance):\n"
                          "    original_task_state = instance.task_state\n"
                          "    if self.servicegroup_api.service_is_up(instance):\n"
                          "        if original_task_state in (task_states.DELETING, task_states.SOFT_DELETING):\n"
                          "            self.compute_task_api.build_instances(req, body=None)\n"
                          "        else:\n"
                          "            self.compute_rpcapi.build_and_run_instance(req, None, 'host')")
    methods, hops, _trace = default_methods(tree)
    assert methods == ["build_and_run_instance"]
    assert hops["build_instances"].assumed == ["service_is_up = True: the compute service the instance is on is up",
                                               "instance.task_state = None: no task is under way on the instance"]


def test_a_function_called_through_a_parameter_gets_its_defaults(tmp_path):
    # _delete(..., cb) calls `cb(context, instance, bdms)`; `_do_delete(self, ..., local=False)` reads `if local:`.
    tree = nova(tmp_path, "self._delete(req, body, self._do_delete)\n"
                          "\n"
                          "def _delete(self, req, instance, cb):\n"
                          "    cb(req, instance)\n"
                          "def _do_delete(self, req, instance, local=False):\n"
                          "    if local:\n"
                          "        self.compute_task_api.build_instances(req, body=None)\n"
                          "    else:\n"
                          "        self.compute_rpcapi.build_and_run_instance(req, None, 'host')")
    trace = trace_operation(Reading(tree, use_cache=False), Question("create_server"))
    hops = {h.method: h for h in trace.hops}
    assert set(hops) == {"build_and_run_instance"}  # the literal default rules the local branch out
    assert not hops["build_and_run_instance"].open


def test_every_service_runs_the_release_so_a_client_sends_the_newest_version(tmp_path):
    # Cinder's create flow: `if self.client.can_send_version('2.4'):` restore_backup the newer way, else
    # the older; in any project, an RPC client's version check takes the newer way.
    tree = nova(tmp_path, "self._branch(req, self.compute_rpcapi.client.can_send_version('6.1'))")
    methods, hops, trace = default_methods(tree)
    assert methods == ["build_instances"]
    assert hops["build_and_run_instance"].assumed == [
        "can_send_version = True: every service runs this release: a client sends the newest version"]
    assert "can_send_version = True" in trace.notes[-1]


def test_a_field_two_objects_declare_with_other_defaults_stays_open(tmp_path):
    body = ("if instance.locked:\n    self.compute_task_api.build_instances(req, body=None)\n"
            "else:\n    self.compute_rpcapi.build_and_run_instance(req, None, 'host')")
    tree = nova(tmp_path, body)
    alone = OBJECTS["nova/objects/instance.py"].split("\n\n\n        class Migration")[0]
    write_tree(tree, {**OBJECTS, "nova/objects/instance.py": alone})
    assert default_methods(tree)[0] == ["build_and_run_instance"]  # Instance alone: locked is False
    tree = nova(tmp_path / "both", body)
    write_tree(tree, OBJECTS)  # Instance's locked defaults to False, Migration's to True
    assert default_methods(tree)[0] == ["build_and_run_instance", "build_instances"]


def _hops(tree):
    trace = trace_operation(Reading(tree, use_cache=False), Question("create_server"))
    return {h.method: h for h in trace.hops if h.source == "nova-api"}


def test_a_keyword_dict_filled_by_literal_keys_leaves_the_other_parameters_at_their_defaults(tmp_path):
    # cinder/api/v3/volumes.py create: `kwargs = {}`, `kwargs['snapshot'] = ...`, then
    # `self.volume_api.create(..., **kwargs)`, whose `cgsnapshot=None` decides `sched_rpcapi =
    # (self.scheduler_rpcapi if not cgsnapshot ... else None)`, an object __init__ made: the flow casts.
    flow = ("\n"
            "def _create(self, req, snapshot=None, cgsnapshot=None):\n"
            "    rpcapi = self.compute_task_api if not cgsnapshot else None\n"
            "    self._flow(req, rpcapi)\n"
            "def _flow(self, req, rpcapi=None):\n"
            "    if rpcapi:\n"
            "        self.compute_task_api.build_instances(req, body=None)\n"
            "    else:\n"
            "        self.compute_rpcapi.build_and_run_instance(req, None, 'host')")
    tree = nova(tmp_path, "kwargs = {}\nkwargs['snapshot'] = None\nself._create(req, **kwargs)\n" + flow)
    hops = _hops(tree)
    assert set(hops) == {"build_instances"} and not hops["build_instances"].open
    # Handed to another function first, the dict may carry any key: nothing is decided.
    tree = nova(tmp_path / "handed", "kwargs = {}\nself._fill(kwargs)\nself._create(req, **kwargs)\n" + flow
                + "\ndef _fill(self, kwargs):\n    kwargs['cgsnapshot'] = 'snap'")
    hops = _hops(tree)
    assert set(hops) == {"build_instances", "build_and_run_instance"} and hops["build_instances"].open
