"""What the last cell cost: tensor memory added or freed per device, in the header and on
the overview page."""

from tests.conftest import run


def test_the_last_cell_adds_and_frees_memory_per_device(ip, inspector, sim_device):
    run(ip, "a = torch.ones(1000)")
    assert inspector.memory["last_cell"] == {"cpu": 4000}
    assert inspector.panel.memory["last_cell"] == {"cpu": 4000}
    run(ip, "s = torch.ones(100, device='sim')\nview = a[:10]")  # a view counts at its base
    assert inspector.memory["last_cell"] == {"sim:0": 400}
    assert inspector.memory["held"] == {"cpu": 4000, "sim:0": 400}
    run(ip, "del s")
    assert inspector.memory["last_cell"] == {"sim:0": -400}
    run(ip, "pass")
    assert inspector.memory["last_cell"] == {}


def test_the_overview_reports_the_last_cell(ip, inspector):
    from tensor_inspector.overview import kernel_overview

    run(ip, "b = torch.zeros(250)")
    assert kernel_overview()["last_cell"] == {"cpu": 1000}
