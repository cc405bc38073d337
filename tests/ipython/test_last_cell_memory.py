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


def test_a_front_ends_hidden_request_leaves_the_last_cell_on_show(ip, inspector, sim_device):
    """A variable explorer runs its own code after every cell, kept out of the history: the
    panel still shows what the user's cell made, and what that request adds counts with it."""
    run(ip, "a = torch.ones(1000)")
    ip.run_cell("_explorer_probe = sorted(globals())", store_history=False)
    assert inspector.memory["last_cell"] == {"cpu": 4000}
    rows = {row["name"]: row for row in inspector.rows}
    assert rows["a"]["status"] == "new"
    ip.run_cell("_explorer_scratch = torch.ones(10, device='sim')", store_history=False)
    assert inspector.memory["last_cell"] == {"cpu": 4000, "sim:0": 40}
    assert {row["name"]: row for row in inspector.rows}["a"]["status"] == "new"
    run(ip, "pass")  # the user's next cell: the last cell's news are over
    assert inspector.memory["last_cell"] == {}
    assert {row["name"]: row for row in inspector.rows}["a"]["status"] == ""


def test_a_cell_that_calls_an_action_shows_all_it_did(ip, inspector):
    """The example's last cell runs a traced backward from code: that action refreshes the
    panel midway, and the cell's end still shows everything the cell made."""
    run(ip, "w = torch.ones(3, requires_grad=True)")
    run(
        ip,
        "import tensor_inspector\nmade = torch.ones(1000)\nloss = (w * 2).sum()\n"
        "tensor_inspector.current().backward('loss')\nalso = torch.ones(10)",
    )
    assert inspector.memory["last_cell"] == {"cpu": 4000 + 4 + 40}
    rows = {row["name"]: row for row in inspector.rows}
    assert rows["made"]["status"] == rows["loss"]["status"] == rows["also"]["status"] == "new"
    assert rows["w"]["status"] == "changed"  # its grad came from the cell's backward
