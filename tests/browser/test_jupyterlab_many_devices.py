"""Many devices in a real JupyterLab 4: two simulated devices in the kernel (sim:0 and sim:1,
as cuda:0 and cuda:1), a model split over them, and a DTensor of a real one-rank gloo group."""

import pytest
from playwright.sync_api import expect

from tests.browser.lab import (
    copy_to_docs,
    field,
    notebook_root,
    open_panel,
    run_cell_source,
    screenshot,
    start_server,
    wait_until_idle,
)

pytestmark = pytest.mark.browser

TWO_DEVICES = (
    "# Two simulated devices stand in for two GPUs on machines without them.\n"
    "from tensor_inspector.testing.simulated_device import install\n"
    "install(devices=2)"
)

SPLIT_AND_SHARDED = """\
import tempfile
import torch.distributed as dist
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.tensor import Shard, distribute_tensor
store = tempfile.mkdtemp()
dist.init_process_group("gloo", init_method=f"file://{store}/rendezvous", rank=0, world_size=1)
mesh = init_device_mesh("cpu", (1,), mesh_dim_names=("dp",))
sharded = distribute_tensor(torch.arange(32.).reshape(8, 4), mesh, [Shard(0)])
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
model[0].to("sim:0")
model[2].to("sim:1")
"""


@pytest.fixture
def lab(tmp_path_factory):
    root = notebook_root(
        tmp_path_factory, ["devices.ipynb"], prelude=TWO_DEVICES, accelerator=False
    )
    server = start_server("jupyterlab", root, tmp_path_factory)
    yield server
    server.stop()


def test_a_split_model_and_a_dtensor_row(lab, page):
    panel = open_panel(page, lab, "devices.ipynb")
    run_cell_source(page, SPLIT_AND_SHARDED)
    wait_until_idle(page)
    expect(panel.locator('[data-role="devices"]')).to_contain_text("sim available: 2 devices")
    options = panel.locator('select[name="device"] option')
    expect(options).to_have_text(["sim:0", "sim:1", "cpu"])

    shape = field(panel, "sharded", "shape")
    expect(shape).to_have_text("[8, 4] · Shard(0) on cpu[1] · local [8, 4]")
    assert "Shard(dim=0) on a cpu mesh of shape [1] (dp)" in shape.get_attribute("title")
    move = panel.locator('[data-tensor="sharded"] button[data-action="move"]')
    expect(move).to_be_disabled()  # a DTensor moves with its mesh: the title says how
    assert "redistribute" in move.get_attribute("title")
    panel.locator('[data-tensor="sharded"] button[data-action="values"]').click()
    values = panel.locator('[data-values-for="sharded"] [data-role="tensor-values"]')
    expect(values).to_contain_text("sharded (local shard, rank 0) = [[0., 1., 2., 3.]")

    line = panel.locator('[data-module="model"]')
    expect(line).to_contain_text("4 tensors split over 2 devices: 2 on sim:0, 2 on sim:1")
    expect(line.locator('button[data-action="move"]')).to_have_text(["all → sim:0", "all → sim:1"])
    panel.locator('input[name="filter"]').fill("sharded")
    line.scroll_into_view_if_needed()
    copy_to_docs(screenshot(page, "many-devices"), "many-devices.png")

    line.locator('button[data-target="sim:1"]').click()
    expect(line).to_contain_text("model: Sequential, 4 tensors on sim:1")
    assert page.errors == []
