"""Two accelerator devices, sim:0 and sim:1, as a machine with two GPUs has cuda:0 and
cuda:1: the header lists each with its memory, the move menu offers each, a model split over
both shows it on its line and moves whole, and a bare "sim" means the current device."""

from __future__ import annotations

import pytest

from tests.conftest import invoke, rows_by_name, run


@pytest.fixture
def two_devices(sim_device):
    from tensor_inspector.testing import simulated_device

    simulated_device.install(devices=2)
    yield ["sim:0", "sim:1"]
    simulated_device.install()


def test_the_header_lists_each_device_with_its_memory(two_devices, ip, inspector):
    run(ip, "a0 = torch.ones(10, device='sim:0')\na1 = torch.ones(1000, device='sim:1')")
    header = inspector.panel.devices
    assert header["count"] == 2
    listed = {device["device"]: device["memory_allocated"] for device in header["devices"]}
    assert set(listed) == {"sim:0", "sim:1"}
    run(ip, "big = torch.zeros(2000, device='sim:1')")
    after = {d["device"]: d["memory_allocated"] for d in inspector.panel.devices["devices"]}
    assert after["sim:1"] - listed["sim:1"] == 8000  # counted on the device that holds it
    assert after["sim:0"] == listed["sim:0"]
    assert inspector.memory["last_cell"] == {"sim:1": 8000}


def test_the_move_menu_offers_each_device(two_devices, ip, inspector):
    assert inspector.panel.devices["targets"] == ["sim:0", "sim:1", "cpu"]
    run(ip, "t = torch.ones(3, requires_grad=True)")
    reply = invoke(inspector.panel, "move", {"name": "t", "device": "sim:1"})
    assert reply["ok"], reply
    assert "to sim:1" in reply["text"]
    assert ip.user_ns["t"].device.index == 1
    assert rows_by_name(ip)["t"]["device"] == "sim:1"
    reply = invoke(inspector.panel, "move", {"name": "t", "device": "sim:0"})
    assert reply["ok"] and rows_by_name(ip)["t"]["device"] == "sim:0"
    reply = invoke(inspector.panel, "move", {"name": "t", "device": "sim:2"})
    assert not reply["ok"] and "sim:0, sim:1, cpu" in reply["text"]


SPLIT_MODEL = """
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
model[0].to("sim:0")
model[2].to("sim:1")
"""


def test_a_model_split_over_two_devices_shows_both_and_moves_whole(two_devices, ip, inspector):
    run(ip, SPLIT_MODEL)
    (line,) = [m for m in inspector.modules if m["name"] == "model"]
    assert line["devices"] == ["sim:0", "sim:1"]
    assert line["device_counts"] == {"sim:0": 2, "sim:1": 2}
    assert inspector.panel.modules == inspector.modules
    # The classic mistake of a split model: its second half gets the first half's device.
    result = ip.run_cell("model(torch.ones(2, 3, device='sim:0'))")
    text = str(result.error_in_exec)
    assert "model.2 is on sim:1, its input (made inside model" in text and "on sim:0" in text
    reply = invoke(inspector.panel, "move", {"name": "model", "device": "sim:1"})
    assert reply["ok"], reply
    assert "(2 tensors) from sim:0 to sim:1" in reply["text"]
    (line,) = [m for m in inspector.modules if m["name"] == "model"]
    assert line["device_counts"] == {"sim:1": 4}
    run(ip, "out = model(torch.ones(2, 3, device='sim:1'))")
    assert rows_by_name(ip)["out"]["device"] == "sim:1"


def test_a_bare_device_name_is_the_current_device(two_devices, ip, inspector):
    run(ip, "t = torch.ones(3)\nu = torch.ones(3)\ntorch.accelerator.set_device_index(1)")
    try:
        assert inspector.move("t", "sim").message == "Moved t from cpu to sim:1."
        assert inspector.move("u").message == "Moved u from cpu to sim:1."  # the default
    finally:
        run(ip, "torch.accelerator.set_device_index(0)")
    assert inspector.move("t", "sim").message == "Moved t from sim:1 to sim:0."
