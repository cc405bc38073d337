"""A tensor whose storage was freed under it (FSDP resizes a sharded parameter's storage to 0
bytes) reads fine as metadata, but any read of its values kills the kernel. Every action
that would read them refuses in words, and the row says why its buttons are off."""

import json

import pytest

from tensor_inspector import ActionError
from tests.conftest import invoke, run

FREED = "freed = torch.ones(3, requires_grad=True)\nfreed.untyped_storage().resize_(0)"
REASON = "storage holds 0 bytes for 3 elements"


def test_the_row_of_a_freed_tensor_says_its_values_cannot_be_read(ip, inspector):
    run(ip, FREED)
    row = {row["name"]: row for row in inspector.rows}["freed"]
    assert REASON in row["unreadable"] and row["shape"] == [3]
    # It holds no memory any more: the row's memory says 0 B, not the 12 B it would fill.
    assert row["storage_nbytes"] == 0 and row["nbytes"] == 12
    run(ip, "kept = torch.ones(3)")
    assert {row["name"]: row for row in inspector.rows}["kept"]["unreadable"] is None


def test_stats_of_a_freed_tensor_are_refused_and_the_kernel_lives(ip, inspector):
    run(ip, FREED)
    reply = invoke(inspector.panel, "stats", {"name": "freed"})
    assert reply["ok"] is False and REASON in reply["text"]
    json.dumps(reply, allow_nan=False)


def test_moving_or_fixing_a_freed_tensor_is_refused(ip, inspector, sim_device):
    run(ip, FREED)
    with pytest.raises(ActionError, match=REASON):
        inspector.move("freed", sim_device)
    with pytest.raises(ActionError, match=REASON):
        inspector.apply_fix("freed", sim_device)
    assert ip.user_ns["freed"].device.type == "cpu"


def test_backward_through_a_freed_leaf_is_refused(ip, inspector):
    run(ip, "w = torch.ones(3, requires_grad=True)\nloss = (w ** 2).sum()")
    run(ip, "w.untyped_storage().resize_(0)")  # backward would read w, saved by the graph
    with pytest.raises(ActionError, match=REASON):
        inspector.backward("loss")
    assert ip.user_ns["w"].grad is None


def test_module_stats_skip_a_freed_parameter_with_a_note(ip, inspector):
    run(
        ip,
        "model = torch.nn.Sequential(torch.nn.Linear(3, 2))\n"
        "model[0].weight.untyped_storage().resize_(0)",
    )
    parameters = inspector.stats("model")["parameters"]
    assert REASON.replace("3", "6") in parameters["model.0.weight"]["note"]
    assert parameters["model.0.weight"]["mean"] is None
    assert parameters["model.0.bias"]["note"] is None and parameters["model.0.bias"]["numel"] == 2
