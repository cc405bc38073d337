"""What the guard costs, measured inside notebook cells with the simulated accelerator present:
the extension not loaded, loaded in `block` (the default) and in `strict`, interleaved in one
run so that drift hits all three alike. Plus the cell check of a 100-line cell."""

from __future__ import annotations

import ast
import contextlib
import io
import statistics

from IPython.core.interactiveshell import InteractiveShell

from bench.timing import measure
from tensor_inspector.guard.precheck import Known, precheck
from tensor_inspector.testing import simulated_device

SETUP = """
import time, torch
a, b = torch.ones(3, 5), torch.ones(3, 5)
torch.manual_seed(0)
mlp = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
opt = torch.optim.SGD(mlp.parameters(), lr=0.01)
xb, yb = torch.randn(8, 64), torch.randint(0, 10, (8,))
N = torch.zeros(27, 27, dtype=torch.int32)
pairs = [(i % 27, (i * 7) % 27) for i in range(5000)]
"""
# Each cell times its own loop, so the figure is the per-operation cost, not the cell's.
CELLS = {
    "small-op loop (20,000 × `a + b`, 3×5)": (
        "_t0 = time.perf_counter()\nfor _ in range(20_000):\n    c = a + b\n"
        "_elapsed = time.perf_counter() - _t0"
    ),
    "small-MLP training step (64-64-10, batch 8, SGD) × 100": (
        "_t0 = time.perf_counter()\nfor _ in range(100):\n    opt.zero_grad()\n"
        "    loss = torch.nn.functional.cross_entropy(mlp(xb), yb)\n    loss.backward()\n"
        "    opt.step()\n_elapsed = time.perf_counter() - _t0"
    ),
    "counting loop (5,000 × `N[i, j] += 1`, makemore)": (
        "_t0 = time.perf_counter()\nfor i, j in pairs:\n    N[i, j] += 1\n"
        "_elapsed = time.perf_counter() - _t0"
    ),
}
STATES = ("not loaded", "block", "strict")
ROUNDS = 9


def _set_state(shell, state: str) -> None:
    loaded = "tensor_inspector" in shell.extension_manager.loaded
    if state == "not loaded":
        if loaded:
            shell.run_cell("%unload_ext tensor_inspector")
        return
    if not loaded:
        shell.run_cell("%load_ext tensor_inspector")
    shell.run_cell(f"%tensor_inspector guard {state}")


def _cell_costs() -> list[str]:
    simulated_device.install()
    InteractiveShell.clear_instance()
    shell = InteractiveShell.instance()
    shell.history_manager.enabled = False
    shell.run_cell(SETUP)
    samples = {(state, cell): [] for state in STATES for cell in [*CELLS, "pass"]}
    for _ in range(ROUNDS):
        for state in STATES:
            _set_state(shell, state)
            for label, cell in CELLS.items():
                shell.run_cell(cell)
                samples[(state, label)].append(shell.user_ns["_elapsed"])
            per_cell = measure(lambda: shell.run_cell("pass"), 20)
            samples[(state, "pass")].append(per_cell.median)
    _set_state(shell, "not loaded")
    InteractiveShell.clear_instance()

    def median(state, cell):
        return statistics.median(samples[(state, cell)])

    rows = [
        "| in a cell | not loaded | block | ratio | strict | ratio | target (block) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label in [*CELLS, "pass"]:
        plain, block, strict = (median(state, label) for state in STATES)
        name = "`run_cell('pass')`, the whole per-cell cost" if label == "pass" else label
        target = "reported" if label == "pass" else "≤ 1.02×"
        rows.append(
            f"| {name} | {plain * 1e3:.2f} ms | {block * 1e3:.2f} ms | {block / plain:.3f}× | "
            f"{strict * 1e3:.2f} ms | {strict / plain:.2f}× | {target} |"
        )
    return rows


def run() -> list[str]:
    with contextlib.redirect_stdout(io.StringIO()):  # the magics' and panels' own output
        rows = _cell_costs()
    rows += [
        "",
        f"Medians of {ROUNDS} interleaved rounds in one IPython shell with the simulated "
        "accelerator installed (so `torch.accelerator.is_available()` is True, as on a GPU "
        "machine); the tensors are on the cpu. `block` pushes no TorchFunctionMode: its only "
        "cost is the cell check before each cell and the refresh after it (in the last row).",
    ]
    source = _hundred_line_cell()
    known = {f"x{i}": Known("tensor", "cuda:0", False) for i in range(20)}
    known["device"] = Known("device", "cuda:0")
    tree = ast.parse(source)
    check = measure(lambda: precheck(tree, known), 50)
    rows += ["", f"Cell check of a 100-line cell: {check.ms()} (target < 2 ms)."]
    rows += ["", _deep_error_cost()]
    return rows


DEEP = """
import torch
def level(depth, a, b):
    if depth == 0:
        return a * b
    return level(depth - 1, a, b)
t1 = torch.ones(64, 64)
t2 = t1.to('sim')
"""


def _deep_error_cost() -> str:
    """Explaining one error raised 30 frames deep: the only time the explanation runs."""
    simulated_device.install()
    InteractiveShell.clear_instance()
    shell = InteractiveShell.instance()
    shell.history_manager.enabled = False
    _set_state(shell, "block")
    shell.run_cell(DEEP)
    loaded = measure(lambda: shell.run_cell("level(29, t1, t2)"), 20)
    _set_state(shell, "not loaded")
    plain = measure(lambda: shell.run_cell("level(29, t1, t2)"), 20)
    InteractiveShell.clear_instance()
    return (
        f"A device error raised 30 frames deep (29 calls of the user's function, then a * b): "
        f"the failing cell takes {loaded.ms()} with the explanation, {plain.ms()} with "
        "PyTorch's own traceback (the extension not loaded). Nothing of it runs unless a "
        "cell has failed."
    )


def _hundred_line_cell() -> str:
    lines = []
    for i in range(100):
        kind = i % 5
        if kind == 0:
            lines.append(f"y{i} = x{i % 20} + x{(i + 1) % 20}")
        elif kind == 1:
            lines.append(f"y{i} = torch.cat([x{i % 20}, x{(i + 3) % 20}])")
        elif kind == 2:
            lines.append(f"y{i} = x{i % 20}.matmul(x{(i + 2) % 20}.T) * 2")
        elif kind == 3:
            lines.append(f"y{i} = torch.ones(3, device=device) * y{i - 1}")
        else:
            lines.append(f"print(y{i - 1}.shape)")
    return "\n".join(lines)
