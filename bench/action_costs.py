"""What an action and an odd namespace cost: moving a 10,000-parameter module (with its
Adam state) to the simulated accelerator and back, and a refresh with a dict of a million
keys in the namespace against one without it."""

from __future__ import annotations

import contextlib
import io
import statistics

from IPython.core.interactiveshell import InteractiveShell

from bench.timing import measure
from tensor_inspector.testing import simulated_device

SETUP = """
import torch
model = torch.nn.Sequential(*[torch.nn.Linear(4, 4) for _ in range(5000)])
opt = torch.optim.Adam(model.parameters())
model(torch.ones(2, 4)).sum().backward()
opt.step()
others = [torch.ones(3) for _ in range(100)]
"""


def run() -> list[str]:
    with contextlib.redirect_stdout(io.StringIO()):
        return _run()


def _run() -> list[str]:
    import tensor_inspector

    simulated_device.install()
    InteractiveShell.clear_instance()
    shell = InteractiveShell.instance()
    shell.history_manager.enabled = False
    shell.run_cell("%load_ext tensor_inspector")
    shell.run_cell(SETUP)
    inspector = tensor_inspector.current()
    targets = iter(["sim:0", "cpu"] * 10)
    moves = measure(lambda: inspector.move("model", next(targets)), 6)

    plain, with_big = [], []
    for _ in range(9):
        shell.user_ns.pop("big", None)
        plain.append(measure(inspector.refresh, 5).median)
        shell.user_ns["big"] = dict.fromkeys(range(1_000_000), 0)
        with_big.append(measure(inspector.refresh, 5).median)
    shell.run_cell("%unload_ext tensor_inspector")
    InteractiveShell.clear_instance()
    without, big = statistics.median(plain), statistics.median(with_big)
    return [
        "| action or namespace | measured | target |",
        "|---|---:|---:|",
        f"| move a 10,000-parameter module with its Adam state, then back (each way, "
        f"refresh included) | {moves.ms()} | ≤ 500 ms |",
        f"| refresh, 10,100 tensors | {without * 1e3:.2f} ms | |",
        f"| the same with a 1,000,000-key dict in the namespace | {big * 1e3:.2f} ms "
        f"({(big - without) * 1e3:+.2f} ms) | ±5 ms |",
        "",
        "The module moves on the simulated accelerator, whose every operation goes through "
        "Python (`__torch_dispatch__`): on a GPU the copies cost less. The dict's keys are "
        "never read: only its first 100 items are looked at.",
    ]
