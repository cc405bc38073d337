"""One rank of a real process group, as one notebook kernel of a multi-process job: its own
IPython shell with the extension loaded, cells run as a notebook runs them, and what its
inspector shows written as JSON for the test that started it.

    python -m tests.distributed.rank RANK WORLD STORE OUT [BACKEND DEVICE]
"""

from __future__ import annotations

import json
import sys

CELLS = """
import torch
import torch.distributed as dist
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard
from torch.distributed.tensor import Shard, distribute_tensor
rank, device = {rank}, "{device}"
if device == "cuda":
    torch.cuda.set_device(rank)
dist.init_process_group("{backend}", init_method="file://{store}", rank=rank, world_size={world})
mesh = init_device_mesh(device, ({world},), mesh_dim_names=("dp",))
torch.manual_seed(0)
t = distribute_tensor(torch.arange(32.).reshape(8, 4).to(device), mesh, [Shard(0)])
model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2)).to(device)
fully_shard(model, mesh=mesh)
"""


def main(rank: int, world: int, store: str, out: str, backend: str, device: str) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    import tensor_inspector
    from tests.conftest import invoke, run

    shell = InteractiveShell.instance(colors="nocolor")
    shell.history_manager.enabled = False
    run(shell, "%load_ext tensor_inspector")
    inspector = tensor_inspector.current()
    cells = CELLS.format(rank=rank, world=world, store=store, backend=backend, device=device)
    run(shell, cells)
    from torch.distributed.tensor.debug import CommDebugMode

    result: dict = {}
    # The counter counts: asking for the whole tensor is a collective.
    with CommDebugMode() as comm:
        shell.user_ns["t"].full_tensor()
    result["full_tensor_collectives"] = comm.get_total_counts()
    # Everything the panel does on its own, and the stats a user asks for: none.
    with CommDebugMode() as comm:
        run(shell, "t2 = t * 2")  # the refresh after a cell
        inspector.refresh()
        result["stats"] = invoke(inspector.panel, "stats", {"name": "t"})
        result["module_stats"] = invoke(inspector.panel, "stats", {"name": "model"})
        result["snapshot"] = invoke(inspector.panel, "snapshot")
        result["picture"] = invoke(inspector.panel, "picture", {"name": "t"})
    result["panel_collectives"] = comm.get_total_counts()
    result["rows"] = {row["name"]: row for row in inspector.rows}
    result["modules"] = inspector.modules
    result["move"] = invoke(inspector.panel, "move", {"name": "t", "device": "cpu"})
    # A forward leaves the root's parameters gathered until backward, which the user asks
    # for: FSDP's reduce-scatter runs then, on every rank together, and shards them again.
    run(shell, "loss = model(torch.ones(3, 4, device=device)).sum()")
    result["backward"] = invoke(inspector.panel, "backward", {"name": "loss"})
    result["rows_after_backward"] = {row["name"]: row for row in inspector.rows}
    run(shell, "dist.destroy_process_group()")
    with open(out, "w") as file:
        json.dump(result, file)


if __name__ == "__main__":
    args = sys.argv[1:]
    backend, device = (args[4], args[5]) if len(args) > 4 else ("gloo", "cpu")
    main(int(args[0]), int(args[1]), args[2], args[3], backend, device)
