"""The whole per-cell cost of the extension at 10,000 tensors, against its floor: reading a
5-field fingerprint (id, _version, data_ptr, requires_grad, grad is None) of the same tensors,
which any tracker that notices changes must do. Both in the same run."""

from __future__ import annotations

import contextlib
import io
import statistics

from IPython.core.interactiveshell import InteractiveShell

from bench import namespaces
from bench.timing import measure
from tensor_inspector.tracking import find_tensors

COUNT = 10_000
ROUNDS = 9


def run() -> list[str]:
    with contextlib.redirect_stdout(io.StringIO()):
        return _run()


def _run() -> list[str]:
    InteractiveShell.clear_instance()
    shell = InteractiveShell.instance()
    shell.history_manager.enabled = False
    shell.user_ns.update(namespaces.build(COUNT))
    tensors = [t for t, _ in find_tensors(shell.user_ns, shell.user_ns_hidden).tensors.values()]

    def floor():
        return [(id(t), t._version, t.data_ptr(), t.requires_grad, t.grad is None) for t in tensors]

    bare, loaded, floors = [], [], []
    for _ in range(ROUNDS):
        if "tensor_inspector" in shell.extension_manager.loaded:
            shell.run_cell("%unload_ext tensor_inspector")
        bare.append(measure(lambda: shell.run_cell("pass"), 10).median)
        shell.run_cell("%load_ext tensor_inspector")
        shell.run_cell("pass")  # statuses settle
        loaded.append(measure(lambda: shell.run_cell("pass"), 10).median)
        floors.append(measure(floor, 10).median)
    shell.run_cell("%unload_ext tensor_inspector")
    InteractiveShell.clear_instance()
    plain, with_it, fingerprint = (statistics.median(x) for x in (bare, loaded, floors))
    cost = with_it - plain
    return [
        "| at 10,000 tensors | time |",
        "|---|---:|",
        f"| `run_cell('pass')`, extension not loaded | {plain * 1e3:.2f} ms |",
        f"| `run_cell('pass')`, loaded | {with_it * 1e3:.2f} ms |",
        f"| the extension's per-cell cost (the difference) | {cost * 1e3:.2f} ms |",
        f"| the floor: a 5-field fingerprint of the same tensors | {fingerprint * 1e3:.2f} ms |",
        f"| **per-cell cost ÷ floor** (target ≤ 2×) | **{cost / fingerprint:.2f}×** |",
        "",
        f"Medians of {ROUNDS} interleaved rounds in one shell.",
    ]
