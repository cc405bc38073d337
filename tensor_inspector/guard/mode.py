"""The op-level guard of ``guard strict``: a TorchFunctionMode that stops a mixed-device
operation before it runs.

It covers what the cell check cannot see (code in functions, loops, libraries), for the
operators on the rule's positive list only: never a private ``_``-prefixed helper (such as
``torch._has_compatible_shallow_copy_type``, which every ``module.to(device)`` calls with a
cpu and a device tensor). The fast path only compares each tensor argument's device with
the first one's; names, the rule and the cell line are looked up only on a mismatch.
"""

from __future__ import annotations

import linecache
import logging
import sys
from collections.abc import Callable

import torch
from torch.overrides import TorchFunctionMode

from tensor_inspector.errors import CrossDeviceError
from tensor_inspector.guard.rules import INDEXING, Operand, explain, has_rule, mismatch, op_name

log = logging.getLogger("tensor_inspector")

Tensor = torch.Tensor


class DeviceGuard(TorchFunctionMode):
    def __init__(
        self,
        names_of: Callable[[], dict[int, str]] = dict,
        is_cell_file: Callable[[str], bool] = lambda filename: False,
    ) -> None:
        super().__init__()
        self.active = True  # cleared when the guard is taken off the stack
        self._names_of = names_of
        self._is_cell_file = is_cell_file

    def __torch_function__(self, func, types, args=(), kwargs=None):
        # Fast path, on every torch call of the cell: a few type checks and device-index
        # comparisons (get_device() builds no object; no pytree, no allocation). Names and
        # rules wait for a mismatch.
        if not self.active:
            return func(*args, **(kwargs or {}))
        if kwargs is None:
            if len(args) == 2:
                first, second = args
                if type(first) is Tensor and type(second) is Tensor:  # a + b, a @ b
                    if first.get_device() == second.get_device():
                        return func(first, second)
                    return self._checked(func, args, kwargs)
            elif len(args) < 2 and not (args and isinstance(args[0], (list, tuple))):
                return func(*args)  # one tensor mixes nothing (unless a list: torch.cat)
        if _devices_differ(args, kwargs):
            return self._checked(func, args, kwargs)
        return func(*args, **(kwargs or {}))

    def _checked(self, func, args, kwargs):
        kwargs = kwargs or {}
        self._check(func, args, kwargs)
        return func(*args, **kwargs)

    def _check(self, func, args, kwargs) -> None:
        name = getattr(func, "__name__", "")
        op = op_name(name)
        if (name.startswith("_") and not name.startswith("__")) or not has_rule(op):
            return  # not an operator whose rule we know: never a false alarm
        try:
            operands = _operands(op, args, kwargs)
        except Exception:
            log.debug("operands unreadable; left to PyTorch", exc_info=True)
            return  # e.g. an uninitialized parameter of nn.LazyLinear: PyTorch will say
        found = mismatch(op, operands)
        if found is None:
            return
        names = self._names_of()
        anchor, stray = (_named(o, names) for o in found)
        where = _cell_line(self._is_cell_file)
        message = explain(f"{_display(name)}{where}", anchor, stray)
        movable = stray.label.split(".")[0] if stray.role != "index" else None
        if movable is not None and not movable.isidentifier():
            movable = None
        error = CrossDeviceError(message, name=movable, device=anchor.device)
        error.devices = (anchor.device, stray.device, stray.role)  # for the culprit's search
        raise error


def _devices_differ(args, kwargs) -> bool:
    device = None
    try:
        for value in (*args, *(kwargs or {}).values()):
            items = value if isinstance(value, (list, tuple)) else (value,)
            for item in items:
                if isinstance(item, Tensor):
                    if device is None:
                        device = item.get_device()
                    elif item.get_device() != device:
                        return True
    except Exception:
        log.debug("devices unreadable; left to PyTorch", exc_info=True)
        return False  # an uninitialized parameter has no device yet
    return False


def _operands(op, args, kwargs) -> list[Operand]:
    operands: list[Operand] = []
    indexing = op.base in INDEXING

    def add(value, role, position):
        if isinstance(value, Tensor):
            label = f"argument {position}#{id(value)}"
            operands.append(Operand(label, str(value.device), value.dim() == 0, role, position))

    for position, value in enumerate(args):
        role = "input"
        if position == 0 and op.inplace:
            role = "self"
        elif position > 0 and indexing:
            role = "index" if position == 1 else "value"
        if isinstance(value, (list, tuple)):
            for item in value:
                add(item, "index" if indexing else role, position)
        else:
            add(value, role, position)
    for key, value in kwargs.items():
        add(value, "out" if key == "out" else "input", key)
    return operands


def _named(operand: Operand, names: dict[int, str]) -> Operand:
    label, _, ident = operand.label.partition("#")
    known = names.get(int(ident)) if ident else None
    return Operand(
        known or f"a tensor ({label})",
        operand.device,
        operand.zero_dim,
        operand.role,
        operand.position,
    )


def _display(name: str) -> str:
    core = name.strip("_")
    return f"torch.{core}" if not name.startswith("__") else f"operator {core}"


def _cell_line(is_cell_file: Callable[[str], bool]) -> str:
    """Where in the notebook: the cell's own line, and the function of an earlier cell the
    operation ran in, if any."""
    frame = sys._getframe(2)
    cell_frames = []
    while frame is not None:
        if is_cell_file(frame.f_code.co_filename):
            cell_frames.append(frame)
        frame = frame.f_back
    if not cell_frames:
        return ""
    outer, inner = cell_frames[-1], cell_frames[0]
    where = f" (cell line {outer.f_lineno}: {_source(outer)}"
    if inner is not outer:
        where += f"; in {inner.f_code.co_name}: {_source(inner)}"
    return where + ")"


def _source(frame) -> str:
    return linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
