"""What the op-level guard adds to operations whose tensors share a device (its fast path),
and what the cell pre-check costs."""

from __future__ import annotations

import ast

import torch

from bench.timing import measure, measure_per_call
from tensor_inspector.guard.mode import DeviceGuard
from tensor_inspector.guard.op_table import op_table
from tensor_inspector.guard.precheck import Known, precheck


def _mlp_step():
    torch.manual_seed(0)
    layers = []
    for _ in range(4):
        layers += [torch.nn.Linear(256, 256), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers)
    batch = torch.randn(64, 256)

    def step():
        model(batch).sum().backward()  # grads accumulate; the cost per step is the same

    return step


def _guarded(run):
    def inner():
        with DeviceGuard():
            run()

    return inner


def run() -> list[str]:
    a, b = torch.ones(3, 5), torch.ones(3, 5)
    parts = [torch.ones(3, 5) for _ in range(10)]
    guard = DeviceGuard()
    op_table()  # read once, as on the first mismatch

    def add():
        return a + b

    def cat():
        return torch.cat(parts)

    def timed_under_guard(fn, calls, runs):
        with guard:
            return measure_per_call(fn, calls, runs)

    rows = ["| operation | unguarded | guarded | ratio | target |", "|---|---:|---:|---:|---:|"]
    for label, fn, calls, target in [
        ("3×5 add", add, 20_000, "≤ 2.0×"),
        ("torch.cat of 10", cat, 10_000, ""),
    ]:
        plain = measure_per_call(fn, calls, 15)
        guarded = timed_under_guard(fn, calls, 15)
        rows.append(
            f"| {label} | {plain.us()} | {guarded.us()} | {guarded.median / plain.median:.2f}× | {target} |"
        )
    step = _mlp_step()
    step()
    plain = measure(step, 40)
    with guard:
        guarded = measure(step, 40)
    rows.append(
        f"| 4×256 MLP forward+backward, batch 64 | {plain.ms()} | {guarded.ms()} | "
        f"{guarded.median / plain.median:.3f}× | ≤ 1.05× |"
    )
    source = _hundred_line_cell()
    known = {f"x{i}": Known("tensor", "cuda:0", False) for i in range(20)}
    known["device"] = Known("device", "cuda:0")
    tree = ast.parse(source)
    check = measure(lambda: precheck(tree, known, op_table()), 50)
    rows += ["", f"Cell pre-check of a 100-line cell: {check.ms()} (target < 2 ms)."]
    return rows


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
