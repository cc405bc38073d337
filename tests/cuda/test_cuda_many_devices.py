"""Two real GPUs, cuda:0 and cuda:1 (`make test-gpu` on a machine with two): the scenarios of
tests/ipython/test_many_devices.py and tests/distributed/test_dtensor_one_rank.py there."""

import pytest
import torch

from tests.conftest import invoke, rows_by_name, run
from tests.cuda.test_cuda import refresh_afresh_where_a_sync_raises

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]
two_gpus = pytest.mark.skipif(torch.cuda.device_count() < 2, reason="needs two CUDA GPUs")

SPLIT_MODEL = """
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
model[0].to("cuda:0")
model[2].to("cuda:1")
a1 = torch.ones(1000, device="cuda:1")
"""


@two_gpus
def test_a_split_model_on_two_gpus(ip, inspector):
    run(ip, SPLIT_MODEL)
    refresh_afresh_where_a_sync_raises(inspector)
    header = inspector.panel.devices
    assert [d["device"] for d in header["devices"]] == ["cuda:0", "cuda:1"]
    assert header["targets"] == ["cuda:0", "cuda:1", "cpu"]
    assert header["devices"][1]["memory_allocated"] >= 4000
    (line,) = [m for m in inspector.modules if m["name"] == "model"]
    assert line["device_counts"] == {"cuda:0": 2, "cuda:1": 2}
    result = ip.run_cell("model(torch.ones(2, 3, device='cuda:0'))")
    text = str(result.error_in_exec)  # the guard's words, naming both devices
    assert "model.2 is on cuda:1" in text and "on cuda:0" in text
    reply = invoke(inspector.panel, "move", {"name": "model", "device": "cuda:1"})
    assert reply["ok"], reply
    (line,) = [m for m in inspector.modules if m["name"] == "model"]
    assert line["device_counts"] == {"cuda:1": 4}
    run(ip, "out = model(torch.ones(2, 3, device='cuda:1'))")
    assert rows_by_name(ip)["out"]["device"] == "cuda:1"


@two_gpus
def test_a_bare_cuda_is_the_current_gpu(ip, inspector):
    run(ip, "t = torch.ones(3)\ntorch.cuda.set_device(1)")
    try:
        assert inspector.move("t", "cuda").message == "Moved t from cpu to cuda:1."
    finally:
        run(ip, "torch.cuda.set_device(0)")


def test_dtensor_rows_on_a_gpu_mesh_read_no_values(ip, inspector, tmp_path):
    run(
        ip,
        "import torch.distributed as dist\n"
        "from torch.distributed.device_mesh import init_device_mesh\n"
        "from torch.distributed.tensor import Shard, distribute_tensor\n"
        f"dist.init_process_group('nccl', init_method='file://{tmp_path}/store', rank=0,"
        " world_size=1)\n"
        "mesh = init_device_mesh('cuda', (1,))\n"
        "t = distribute_tensor(torch.ones(8, 4, device='cuda'), mesh, [Shard(0)])",
    )
    try:
        refresh_afresh_where_a_sync_raises(inspector)
        row = rows_by_name(ip)["t"]
        assert row["dtensor"]["mesh"]["device_type"] == "cuda"
        assert row["dtensor"]["local_shape"] == [8, 4]
        assert row["preview"] is None
    finally:
        run(ip, "dist.destroy_process_group()")
