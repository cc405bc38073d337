"""Operations and device placements, with PyTorch's verdict: does it run?

Every case names the tensors it uses; ``a`` and ``b`` are placed by the case. 'acc' is the
accelerator under test (the simulated one in CI, cuda:0 on a GPU), 'cpu' a CPU tensor of
the template's shape, 'cpu0' a CPU 0-dim tensor. In the two-device table (TWO_DEVICE_CASES),
'acc1' is a second device of the same type (sim:1, cuda:1) and 'acc10' a 0-dim tensor there.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class Template:
    name: str
    run: object  # (a, b) -> result
    shape_a: tuple
    shape_b: tuple
    # Does the kernel take a CPU 0-dim tensor for b (None: b cannot be 0-dim here)?
    cpu_scalar_ok: bool | None
    dtype_b: torch.dtype = torch.float32
    only_scalar_b: bool = False


TEMPLATES = [
    Template("a + b", lambda a, b: a + b, (3,), (3,), True),
    Template("a - b", lambda a, b: a - b, (3,), (3,), True),
    Template("torch.mul(a, b)", lambda a, b: torch.mul(a, b), (3,), (3,), True),
    Template("a / b", lambda a, b: a / b, (3,), (3,), True),
    Template("a ** b", lambda a, b: a**b, (3,), (3,), True),
    Template("a == b", lambda a, b: a == b, (3,), (3,), True),
    Template("torch.maximum(a, b)", lambda a, b: torch.maximum(a, b), (3,), (3,), True),
    Template("torch.atan2(a, b)", lambda a, b: torch.atan2(a, b), (3,), (3,), True),
    Template("torch.where(a > 0, a, b)", lambda a, b: torch.where(a > 0, a, b), (3,), (3,), True),
    Template("torch.lerp(a, a, b)", lambda a, b: torch.lerp(a, a, b), (3,), (3,), True),
    # b must be 0-dim here, so only the accelerator and CPU-scalar placements apply.
    Template("a.masked_fill(a > 0, b)", lambda a, b: a.masked_fill(a > 0, b), (3,), (), True, only_scalar_b=True),
    Template("torch.clamp(a, min=b)", lambda a, b: torch.clamp(a, min=b), (3,), (3,), False),
    Template("a @ b (mm)", lambda a, b: a @ b, (2, 3), (3, 2), None),
    Template("torch.mm(a, b)", lambda a, b: torch.mm(a, b), (2, 3), (3, 2), None),
    Template("a.matmul(b) (vector)", lambda a, b: a.matmul(b), (3,), (3,), None),
    Template("torch.cat([a, b])", lambda a, b: torch.cat([a, b]), (3,), (2,), None),
    Template("torch.stack([a, b])", lambda a, b: torch.stack([a, b]), (3,), (3,), None),
    Template("torch.stack([a[0], b])", lambda a, b: torch.stack([a[0], b]), (3,), (), False),
    Template("F.linear(a, w, bias=b)", lambda a, b: F.linear(a, a.new_ones(2, 3), b), (1, 3), (2,), False),
    Template("torch.addmm(b, a, a.T)", lambda a, b: torch.addmm(b, a, a.T), (2, 3), (2, 2), False),
    Template("torch.index_select(a, 0, b)", lambda a, b: torch.index_select(a, 0, b), (3,), (2,), None, torch.int64),
    Template("torch.gather(a, 0, b)", lambda a, b: torch.gather(a, 0, b), (3,), (2,), None, torch.int64),
    Template("F.embedding(b, a)", lambda a, b: F.embedding(b, a), (4, 2), (3,), None, torch.int64),
]  # fmt: skip


@dataclass(frozen=True)
class Case:
    id: str
    run: object
    placement_a: str
    placement_b: str
    shape_a: tuple
    shape_b: tuple
    dtype_b: torch.dtype
    runs: bool  # PyTorch's verdict

    def tensors(self, accelerator: str, second: str | None = None) -> tuple[torch.Tensor, ...]:
        return (
            _make(self.placement_a, self.shape_a, torch.float32, accelerator, second),
            _make(self.placement_b, self.shape_b, self.dtype_b, accelerator, second),
        )


def _make(
    placement: str, shape: tuple, dtype: torch.dtype, accelerator: str, second: str | None = None
) -> torch.Tensor:
    device = {"acc": accelerator, "acc1": second, "acc10": second}.get(placement, "cpu")
    shape = () if placement in ("cpu0", "acc10") else shape
    if dtype == torch.int64:
        return torch.ones(shape, dtype=dtype).to(device)
    return (
        (torch.arange(1, 1 + int(torch.Size(shape).numel()), dtype=dtype) / 4)
        .reshape(shape)
        .to(device)
    )


def _cases():
    for t in TEMPLATES:
        placements = [("acc", "acc", True), ("acc", "cpu", False), ("cpu", "acc", False)]
        if t.only_scalar_b:
            placements = [("acc", "acc", True)]
        if t.cpu_scalar_ok is not None:
            placements.append(("acc", "cpu0", t.cpu_scalar_ok))
        for pa, pb, runs in placements:
            yield Case(
                f"{t.name} [a:{pa} b:{pb}]", t.run, pa, pb, t.shape_a, t.shape_b, t.dtype_b, runs
            )
    # Both directions of the CPU scalar, in and out of place; indexing; transfers.
    extra = [
        ("cpu0 + acc", lambda a, b: b + a, "acc", "cpu0", (3,), (3,), True),
        ("torch.mul(cpu0, acc)", lambda a, b: torch.mul(b, a), "acc", "cpu0", (3,), (3,), True),
        ("acc.add_(cpu0)", lambda a, b: a.add_(b), "acc", "cpu0", (3,), (3,), True),
        ("cpu0.add_(acc0)", lambda a, b: b.add_(a[0]), "acc", "cpu0", (3,), (3,), False),
        ("cpu.add_(acc)", lambda a, b: b.add_(a), "acc", "cpu", (3,), (3,), False),
        ("acc.mul_(cpu)", lambda a, b: a.mul_(b), "acc", "cpu", (3,), (3,), False),
        ("torch.add(a, b, out=cpu)", lambda a, b: torch.add(a, a, out=b), "acc", "cpu", (3,), (3,), False),
        ("acc[cpu index]", lambda a, b: a[b], "acc", "cpu", (3,), (2,), True),
        ("acc.index_put_((cpu index,), acc values)", lambda a, b: a.index_put_((b,), a[:2] * 2), "acc", "cpu", (3,), (2,), True),
        ("cpu[acc index]", lambda a, b: b[a], "acc", "cpu", (2,), (3,), False),
        ("acc.to(cpu)", lambda a, b: a.to("cpu") + b, "acc", "cpu", (3,), (3,), True),
        ("cpu.to(acc)", lambda a, b: b.to(a.device) + a, "acc", "cpu", (3,), (3,), True),
        ("acc.copy_(cpu)", lambda a, b: a.copy_(b), "acc", "cpu", (3,), (3,), True),
        ("cpu.copy_(acc)", lambda a, b: b.copy_(a), "acc", "cpu", (3,), (3,), True),
        ("cpu.type_as(acc)", lambda a, b: b.type_as(a), "acc", "cpu", (3,), (3,), True),
        ("acc.expand_as(cpu)", lambda a, b: a[:1].expand_as(b), "acc", "cpu", (3,), (3,), True),
        ("acc.view_as(cpu)", lambda a, b: a.view_as(b), "acc", "cpu", (3,), (3,), True),
        ("acc.reshape_as(cpu)", lambda a, b: a.reshape_as(b), "acc", "cpu", (3,), (3,), True),
        ("acc.cpu() * cpu", lambda a, b: a.cpu() * b, "acc", "cpu", (3,), (3,), True),
        ("acc.sum() + cpu0", lambda a, b: a.sum() + b, "acc", "cpu0", (3,), (3,), True),
    ]  # fmt: skip
    index_dtype = {
        "acc[cpu index]": torch.int64,
        "cpu[acc index]": torch.int64,
        "acc.index_put_((cpu index,), acc values)": torch.int64,
    }
    for name, run, pa, pb, sa, sb, runs in extra:
        dtype_b = index_dtype.get(name, torch.float32)
        if name == "cpu[acc index]":  # here a is the index (on acc), b the indexed tensor
            yield Case(name, lambda a, b: b[a.long()], pa, pb, sa, (4,), torch.float32, runs)
            yield Case(
                "cpu.index_put_((acc index,), cpu values)",
                lambda a, b: b.index_put_((a.long(),), torch.ones(3)),
                pa, pb, sa, (4,), torch.float32, False,
            )  # fmt: skip
            continue
        yield Case(name, run, pa, pb, sa, sb, dtype_b, runs)


CASES = list(_cases())


def _two_device_cases():
    """Each template with its tensors on two devices of one type: never runs, a 0-dim tensor
    on the other device included (only CPU 0-dim tensors join as scalars). Moving and
    copying between the two, and CPU indices, run."""
    for t in TEMPLATES:
        placements = [("acc", "acc1"), ("acc1", "acc")]
        if t.cpu_scalar_ok is not None:
            placements.append(("acc", "acc10"))
        if t.only_scalar_b:
            # masked_fill reads its 0-dim value with .item() on CUDA, from any device: it runs
            # there, while the simulated device refuses it; the guard leaves it alone.
            continue
        for pa, pb in placements:
            yield Case(
                f"{t.name} [a:{pa} b:{pb}]", t.run, pa, pb, t.shape_a, t.shape_b, t.dtype_b, False
            )
    extra = [
        ("acc.add_(acc1)", lambda a, b: a.add_(b), "acc", "acc1", (3,), (3,), torch.float32, False),
        ("torch.add(a, a, out=acc1)", lambda a, b: torch.add(a, a, out=b), "acc", "acc1", (3,), (3,), torch.float32, False),
        ("acc[acc1 index]", lambda a, b: a[b], "acc", "acc1", (3,), (2,), torch.int64, False),
        ("acc[cpu index] + acc", lambda a, b: a[b.cpu()] + a[:2], "acc", "acc1", (3,), (2,), torch.int64, True),
        ("acc1.to(acc.device) + acc", lambda a, b: b.to(a.device) + a, "acc", "acc1", (3,), (3,), torch.float32, True),
        ("acc.copy_(acc1)", lambda a, b: a.copy_(b), "acc", "acc1", (3,), (3,), torch.float32, True),
        ("acc1.cpu() + cpu", lambda a, b: b.cpu() + a.cpu(), "acc", "acc1", (3,), (3,), torch.float32, True),
    ]  # fmt: skip
    for name, run, pa, pb, sa, sb, dtype_b, runs in extra:
        yield Case(name, run, pa, pb, sa, sb, dtype_b, runs)


TWO_DEVICE_CASES = list(_two_device_cases())


def assert_device_verdict(case: Case, accelerator: str, second: str | None = None) -> None:
    """The device itself (PyTorch's own check) gives the table's verdict."""
    a, b = case.tensors(accelerator, second)
    if case.runs:
        case.run(a, b)
    else:
        with pytest.raises(RuntimeError):
            case.run(a, b)


# Refused by PyTorch, but not certain from devices and ranks alone, so `guard strict` leaves
# them to PyTorch (whose error is then explained): a CPU 0-dim bias for F.linear runs with a
# 1-D input, and addmm is reached through composites whose paths vary.
LEFT_TO_PYTORCH = frozenset(
    {"F.linear(a, w, bias=b) [a:acc b:cpu0]", "torch.addmm(b, a, a.T) [a:acc b:cpu0]"}
)


def assert_guard_verdict(case: Case, accelerator: str, second: str | None = None) -> None:
    """`guard strict` never refuses what runs, and refuses what the table refuses before the
    operation runs, except the few cases it cannot be certain of."""
    from tensor_inspector import CrossDeviceError
    from tensor_inspector.guard.mode import DeviceGuard

    a, b = case.tensors(accelerator, second)
    before = (a.cpu().clone(), b.cpu().clone())
    with DeviceGuard(names_of=lambda: {id(a): "a", id(b): "b"}):
        if case.runs:
            case.run(a, b)
            return
        with pytest.raises(RuntimeError) as raised:
            case.run(a, b)
    if case.id in LEFT_TO_PYTORCH:
        assert not isinstance(raised.value, CrossDeviceError)
        return
    assert isinstance(raised.value, CrossDeviceError), raised.value
    assert "mixes devices" in str(raised.value)
    # Stopped before it ran: in-place targets and out= are untouched.
    assert torch.equal(a.cpu(), before[0]) and torch.equal(b.cpu(), before[1])
