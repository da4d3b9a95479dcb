"""`trace` of Masakari 22.0.0's `notification create` (issue 17): masakari-api casts the notification
to masakari-engine, whose manager hands each notification type to the driver the `masakari.driver`
entry point named by `notification_driver`'s default loads. One trace for the module: each test
reads it. Every hop and driver call checked by hand against the lines named beside it."""

import pytest

from stackread.flows.trace import trace_operation

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def trace(real_release):
    return trace_operation(real_release("masakari-current"), "notification create")


def steps(step):
    yield step
    for child in step.children:
        yield from steps(child)


def test_the_api_casts_process_notification_to_the_engine(trace):
    # api/openstack/ha/notifications.py:59 create -> ha/api.py:348 create_notification, :367
    # getattr(self, create_notification_function) (_create_notification, or for a COMPUTE_HOST one
    # the @synchronized _create_host_type_notification, :345, which calls it) -> :333
    # self.engine_rpcapi.process_notification -> engine/rpcapi.py:48-51 client.prepare(version='1.0')
    # and cast(context, 'process_notification'): on Target(topic=CONF.masakari_topic) ('ha_engine',
    # conf/engine.py:20), which cmd/engine.py:36 Service.create(binary='masakari-engine') serves with
    # engine_manager's default MasakariManager (conf/service.py:31), endpoint manager.py:335.
    assert trace.root.function == "masakari.api.openstack.ha.notifications.NotificationsController.create"
    assert trace.root.process == "masakari-api"
    assert [(h.source, h.kind, h.target, h.method, h.endpoint, h.client_line, h.route, h.condition, h.default_path)
            for h in trace.hops] == [
        ("masakari-api", "cast", "masakari-engine", "process_notification",
         "masakari.engine.manager.MasakariManager.process_notification", 51, None, None, True)]


def test_the_engine_runs_each_notification_type_on_the_taskflow_driver(trace):
    # manager.py:65 self.driver = driver.load_masakari_driver(): engine/driver.py:83 stevedore
    # DriverManager('masakari.driver', CONF.notification_driver) whose default 'taskflow_driver'
    # (conf/engine.py:51, :52) is setup.cfg's masakari.engine.drivers.taskflow:TaskFlowDriver, handed
    # back through utils.check_isinstance(driver, NotificationDriver) (:86). process_notification (:335)
    # -> _process_notification (:273) -> do_process_notification (:275), by notification.type:
    # _handle_notification_type_process (:67) calls execute_process_failure at :94,
    # _handle_notification_type_instance (:130) execute_instance_failure at :141,
    # _handle_notification_type_host (:174) execute_host_failure at :234. Never the abstract
    # NotificationDriver's methods (engine/driver.py:39-49), which the type check alone names.
    drivers = [(s.function.rpartition(".")[2], s.path, s.line, s.call_line, s.process)
               for s in steps(trace.root) if s.kind == "driver"]
    taskflow = "masakari/engine/drivers/taskflow/driver.py"
    assert sorted(drivers) == [
        ("execute_host_failure", taskflow, 134, 234, "masakari-engine"),
        ("execute_instance_failure", taskflow, 169, 141, "masakari-engine"),
        ("execute_process_failure", taskflow, 205, 94, "masakari-engine"),
    ]
    # The host handler runs for a COMPUTE_HOST notification (:313), the driver for its 'STOPPED' event (:200).
    handler = next(s for s in steps(trace.root) if s.function.endswith("._handle_notification_type_host"))
    assert "notification.type == fields.NotificationType.COMPUTE_HOST" in handler.condition
    assert [c.kind for c in handler.children if c.function.endswith(".execute_host_failure")] == ["driver"]
    assert handler.children[0].condition.endswith("notification_event.upper() == 'STOPPED'")


def test_the_version_document_is_served_at_the_routers_root(real_release):
    # ha/versionsV1.py:48 ResourceExtension('versions', ..., custom_routes_fn=self.version_map): :56-57
    # self.map_path(mapper, wsgi_resource, '/') and '' -> :61 mapper.connect("versions", path,
    # action='show', GET): the staticmethod connects the path it is handed.
    from stackread.flows.routes import find_routes

    routes = {(r.verb, r.path): r for r in find_routes(real_release("masakari-current")).routes}
    root = routes["GET", "/"]
    assert (root.controller, root.controller_line, root.declared_line) == (
        "masakari.api.openstack.ha.versionsV1.VersionsController.show", 31, 56)
