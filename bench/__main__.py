"""Run every benchmark, print one table, and write it with the machine to docs/benchmarks.md."""

from __future__ import annotations

import datetime
import os
import platform
import sys
from pathlib import Path

import torch

from bench import (
    action_costs,
    graph_costs,
    guard_costs,
    memory,
    per_cell,
    picture_costs,
    refresh_costs,
    stats_costs,
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"torch {torch.__version__}; {datetime.date.today().isoformat()}"
    )


def main() -> None:
    sections = [
        ("Post-cell refresh (scan + describe + diff + comm payload)", refresh_costs.run()),
        ("The whole per-cell cost against its floor", per_cell.run()),
        ("Guard costs, inside notebook cells", guard_costs.run()),
        ("Actions and odd namespaces", action_costs.run()),
        ("The autograd graph", graph_costs.run()),
        ("Statistics and memory held without a name", stats_costs.run()),
        ("Values as pictures", picture_costs.run()),
        ("Memory", memory.run()),
    ]
    lines = ["# Benchmarks", "", f"Machine: {machine()}.", "",
             "Medians over repeated runs, with the min–max range. Regenerate with `make bench`.", ""]  # fmt: skip
    for title, table in sections:
        lines += [f"## {title}", "", *table, ""]
    text = "\n".join(lines)
    print(text)
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text(text)
    print(f"written to {DOCS.relative_to(Path.cwd()) if DOCS.is_relative_to(Path.cwd()) else DOCS}")


if __name__ == "__main__":
    sys.exit(main())
