"""Memory held without a name: found on request, explained, and released for real."""

import gc

import pytest

from tensor_inspector import ActionError
from tests.conftest import invoke, run


def _in_history(entry) -> bool:
    return any("(Out[" in holder for holder in entry["held_by"])


def test_a_displayed_tensor_kept_by_the_output_history_is_listed_then_released(ip, inspector):
    run(ip, "import weakref\nbig = torch.ones(1237)\nprobe = weakref.ref(big)")
    ip.run_cell("big", store_history=True)  # displayed: Out[n] and _ keep it
    run(ip, "del big")
    found = [e for e in inspector.unnamed() if e["shape"] == [1237] and _in_history(e)]
    assert len(found) == 1 and found[0]["nbytes"] == 4948
    assert ip.ev("probe()") is not None
    inspector.release("output history")
    gc.collect()
    assert ip.ev("probe()") is None  # the memory really returned
    assert not [e for e in inspector.unnamed() if e["shape"] == [1237] and _in_history(e)]


def test_a_tensor_kept_by_a_failed_cells_traceback_is_listed_then_released(ip, inspector):
    run(ip, "import weakref\ndef f():\n    x = torch.ones(7, 111)\n    global probe\n"
            "    probe = weakref.ref(x)\n    raise ValueError('failed')")  # fmt: skip
    ip.run_cell("f()")
    found = [e for e in inspector.unnamed() if e["shape"] == [7, 111]]
    assert found and "x, a local of f() kept by the last error" in found[0]["held_by"], found
    inspector.release("last error")
    gc.collect()
    assert ip.ev("probe()") is None


def test_a_list_of_losses_keeps_graphs_alive_and_says_so(ip, inspector):
    run(
        ip,
        "w = torch.ones(50, 50, requires_grad=True)\nlosses = []\n"
        "for _ in range(3):\n    h = torch.tanh(w @ w)\n    losses.append((h * h).sum())\ndel h",
    )
    held = [holder for entry in inspector.unnamed() for holder in entry["held_by"]]
    assert "graph of losses[2]" in held


def test_graphs_are_read_without_running_a_saved_tensor_unpack_hook(ip, inspector):
    """save_on_cpu's unpack copies a saved tensor back to the device: listing must not."""
    run(
        ip,
        "unpacked = []\nw = torch.ones(40, 40, requires_grad=True)\n"
        "with torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: unpacked.append(1) or t):\n"
        "    hooked = (torch.tanh(w @ w) * 2).sum()",
    )
    held = [holder for entry in inspector.unnamed() for holder in entry["held_by"]]
    assert "graph of hooked" in held
    assert ip.user_ns["unpacked"] == []


def test_entries_are_plain_data_largest_first(ip, inspector):
    run(ip, "a = torch.ones(11, 3, 7)")
    ip.run_cell("torch.ones(300)", store_history=True)
    ip.run_cell("torch.ones(20)", store_history=True)
    entries = inspector.unnamed()
    sizes = [entry["nbytes"] for entry in entries]
    assert sizes == sorted(sizes, reverse=True)
    assert all(set(e) == {"shape", "dtype", "device", "nbytes", "held_by"} for e in entries)
    assert not any(e["shape"] == [11, 3, 7] for e in entries)  # a is named


def test_release_takes_two_kinds_only(ip, inspector):
    with pytest.raises(ActionError, match="output history"):
        inspector.release("everything")
    reply = invoke(inspector.panel, "release", {"kind": ["x"]})
    assert reply["ok"] is False
    reply = invoke(inspector.panel, "unnamed")
    assert reply["ok"] and "totals" in reply


def test_holders_read_in_plain_words(ip, inspector):
    # Sizes of their own, and large: holders are looked up for the largest storages only,
    # and earlier tests in the process may leave tensors (nested ones too, with no shape).
    run(ip, "class Box:\n    pass\nobj = Box()\nobj.cache = {'k': torch.ones(1_000_041)}")
    run(ip, "loose = {'k': torch.ones(1_000_043)}\nkeep = [[loose]]\ndel loose")
    ip.run_cell("torch.ones(1_000_047)", store_history=True)
    count = ip.execution_count - 1
    held = {e["shape"][0]: e["held_by"] for e in inspector.unnamed() if len(e["shape"] or []) == 1}
    assert held[1_000_041] == ["a dict held by obj.cache"]
    # keep[0][0], deeper than the panel looks:
    assert held[1_000_043] == ["a dict no name holds directly"]
    assert f"the output of cell {count} (Out[{count}], _)" in held[1_000_047]
    assert set(held[1_000_047]) <= {
        f"the output of cell {count} (Out[{count}], _)",
        "IPython's output history",
        "the result of the last cell",
    }


def test_a_failed_cell_names_its_functions_locals_not_the_output_history(ip, inspector):
    ip.run_cell("torch.ones(1_000_053)", store_history=True)
    ip.run_cell("def g():\n    inner = torch.ones(1_000_059)\n    1 / 0\ng()", store_history=True)
    held = {e["shape"][0]: e["held_by"] for e in inspector.unnamed() if len(e["shape"] or []) == 1}
    assert held[1_000_059] == ["inner, a local of g() kept by the last error"]
    assert not any("local of <module>" in holder for holder in held[1_000_053])
