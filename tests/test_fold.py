"""A function drawn once per place it runs (flows/fold.py): repeated calls under one step folded into
one that says how many it stands for, and never at the cost of a call or a hop of their own."""

from stackread.flows.flow import Hop, Step
from stackread.flows.fold import folded, folded_label


def step(function, line=10, children=(), receiver=None, seen_above=False, hop=None, condition=None):
    return Step(f"pkg.{function}", "pkg.py", 1, "svc-volume", "hop" if hop else "call", call_line=line,
                condition=condition, receiver=receiver, seen_above=seen_above, hop=hop, children=list(children))


def hop(method):
    return Hop("svc-volume", "svc-backup", method, "cast", False, "pkg.rpcapi.API.x", "pkg/rpcapi.py", 5,
               f"pkg.manager.Manager.{method}", "pkg/manager.py", 9, None, None, True, False)


def names(parent):
    return [(c.function.rpartition(".")[2], c.call_line, folded_label(c) if c.folded else "") for c in parent.children]


def test_one_inherited_method_per_driver_class_is_drawn_once_with_a_count():
    # `self.driver._attach_volume(...)` at one line, `self` any of three drivers that inherit it.
    root = step("Manager.attach", children=[step("BaseVD._attach_volume", 544, [step("BaseVD.connect", 1080)],
                                                 receiver=f"pkg.Driver{i}") for i in range(3)])
    assert names(folded(root)) == [("_attach_volume", 544, "×3")]
    assert names(folded(root).children[0]) == [("connect", 1080, "")]


def test_several_call_sites_of_one_function_are_one_step_naming_the_other_lines():
    root = step("Controller.create", children=[
        step("Mixin._create", 224, [step("API.create", 301)]),
        step("Mixin._create", 232, [step("API.create", 301, seen_above=True)]),
        step("Mixin._create", 238, seen_above=True),
        step("Other.call", 240),
    ])
    assert names(folded(root)) == [("_create", 224, "×3, also called at lines 232, 238"), ("call", 240, "")]


def test_a_reference_first_gives_way_to_the_full_drawing_in_its_place():
    root = step("Manager.run", children=[step("helper", 20, seen_above=True), step("helper", 30, [step("leaf", 5)])])
    (only,) = folded(root).children
    assert (only.call_line, only.seen_above, [c.function for c in only.children]) == (20, False, ["pkg.leaf"])
    assert folded_label(only) == "×2, also called at line 30"


def test_nothing_of_its_own_is_lost():
    # Another condition, something below the second one that the first does not draw, or a hop sent
    # again from another call site (a sequence drawing shows both sends): each stays a step.
    root = step("Manager.run", children=[
        step("helper", 20), step("helper", 21, condition="x"),
        step("other", 30, [step("a", 1)]), step("other", 31, [step("b", 2)]),
        step("send", 40, [step("Manager.backup", 7, hop=hop("backup"))]),
        step("send", 41, [step("Manager.backup", 7, hop=hop("backup"))]),
    ])
    assert [c.call_line for c in folded(root).children] == [20, 21, 30, 31, 40, 41]
    # The same send at one call site (one per implementation of the receiver) is one send.
    root = step("Manager.run", children=[step("send", 40, [step("Manager.backup", 7, hop=hop("backup"))],
                                              receiver=f"pkg.Impl{i}") for i in range(2)])
    assert names(folded(root)) == [("send", 40, "×2")]
