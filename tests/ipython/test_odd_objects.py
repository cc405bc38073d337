"""One odd object in the notebook is one error row, one skipped object or one refusal in
words; every ordinary tensor keeps working around it."""

import json

import pytest

from tensor_inspector import ActionError
from tests.conftest import invoke, run

STRICT = """
class Strict(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        raise RuntimeError("only inside strict_mode()")
odd = torch.ones(2).as_subclass(Strict)
held = [odd]
"""

RAISING = """
class Raising(torch.Tensor):
    def __getattribute__(self, name):
        if not name.startswith("__"):
            raise AttributeError(f"no {name}")
        return super().__getattribute__(name)
rais = torch.ones(2).as_subclass(Raising)
"""

ORDINARY = "w = torch.ones(3, requires_grad=True)\nloss = (w * 2).sum()"


@pytest.mark.parametrize("odd", [STRICT, RAISING], ids=["torch_function_raises", "reads_raise"])
def test_an_odd_subclass_leaves_every_action_on_ordinary_tensors_working(ip, inspector, odd):
    run(ip, odd)
    run(ip, ORDINARY)
    rows = {row["name"]: row for row in inspector.rows}
    assert rows["w"]["shape"] == [3] and rows["loss"]["grad_fn"] == "SumBackward0"
    assert inspector.panel.message.get("level") != "error", inspector.panel.message
    panel = inspector.panel
    for name, msg in [
        ("graph", {"name": "loss"}),
        ("backward", {"name": "loss"}),
        ("zero_grad_all", {}),
        ("unnamed", {}),
        ("snapshot", {}),
    ]:
        reply = invoke(panel, name, msg)
        json.dumps(reply, allow_nan=False)
        assert reply["ok"], (name, reply)
    assert ip.user_ns["w"].grad is None  # backward filled it, zero all cleared it


def test_stats_of_an_odd_subclass_is_refused_in_words(ip, inspector):
    run(ip, STRICT + RAISING)
    for name, kind in (("odd", "Strict"), ("rais", "Raising")):
        reply = invoke(inspector.panel, "stats", {"name": name})
        assert reply["ok"] is False and f"its class {kind} refuses to be read" in reply["text"]


def test_displayed_arrays_do_not_break_held_without_a_name(ip, inspector):
    run(ip, "import numpy as np")
    for size in (5, 6, 7):  # _, __ and ___ all hold arrays
        run(ip, f"np.arange({size})")
    # Large and of a shape of its own: holders are looked up for the largest storages only,
    # and earlier tests in the process may leave smaller tensors behind.
    run(ip, "torch.ones(2048, 2049)")
    reply = invoke(inspector.panel, "unnamed", {})
    assert reply["ok"], reply
    [shown] = [entry for entry in reply["unnamed"] if entry["shape"] == [2048, 2049]]
    assert "Out[" in " ".join(shown["held_by"])


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("lazy = torch.nn.LazyLinear(2)\nw = lazy.weight", "not initialised yet"),
        (
            "from torch._subclasses.fake_tensor import FakeTensorMode\n"
            "with FakeTensorMode():\n    fake = torch.ones(3)\nw = fake",
            "FakeTensor",
        ),
        ("w = torch.ones(3, device='meta')", "meta device"),
    ],
)
def test_tensors_without_values_get_stats_refused_in_plain_words(ip, inspector, cell, reason):
    run(ip, cell)
    with pytest.raises(ActionError, match=reason) as refused:
        inspector.stats("w")
    assert "Error" not in str(refused.value)


def test_a_lazy_modules_stats_note_its_uninitialised_parameters(ip, inspector):
    run(ip, "lazy = torch.nn.Sequential(torch.nn.LazyLinear(2))")
    parameters = inspector.stats("lazy")["parameters"]
    assert "not initialised yet" in parameters["lazy.0.weight"]["note"]


@pytest.mark.parametrize("name", ["opt", "In", "Out"])
def test_names_that_never_were_tensors_are_called_what_they_are(ip, inspector, name):
    run(ip, "opt = torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=0.1)")
    with pytest.raises(ActionError, match="not a tensor") as refused:
        inspector.stats(name)
    assert "deleted or renamed" not in str(refused.value)
