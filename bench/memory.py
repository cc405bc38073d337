"""Kernel memory with the inspector against without: two fresh processes, 10,000 tensors each."""

from __future__ import annotations

import subprocess
import sys

CHILD = r"""
import sys, tracemalloc
import psutil
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from bench import namespaces

shell = InteractiveShell.instance()
shell.history_manager.enabled = False
shell.user_ns.update(namespaces.build(10_000))
if sys.argv[1] == "widgets":  # the widget libraries any panel needs, imported beforehand
    import anywidget, ipywidgets, IPython.display  # noqa
tracemalloc.start()
with capture_output():
    if sys.argv[1] in ("with", "widgets"):
        shell.run_cell("%load_ext tensor_inspector")
    for _ in range(3):
        shell.run_cell("t0.add_(1)")
current, peak = tracemalloc.get_traced_memory()
print(psutil.Process().memory_info().rss, current, peak)
"""


def _child(mode: str) -> tuple[int, int, int]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode], capture_output=True, text=True, check=True
    )
    rss, current, peak = (int(v) for v in out.stdout.split()[-3:])
    return rss, current, peak


def run() -> list[str]:
    without = _child("without")
    with_ = _child("with")
    widgets = _child("widgets")
    mb = 1024 * 1024
    return [
        "| 10,000 tensors | RSS after 3 cells | Python memory kept after 3 cells | Python peak during them |",
        "|---|---:|---:|---:|",
        f"| without tensor-inspector | {without[0] / mb:.1f} MB | {without[1] / mb:.2f} MB | {without[2] / mb:.2f} MB |",
        f"| with tensor-inspector | {with_[0] / mb:.1f} MB | {with_[1] / mb:.2f} MB | {with_[2] / mb:.2f} MB |",
        f"| difference | {(with_[0] - without[0]) / mb:+.1f} MB | {(with_[1] - without[1]) / mb:+.2f} MB | "
        f"{(with_[2] - without[2]) / mb:+.2f} MB |",
        f"| with tensor-inspector, widget libraries imported before tracing | | "
        f"{widgets[1] / mb:.2f} MB | {widgets[2] / mb:.2f} MB |",
        "",
        "Python memory is traced with tracemalloc from the moment the namespace exists; the "
        "kept memory is the inspector's lasting cost (target ≤ 5 MB), its imports (anywidget, "
        "ipywidgets) included; the last row leaves out the import of the widget libraries, "
        "which any notebook widget brings, to show what the 10,000 tensors cost. RSS adds the "
        "imported modules' code.",
    ]
