"""DTensors in a notebook: a real gloo process group of one rank, made by the notebook's own
code inside the IPython test shell. Each DTensor is one row with its global shape, placements
as PyTorch writes them, its mesh and its local shape; nothing the panel does on its own runs
a collective; stats are the local shard's; a move is refused with advice; backward works."""

from __future__ import annotations

import pytest

from tests.conftest import invoke, rows_by_name, run

START = """
import torch.distributed as dist
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.tensor import DTensor, Partial, Replicate, Shard, distribute_tensor
dist.init_process_group("gloo", init_method="file://{store}", rank=0, world_size=1)
mesh = init_device_mesh("cpu", (1,), mesh_dim_names=("dp",))
"""


@pytest.fixture
def one_rank(ip, inspector, tmp_path):
    run(ip, START.format(store=tmp_path / "rendezvous"))
    yield ip
    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()


def test_a_dtensor_is_one_row_with_its_placements_mesh_and_local_shape(one_rank, inspector):
    ip = one_rank
    run(ip, "t = distribute_tensor(torch.arange(32.).reshape(8, 4), mesh, [Shard(0)])\n"
            "r = distribute_tensor(torch.ones(2, 3), mesh, [Replicate()])\n"
            "p = DTensor.from_local(torch.ones(5), mesh, [Partial()])\n"
            "plain = torch.ones(2)")  # fmt: skip
    rows = rows_by_name(ip)
    assert rows["t"]["shape"] == [8, 4]
    assert rows["t"]["dtensor"] == {
        "placements": ["Shard(dim=0)"],
        "mesh": {"device_type": "cpu", "shape": [1], "dim_names": ["dp"]},
        "local_shape": [8, 4],
        "rank": 0,
    }
    assert rows["r"]["dtensor"]["placements"] == ["Replicate()"]
    assert rows["p"]["dtensor"]["placements"] == ["Partial(sum)"]
    assert rows["plain"]["dtensor"] is None
    assert "mesh" not in rows  # the mesh is no tensor row
    # The panel gets the same key, and the row survives its packing between refreshes.
    run(ip, "t.add_(1)")
    assert rows_by_name(ip)["t"]["dtensor"]["local_shape"] == [8, 4]
    sent = {row["name"]: row for row in invoke(inspector.panel, "snapshot")["rows"]}
    assert sent["t"]["dtensor"]["placements"] == ["Shard(dim=0)"]


def test_stats_are_the_local_shards_and_say_so(one_rank, inspector):
    ip = one_rank
    run(ip, "t = distribute_tensor(torch.arange(32.).reshape(8, 4), mesh, [Shard(0)])")
    reply = invoke(inspector.panel, "stats", {"name": "t"})
    assert reply["ok"], reply
    stats = reply["stats"]
    assert (stats["min"], stats["max"], stats["numel"]) == (0.0, 31.0, 32)
    assert stats["note"].startswith("local shard, rank 0")


def test_no_collective_runs_on_a_refresh_or_stats(one_rank, inspector):
    ip = one_rank
    run(ip, "t = distribute_tensor(torch.arange(32.).reshape(8, 4), mesh, [Shard(0)])\n"
            "model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Linear(4, 2))\n"
            "from torch.distributed.fsdp import fully_shard\n"
            "fully_shard(model, mesh=mesh)\n"
            "model(torch.ones(3, 4)).sum().backward()")  # fmt: skip
    from torch.distributed.tensor.debug import CommDebugMode

    with CommDebugMode() as comm:
        run(ip, "t2 = t * 2")  # the refresh after a cell
        inspector.refresh()
        invoke(inspector.panel, "stats", {"name": "t"})
        invoke(inspector.panel, "stats", {"name": "model"})
        invoke(inspector.panel, "snapshot")
    assert comm.get_total_counts() == 0, comm.get_comm_counts()


def test_a_fully_sharded_module_says_so_on_its_line(one_rank, inspector):
    ip = one_rank
    run(ip, "model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Linear(4, 2))\n"
            "plain_model = torch.nn.Linear(2, 2)\n"
            "from torch.distributed.fsdp import fully_shard\n"
            "fully_shard(model, mesh=mesh)")  # fmt: skip
    lines = {line["name"]: line for line in inspector.modules}
    assert lines["model"]["fully_shard"] is True
    assert lines["model"]["type"] == "FSDPSequential"
    assert lines["plain_model"]["fully_shard"] is False
    weight = rows_by_name(ip)["model.0.weight"]
    assert weight["dtensor"]["placements"] == ["Shard(dim=0)"]


def test_a_picture_is_refused_with_advice(one_rank, inspector):
    run(one_rank, "t = distribute_tensor(torch.ones(8, 4), mesh, [Shard(0)])")
    reply = invoke(inspector.panel, "picture", {"name": "t"})
    assert not reply["ok"]
    assert "t is a DTensor" in reply["text"] and "local = t.to_local()" in reply["text"]
    run(one_rank, "local = t.to_local()")
    assert invoke(inspector.panel, "picture", {"name": "local"})["ok"]


def test_a_move_is_refused_with_advice_and_changes_nothing(one_rank, inspector):
    ip = one_rank
    run(ip, "t = distribute_tensor(torch.ones(8, 4), mesh, [Shard(0)])\n"
            "model = torch.nn.Linear(4, 2)\n"
            "from torch.distributed.fsdp import fully_shard\n"
            "fully_shard(model, mesh=mesh)")  # fmt: skip
    before = ip.user_ns["t"]
    for name in ("t", "model"):
        reply = invoke(inspector.panel, "move", {"name": name, "device": "cpu"})
        assert not reply["ok"]
        assert "is a DTensor (Shard(dim=0) on a cpu mesh of shape [1])" in reply["text"]
        assert "redistribute" in reply["text"] and "distribute_tensor" in reply["text"]
    assert ip.user_ns["t"] is before
    assert rows_by_name(ip)["t"]["dtensor"]["placements"] == ["Shard(dim=0)"]


def test_backward_works_as_for_any_tensor(one_rank, inspector):
    ip = one_rank
    run(ip, "w = distribute_tensor(torch.ones(4, 2), mesh, [Shard(0)]).requires_grad_()\n"
            "loss = (w * w).sum()")  # fmt: skip
    reply = invoke(inspector.panel, "backward", {"name": "loss", "retain_graph": True})
    assert reply["ok"], reply
    # Traced, the gradients are DTensors: their edges carry no values (reading them whole
    # would gather every rank's shard).
    invoke(inspector.panel, "zero_grad", {"name": "w"})
    reply = invoke(inspector.panel, "backward", {"name": "loss", "trace": True})
    assert reply["ok"], reply
    assert reply["graph"]["nodes"] and all(n["grad"] is None for n in reply["graph"]["nodes"])
    grad = rows_by_name(ip)["w"]["grad"]
    assert grad["shape"] == [4, 2]
    assert ip.user_ns["w"].grad.to_local().tolist() == [[2.0, 2.0]] * 4


def test_a_dtensors_shard_is_its_memory_not_memory_without_a_name(one_rank, inspector):
    ip = one_rank
    # Shapes of this test's own: tensors earlier tests left behind may still be listed.
    run(ip, "t = distribute_tensor(torch.ones(14, 6), mesh, [Shard(0)])\n"
            "model = torch.nn.Linear(7, 13)\n"
            "from torch.distributed.fsdp import fully_shard\n"
            "fully_shard(model, mesh=mesh)")  # fmt: skip
    listed = [entry["shape"] for entry in inspector.unnamed()]
    assert [14, 6] not in listed and [13, 7] not in listed and [13] not in listed, listed
    assert rows_by_name(ip)["t"]["storage_nbytes"] == 14 * 6 * 4
