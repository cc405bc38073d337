"""A world of two ranks over gloo on the CPU: each rank a process with its own IPython shell
and inspector (tests/distributed/rank.py). Each sees Shard(0) of an [8, 4] tensor as global
[8, 4] and local [4, 4], and a small MLP under fully_shard on the 2-rank mesh; nothing the
panel does on its own runs a collective; stats are each rank's own shard's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORLD = 2


def run_ranks(tmp_path: Path, backend: str = "gloo", device: str = "cpu") -> list[dict]:
    """Start every rank, wait for all of them, and return what each one's inspector saw."""
    store = tmp_path / "rendezvous"
    outs = [tmp_path / f"rank{rank}.json" for rank in range(WORLD)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.distributed.rank",
                str(rank),
                str(WORLD),
                str(store),
                str(outs[rank]),
                backend,
                device,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for rank in range(WORLD)
    ]
    logs = []
    try:
        for process in processes:
            output, _ = process.communicate(timeout=240)
            logs.append(output)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    for rank, process in enumerate(processes):
        assert process.returncode == 0, f"rank {rank} failed:\n{logs[rank][-4000:]}"
    return [json.loads(out.read_text()) for out in outs]


def check_ranks(seen: list[dict], device_type: str) -> None:
    for rank, result in enumerate(seen):
        t = result["rows"]["t"]
        assert t["shape"] == [8, 4]
        assert t["dtensor"] == {
            "placements": ["Shard(dim=0)"],
            "mesh": {"device_type": device_type, "shape": [2], "dim_names": ["dp"]},
            "local_shape": [4, 4],
            "rank": rank,
        }
        assert t["storage_nbytes"] == 4 * 4 * 4  # this rank holds its shard only

        # The counter sees a collective when one runs; the panel ran none.
        assert result["full_tensor_collectives"] > 0
        assert result["panel_collectives"] == 0

        stats = result["stats"]["stats"]
        assert (stats["min"], stats["max"], stats["numel"]) == (16 * rank, 16 * rank + 15, 16)
        assert stats["note"].startswith(f"local shard, rank {rank}")

        (line,) = [m for m in result["modules"] if m["name"] == "model"]
        assert line["fully_shard"] is True
        assert line["type"] == "FSDPSequential"
        first = result["rows"]["model.0.weight"]
        assert first["shape"] == [8, 4]
        assert first["dtensor"]["local_shape"] == [4, 4]
        assert result["rows"]["model.2.weight"]["dtensor"]["local_shape"] == [1, 8]
        parameters = result["module_stats"]["stats"]["parameters"]
        assert parameters["model.0.weight"]["numel"] == 16
        assert parameters["model.0.weight"]["note"].startswith(f"local shard, rank {rank}")

        assert not result["picture"]["ok"] and "to_local()" in result["picture"]["text"]
        assert not result["move"]["ok"]
        assert "redistribute" in result["move"]["text"]

        assert result["backward"]["ok"], result["backward"]
        after = result["rows_after_backward"]["model.0.weight"]
        assert after["dtensor"]["local_shape"] == [4, 4]  # sharded again
        assert after["grad"] is not None and after["grad"]["shape"] == [8, 4]


def test_two_ranks_each_see_their_shard_and_the_sharded_model(tmp_path):
    check_ranks(run_ranks(tmp_path), "cpu")


@pytest.mark.cuda
def test_two_ranks_on_two_gpus_with_nccl(tmp_path):
    import torch

    if torch.cuda.device_count() < WORLD:
        pytest.skip(f"needs {WORLD} GPUs, this machine has {torch.cuda.device_count()}")
    check_ranks(run_ranks(tmp_path, "nccl", "cuda"), "cuda")
