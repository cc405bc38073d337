"""What the on-request features cost: statistics (their transfers, their peak extra memory and
their time, up to 1e8 values), and finding the memory held without a name among 100,000 live
Python objects."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys

import torch
from IPython.core.interactiveshell import InteractiveShell

from bench.timing import measure
from tensor_inspector.stats import tensor_stats

# One fresh process per measurement: its resident high-water mark, reset once the tensor
# exists, is the peak extra memory of the statistics alone. glibc's malloc is told to hand
# large blocks back at once, so a block freed earlier cannot hide a later allocation.
CHILD = r"""
import sys, time, torch
from tensor_inspector.stats import tensor_stats

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024

dtype, numel, runs = getattr(torch, sys.argv[1]), int(float(sys.argv[2])), int(sys.argv[3])
tensor_stats(torch.zeros(100, dtype=dtype))  # the first call's one-off costs
torch.manual_seed(0)
if dtype == torch.bool:
    tensor = torch.rand(numel) > 0.5
else:
    tensor = torch.randn(numel).to(dtype)
    tensor[::1000] = float("nan")
open("/proc/self/clear_refs", "w").write("5")  # reset the high-water mark
before = status("VmRSS")
times = []
for _ in range(runs):
    start = time.perf_counter()
    tensor_stats(tensor)
    times.append(time.perf_counter() - start)
print(status("VmHWM") - before, tensor.nbytes, sorted(times)[len(times) // 2])
"""


def _child(dtype: str, numel: float, runs: int, env: dict) -> tuple[float, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, dtype, str(numel), str(runs)],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    extra, nbytes, seconds = (float(v) for v in out.stdout.split()[-3:])
    return extra, nbytes, seconds


def _peak_and_time(dtype: str, numel: float, runs: int) -> tuple[float, float]:
    """(peak extra memory / the tensor's bytes, median seconds), each in a fresh process:
    the memory with malloc handing blocks back at once, the time with malloc as it is."""
    strict_malloc = {
        **os.environ,
        "MALLOC_MMAP_THRESHOLD_": "131072",
        "MALLOC_TRIM_THRESHOLD_": "0",
    }
    extra, nbytes, _ = _child(dtype, numel, 1, strict_malloc)
    _, _, seconds = _child(dtype, numel, runs, dict(os.environ))
    return max(extra, 0) / nbytes, seconds


def transfers_per_request() -> tuple[int, int]:
    """Device-to-host copies of the stats of an 8-element tensor (its values shown in the
    table come with them), and of a 2-layer model's parameters, on the simulated device."""
    from tensor_inspector import actions
    from tensor_inspector.testing import simulated_device

    device = simulated_device.install()
    namespace = actions.Namespace(
        {
            "t": torch.arange(8.0).to(device).requires_grad_(),
            "model": torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2)).to(device),
        },
        {},
    )
    namespace.values["model"](torch.ones(5, 3, device=device)).sum().backward()
    simulated_device.reset_transfers()
    actions.stats(namespace, "t")
    tensor = len(simulated_device.transfers())
    simulated_device.reset_transfers()
    actions.stats(namespace, "model")
    return tensor, len(simulated_device.transfers())


def run() -> list[str]:
    torch.manual_seed(0)
    tensors = [torch.randn(1000) for _ in range(1000)]
    stats = measure(lambda: [tensor_stats(t) for t in tensors], 5)
    tensor_transfers, module_transfers = transfers_per_request()
    costs = {
        (dtype, numel): _peak_and_time(dtype, numel, runs)
        for dtype, numel, runs in (
            ("float32", 1e6, 5), ("float16", 1e6, 5), ("bool", 1e6, 5), ("float32", 1e8, 1),
        )
    }  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()):
        unnamed, objects = _unnamed()
    lines = [
        "| on request | time |",
        "|---|---:|",
        f"| statistics of 1,000 tensors of 1,000 values | {stats.ms()} |",
        f"| memory held without a name, {objects:,} Python objects alive | {unnamed.ms()} |",
        "",
        f"Device-to-host transfers (simulated device): {tensor_transfers} for the statistics "
        f"of an 8-element tensor, {module_transfers} for a 2-layer model's (4 parameters).",
        "",
        "| statistics of | peak extra memory (× the tensor) | time |",
        "|---|---:|---:|",
    ]
    for (dtype, numel), (ratio, seconds) in costs.items():
        lines.append(f"| {numel:.0e} {dtype} values | {ratio:.2f}× | {seconds * 1e3:,.0f} ms |")
    return lines


def _unnamed():
    import gc

    import tensor_inspector

    InteractiveShell.clear_instance()
    shell = InteractiveShell.instance()
    shell.history_manager.enabled = False
    shell.run_cell("%load_ext tensor_inspector")
    shell.run_cell(
        "import torch\nkeep = [{'i': i} for i in range(100_000)]\n"
        "named = [torch.ones(10) for _ in range(100)]"
    )
    shell.run_cell("torch.ones(1000)", store_history=True)  # one held by Out
    inspector = tensor_inspector.current()
    timing = measure(inspector.unnamed, 5)
    objects = len(gc.get_objects())
    shell.run_cell("%unload_ext tensor_inspector")
    InteractiveShell.clear_instance()
    return timing, objects


if __name__ == "__main__":
    print("\n".join(run()))
