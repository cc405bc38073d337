"""find_tensors() and Tracker: which tensors a namespace reaches, and what changed."""

import gc
import weakref

import torch

from tensor_inspector.tracking import Tracker, find_tensors


def names_of(found):
    return {names[0]: names[1:] for _, names in found.tensors.values()}


def test_top_level_names_module_parameters_and_containers_are_found():
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    namespace = {
        "t1": torch.ones(2),
        "model": model,
        "batch": [torch.zeros(1), (torch.zeros(2), "label")],
        "d": {"x": torch.zeros(3), 7: torch.zeros(4)},
    }
    found = names_of(find_tensors(namespace))
    assert {
        "t1",
        "model.0.weight",
        "model.0.bias",
        "model.1.running_mean",
        "batch[0]",
        "batch[1][0]",
        "d['x']",
        "d[7]",
    } <= set(found)


def test_containers_are_searched_two_levels_deep_only():
    deep = [[[torch.zeros(1)]]]
    assert names_of(find_tensors({"deep": deep})) == {}
    assert set(names_of(find_tensors({"two": [[torch.zeros(1)]]}))) == {"two[0][0]"}


def test_long_containers_are_cut_with_a_count_of_the_rest():
    found = find_tensors({"many": [torch.zeros(1) for _ in range(130)]}, items_per_container=100)
    assert len(found.tensors) == 100
    assert found.truncated == {"many": 30}


def test_ipython_names_and_hidden_names_are_not_rows():
    t = torch.zeros(1)
    namespace = {
        "_": t,
        "__": t,
        "_5": t,
        "_i3": t,
        "_ii": t,
        "Out": {5: t},
        "In": [],
        "secret": t,
        "mine": t,
    }
    found = names_of(find_tensors(namespace, hidden={"secret": t}))
    assert found == {"mine": []}


def test_one_tensor_under_several_names_is_one_row_with_aliases():
    t = torch.zeros(2)
    found = names_of(find_tensors({"a": t, "b": t, "items": [t]}))
    assert found == {"a": ["b", "items[0]"]}


def test_status_is_new_then_blank_then_changed():
    tracker = Tracker()
    namespace = {"t": torch.zeros(2)}
    tracker.scan(namespace)
    assert [r["status"] for r in tracker.rows] == ["new"]
    tracker.scan(namespace)
    assert [r["status"] for r in tracker.rows] == [""]
    namespace["t"].add_(1)
    third = tracker.scan(namespace)
    assert [r["status"] for r in tracker.rows] == ["changed"]
    assert third.upserted[0]["preview"] == [1.0, 1.0]  # what the panel receives
    assert tracker.rows_in(namespace)[0]["preview"] == [1.0, 1.0]  # what the API returns


def test_only_changed_rows_are_reported():
    tracker = Tracker()
    namespace = {f"t{i}": torch.zeros(2) for i in range(50)}
    tracker.scan(namespace)
    tracker.scan(namespace)  # statuses settle
    namespace["t7"].add_(1)
    namespace["gone"] = None
    del namespace["t9"]
    changes = tracker.scan(namespace)
    assert [row["name"] for row in changes.upserted] == ["t7"]
    assert changes.removed == ["t9"]


def test_tracker_keeps_no_tensor_alive():
    tracker = Tracker()
    namespace = {"t": torch.zeros(1000)}
    tracker.scan(namespace)
    ref = weakref.ref(namespace["t"])
    del namespace["t"]
    gc.collect()
    assert ref() is None
    assert tracker.scan(namespace).removed == ["t"]


def test_a_tensor_whose_metadata_raises_becomes_an_error_row():
    class Broken(torch.Tensor):
        @property
        def shape(self):
            raise ValueError("no shape today")

    tracker = Tracker()
    namespace = {"ok": torch.zeros(1), "broken": torch.zeros(2).as_subclass(Broken)}
    tracker.scan(namespace)
    rows = tracker.rows
    by_name = {row["name"]: row for row in rows}
    assert by_name["ok"]["shape"] == [1]
    assert by_name["broken"]["status"] == "error"
    assert "no shape today" in by_name["broken"]["preview"]
    # The next cell leaves it as it was: it stays an error row, and nothing is sent again.
    namespace["later"] = torch.ones(1)
    assert "broken" not in [row["name"] for row in tracker.scan(namespace).upserted]
    assert {row["name"]: row for row in tracker.rows}["broken"]["status"] == "error"


def test_a_top_level_name_is_preferred_over_a_container_path():
    t = torch.zeros(2)
    found = names_of(find_tensors({"items": [t], "t": t}))
    assert found == {"t": ["items[0]"]}
