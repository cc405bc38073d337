"""A small accelerator grad shows its values once an action has read them (backward, stats);
a refresh itself never reads them, and stale values are never shown."""

import gc
import weakref

from tests.conftest import invoke, rows_by_name, run


def t5_and_y_on(ip, device: str) -> None:
    """The example's leaf t5 on ``device``, and y = (t5**2).sum() waiting for backward()."""
    run(
        ip,
        f"t5 = torch.tensor([1., 2, 3], requires_grad=True, device='{device}')\ny = (t5**2).sum()",
    )


def test_a_panel_backward_shows_the_accelerator_grads_values(ip, inspector, sim_device):
    t5_and_y_on(ip, sim_device)
    reply = invoke(inspector.panel, "backward", {"name": "y"})
    assert reply["ok"], reply
    grad = rows_by_name(ip)["t5"]["grad"]
    assert grad["device"] == sim_device
    assert grad["preview"] == [2.0, 4.0, 6.0]


def test_a_backward_in_a_cell_is_not_read_until_stats_asks(ip, inspector, sim_device):
    run(
        ip,
        f"t5 = torch.tensor([1., 2, 3], requires_grad=True, device='{sim_device}')\n"
        "(t5**2).sum().backward()",
    )
    row = rows_by_name(ip)["t5"]
    assert row["grad"]["preview"] is None and row["preview"] is None
    status = row["status"]
    sent = []
    inspector.panel.send_changes = lambda upserted, removed: sent.append(upserted)
    assert invoke(inspector.panel, "stats", {"name": "t5"})["ok"]
    row = rows_by_name(ip)["t5"]
    assert row["preview"] == [1.0, 2.0, 3.0]
    assert row["grad"]["preview"] == [2.0, 4.0, 6.0]
    # Every view gets the row again, its badge as it was: only values were read.
    assert [r["name"] for r in sent[-1]] == ["t5"]
    assert sent[-1][0]["grad"]["preview"] == [2.0, 4.0, 6.0]
    assert sent[-1][0]["status"] == status == "new"


def test_values_changed_in_place_since_the_read_are_not_shown(ip, inspector, sim_device):
    t5_and_y_on(ip, sim_device)
    assert invoke(inspector.panel, "backward", {"name": "y"})["ok"]
    run(ip, "with torch.no_grad():\n    t5.grad.mul_(10)")
    grad = rows_by_name(ip)["t5"]["grad"]
    assert grad["preview"] is None  # [20., 40., 60.] now: never the old [2., 4., 6.]
    assert grad["shape"] == [3]


def test_a_grad_whose_values_were_read_still_moves_by_swapping(ip, inspector, sim_device):
    t5_and_y_on(ip, sim_device)
    assert invoke(inspector.panel, "backward", {"name": "y"})["ok"]
    assert invoke(inspector.panel, "stats", {"name": "t5"})["ok"]  # reads t5's own values
    assert rows_by_name(ip)["t5"]["preview"] == [1.0, 2.0, 3.0]
    run(ip, "del y")
    # swap_tensors refuses a tensor anything holds a weak reference to: nothing of ours does.
    reply = invoke(inspector.panel, "move", {"name": "t5", "device": "cpu"})
    assert reply["ok"], reply
    assert str(ip.user_ns["t5"].device) == "cpu" and str(ip.user_ns["t5"].grad.device) == "cpu"
    assert rows_by_name(ip)["t5"]["grad"]["preview"] == [2.0, 4.0, 6.0]


def test_remembered_values_keep_no_tensor_alive(ip, inspector, sim_device):
    t5_and_y_on(ip, sim_device)
    assert invoke(inspector.panel, "backward", {"name": "y"})["ok"]
    grad = weakref.ref(ip.user_ns["t5"].grad)
    run(ip, "del t5, y")
    gc.collect()
    assert grad() is None


def test_large_accelerator_grads_stay_unread(ip, inspector, sim_device):
    run(
        ip,
        f"w = torch.ones(100, requires_grad=True, device='{sim_device}')\nloss = (w * 3).sum()",
    )
    assert invoke(inspector.panel, "backward", {"name": "loss"})["ok"]
    grad = rows_by_name(ip)["w"]["grad"]
    assert grad["preview"] is None and grad["shape"] == [100]
