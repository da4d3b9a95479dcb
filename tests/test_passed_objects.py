"""Drivers handed on (issue 18): an object a caller passes for a parameter is what the callee calls
on that call path. Nova's compute manager hands its virt driver and its Cinder API to a block-device
object (`bdm.attach(context, instance, self.volume_api, self.driver)`), which calls
`virt_driver.attach_volume(...)` and `volume_api.attachment_update(...)` two calls further down; the
block device itself is made by a `functools.partial` of a converter, chained with `itertools.chain`."""

from conftest import write_tree
from test_settings import TREE

from stackread.flows.reading import Reading
from stackread.flows.trace import trace_operation

HANDED = {
    **TREE,
    "nova/virt/driver.py": TREE["nova/virt/driver.py"].replace("""
            def spawn(self):
                raise NotImplementedError()""", """
            def spawn(self):
                raise NotImplementedError()

            def get_volume_connector(self, instance):
                raise NotImplementedError()

            def attach_volume(self, context, connection_info, instance):
                raise NotImplementedError()"""),
    "nova/virt/libvirt/driver.py": """
        from nova.virt import driver


        class LibvirtDriver(driver.ComputeDriver):
            def spawn(self):
                pass

            def get_volume_connector(self, instance):
                return {}

            def attach_volume(self, context, connection_info, instance):
                pass
        """,
    "nova/volume/__init__.py": "",
    "nova/volume/cinder.py": """
        from cinderclient import client as cinder_client


        class API(object):
            def create(self, context, size):
                return cinder_client.Client().volumes.create(size)

            def attachment_update(self, context, attachment_id, connector):
                return cinder_client.Client().attachments.update(attachment_id, connector)

            def attachment_complete(self, context, attachment_id):
                cinder_client.Client().attachments.complete(attachment_id)
        """,
    "nova/virt/block_device.py": """
        import functools
        import itertools


        class DriverVolumeBlockDevice(dict):
            def attach(self, context, instance, volume_api, virt_driver, do_driver_attach=False):
                self._do_attach(context, instance, volume_api, virt_driver, do_driver_attach)

            def _do_attach(self, context, instance, volume_api, virt_driver, do_driver_attach):
                connector = virt_driver.get_volume_connector(instance)
                self._volume_attach(context, connector, instance, volume_api, virt_driver)

            def _volume_attach(self, context, connector, instance, volume_api, virt_driver):
                info = volume_api.attachment_update(context, self['attachment_id'], connector)
                virt_driver.attach_volume(context, info, instance)
                volume_api.attachment_complete(context, self['attachment_id'])


        class DriverVolBlankBlockDevice(DriverVolumeBlockDevice):
            def attach(self, context, instance, volume_api, virt_driver, wait_func=None):
                volume_api.create(context, 1)
                super(DriverVolBlankBlockDevice, self).attach(context, instance, volume_api, virt_driver)


        def _convert_block_devices(device_type, block_device_mapping):
            devices = []
            for bdm in block_device_mapping:
                devices.append(device_type(bdm))
            return devices


        convert_volumes = functools.partial(_convert_block_devices, DriverVolumeBlockDevice)
        convert_blanks = functools.partial(_convert_block_devices, DriverVolBlankBlockDevice)


        def convert_all_volumes(*volume_bdms):
            source_volume = convert_volumes(volume_bdms)
            source_blank = convert_blanks(volume_bdms)
            return [vol for vol in itertools.chain(source_volume, source_blank)]


        def convert_volume(volume_bdm):
            return convert_all_volumes(volume_bdm)[0]
        """,
    "nova/compute/manager.py": """
        import oslo_messaging as messaging
        from nova import manager
        from nova.virt import block_device as driver_block_device
        from nova.virt import driver
        from nova.volume import cinder

        class ComputeManager(manager.Manager):
            target = messaging.Target(version='6.5')

            def __init__(self):
                super().__init__()
                self.driver = driver.load_compute_driver('libvirt.LibvirtDriver')
                self.volume_api = cinder.API()

            def build_and_run_instance(self, ctxt, instance):
                driver_bdm = driver_block_device.convert_volume(instance)
                self._attach_volume(ctxt, instance, driver_bdm)

            def _attach_volume(self, context, instance, bdm):
                bdm.attach(context, instance, self.volume_api, self.driver, do_driver_attach=True)
        """,
}


def find(step, function):
    todo = [step]
    while todo:
        step = todo.pop()
        if step.function.endswith(function):
            return step
        todo += step.children
    return None


def calls(step):
    return [(c.kind, c.function.rpartition(".")[0].rpartition(".")[2] + "." + c.function.rpartition(".")[2])
            for c in step.children]


def test_the_driver_and_the_volume_api_handed_to_a_block_device_are_what_it_calls(tmp_path):
    trace = trace_operation(Reading(write_tree(tmp_path / "nova", HANDED), use_cache=False), "create_server")
    # The block device is the converter's class (a partial's pre-bound argument, chained); of its two
    # classes only the one whose attach takes `do_driver_attach` can run this call.
    assert calls(find(trace.root, "ComputeManager._attach_volume")) == [("call", "DriverVolumeBlockDevice.attach")]
    assert calls(find(trace.root, "DriverVolumeBlockDevice._do_attach")) == [
        ("driver", "LibvirtDriver.get_volume_connector"), ("call", "DriverVolumeBlockDevice._volume_attach")]
    assert calls(find(trace.root, "DriverVolumeBlockDevice._volume_attach")) == [
        ("service", "API.attachment_update"), ("driver", "LibvirtDriver.attach_volume"),
        ("service", "API.attachment_complete")]


def test_an_object_pre_bound_by_a_partial_is_the_parameter_where_the_partial_is_called(tmp_path):
    files = dict(HANDED)
    files["nova/compute/manager.py"] = HANDED["nova/compute/manager.py"].replace('''
            def _attach_volume(self, context, instance, bdm):''', '''
            def _attach_volume(self, context, instance, bdm):
                complete = functools.partial(_complete, self.volume_api, attachment_id='a')
                complete(context)''').replace("import oslo_messaging", "import functools\n        import oslo_messaging") \
        + """

        def _complete(volume_api, context, attachment_id=None):
            volume_api.attachment_complete(context, attachment_id)
        """
    trace = trace_operation(Reading(write_tree(tmp_path / "nova", files), use_cache=False), "create_server")
    assert calls(find(trace.root, "manager._complete")) == [("service", "API.attachment_complete")]


def test_a_function_handed_in_is_drawn_once_where_the_callee_calls_it(tmp_path):
    # compute/api.py's shape: delete() hands self._do_delete to _delete(), which calls it as cb(...) and
    # hands it on to _local_delete(), which calls it too.
    files = dict(HANDED)
    files["nova/compute/manager.py"] = HANDED["nova/compute/manager.py"].replace('''
            def _attach_volume(self, context, instance, bdm):''', '''
            def _attach_volume(self, context, instance, bdm):
                self._delete(context, instance, self._do_delete)

            def _delete(self, context, instance, cb):
                if self.volume_api:
                    cb(context, instance)
                self._local_delete(context, instance, cb)

            def _local_delete(self, context, instance, cb):
                cb(context, instance)

            def _do_delete(self, context, instance):
                self.volume_api.attachment_complete(context, instance)

            def _unused(self, context, instance, bdm):''')
    trace = trace_operation(Reading(write_tree(tmp_path / "nova", files), use_cache=False), "create_server")
    delete = find(trace.root, "ComputeManager._delete")
    assert [(c.function.rpartition(".")[2], c.call_line, c.condition, c.callback) for c in delete.children] == [
        ("_do_delete", 24, "self.volume_api", None), ("_local_delete", 25, None, None)]
    assert calls(delete.children[0]) == [("service", "API.attachment_complete")]
    assert [(c.function.rpartition(".")[2], c.call_line, c.callback) for c in delete.children[1].children] == [
        ("_do_delete", 28, None)]
