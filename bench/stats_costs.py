"""What the on-request features cost: statistics of 1,000 tensors, and finding the memory
held without a name among 100,000 live Python objects."""

from __future__ import annotations

import contextlib
import io

import torch
from IPython.core.interactiveshell import InteractiveShell

from bench.timing import measure
from tensor_inspector.stats import tensor_stats


def run() -> list[str]:
    torch.manual_seed(0)
    tensors = [torch.randn(1000) for _ in range(1000)]
    stats = measure(lambda: [tensor_stats(t) for t in tensors], 5)
    with contextlib.redirect_stdout(io.StringIO()):
        unnamed, objects = _unnamed()
    return [
        "| on request | time |",
        "|---|---:|",
        f"| statistics of 1,000 tensors of 1,000 values (one transfer each) | {stats.ms()} |",
        f"| memory held without a name, {objects:,} Python objects alive | {unnamed.ms()} |",
    ]


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
