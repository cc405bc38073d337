"""PyTorch's own device-mismatch errors, explained in the user's names.

PyTorch refuses a mixed-device operation itself, before its kernel runs, but its message
names no variable. The traceback's frames hold the tensors that met: the locals of the
user's frames (the cell, their functions, a module's ``self``), mapped to the names the
panel shows. Only what PyTorch already refused is explained, so this never blocks valid work.
"""

from __future__ import annotations

import linecache
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch

from tensor_inspector.errors import CrossDeviceError
from tensor_inspector.guard.rules import Operand, explain
from tensor_inspector.holders import optimizer_state

log = logging.getLogger("tensor_inspector")

# Every wording of a device mismatch in PyTorch's C++ and Python sources that we know of.
_DEVICE = r"([a-z]+(?::\d+)?)"
MISMATCH_PATTERNS = (
    re.compile(r"Expected all tensors to be on the same device"),
    re.compile(rf"is on {_DEVICE}, different from other tensors on {_DEVICE}"),
    re.compile(r"indices should be either on cpu or on the same device as the indexed tensor"),
    re.compile(r"Input type \(torch\.(?:\w+\.)?\w+\) and weight type \(torch\.(?:\w+\.)?\w+\)"),
    re.compile(rf"invalid gradient at index \d+ - expected device {_DEVICE} but got {_DEVICE}"),
    re.compile(r"Expected object of device type \w+ but got device type \w+"),
    re.compile(r"is on CPU, but expected (?:it|them) to be on GPU"),
    re.compile(r"Expected tensor for argument #\d+ '\w+' to have the same device"),
    re.compile(r"Placeholder storage has not been allocated on MPS device"),
    re.compile(r"Expected all tensors to be on the same device"),
)
_DEVICES_IN_MESSAGE = re.compile(r"\b(cpu|cuda:\d+|mps:\d+|xpu:\d+|[a-z]+:\d+)\b")
_CONV_TYPES = re.compile(
    r"Input type \(torch\.(\w+\.)?\w+\) and weight type \(torch\.(\w+\.)?\w+\)"
)
_MAX_CANDIDATES = 64


@dataclass(frozen=True)
class UserFrame:
    where: str  # "Cell In[3], line 2" or "model.py, line 7, in forward"
    source: str  # the line, stripped
    function: str  # "<module>" for a cell's top level
    locals: dict


def is_device_mismatch(error: BaseException) -> bool:
    if not isinstance(error, RuntimeError) or isinstance(error, CrossDeviceError):
        return False
    message = str(error)
    if _CONV_TYPES.search(message):
        first, second = _CONV_TYPES.search(message).groups()
        return (first or "") != (second or "")  # torch.cuda.FloatTensor vs torch.FloatTensor
    return any(pattern.search(message) for pattern in MISMATCH_PATTERNS)


def explain_error(
    error: RuntimeError,
    frames: list[UserFrame],
    names_by_id: dict[int, str],
) -> CrossDeviceError | None:
    """A CrossDeviceError naming the tensors that met, or None if this is not a mismatch."""
    if not is_device_mismatch(error):
        return None
    optimizer_message = _optimizer_state_mismatch(frames, names_by_id)
    if optimizer_message is not None:
        return _error(optimizer_message, frames, error, None, None)
    pair = _the_pair(str(error), frames, names_by_id)
    inner = frames[-1] if frames else None
    what = inner.source.removeprefix("return ") if inner is not None else "an operation"
    if pair is None:
        message = f"{what} mixes devices (PyTorch did not say which tensors)."
        return _error(message, frames, error, None, None)
    anchor, stray = pair
    message = explain(what, anchor, stray)
    movable = stray.label.split(".")[0] if stray.role != "index" else None
    if movable is not None and not movable.isidentifier():
        movable = None
    return _error(message, frames, error, movable, anchor.device)


def _error(message, frames, cause, name, device) -> CrossDeviceError:
    where = _where(frames)
    error = CrossDeviceError(message + where, name=name, device=device)
    error.__cause__ = cause
    error.frames = tuple((frame.where, frame.source) for frame in frames)
    error.pytorch_message = str(cause).splitlines()[0] if str(cause) else ""
    return error


def _where(frames: list[UserFrame]) -> str:
    if not frames:
        return ""
    outer, inner = frames[0], frames[-1]
    where = f" ({outer.where}: {outer.source}"
    if inner is not outer:
        where += f"; in {inner.function}: {inner.source}"
    return where + ")"


def _the_pair(message: str, frames: list[UserFrame], names_by_id: dict[int, str]):
    """(a tensor on the device the operation runs on, a tensor that is not there)."""
    indexing = "indices should be" in message
    for frame in reversed(frames):  # the innermost line first: it is where they met
        candidates = list(_tensors_on_line(frame, names_by_id))
        pair = _split(candidates, message, indexing)
        if pair is not None:
            return pair
    everything = [c for frame in reversed(frames) for c in _tensors_in_locals(frame, names_by_id)]
    return _split(everything, message, indexing)


def _split(candidates: list[tuple[str, torch.Tensor]], message: str, indexing: bool):
    devices = {}
    for label, tensor in candidates[:_MAX_CANDIDATES]:
        devices.setdefault(str(tensor.device), (label, tensor))
    if len(devices) < 2:
        return None
    mentioned = [d for d in _DEVICES_IN_MESSAGE.findall(message) if d in devices]
    if indexing:
        # A CPU tensor indexed with accelerator indices: the indices go to the cpu.
        target = "cpu"
    else:
        ordered = mentioned + [d for d in devices if d not in mentioned]
        target = next((d for d in ordered if d != "cpu"), ordered[0])
    stray_device = next(d for d in devices if d != target)
    anchor_label, anchor = devices[target]
    stray_label, stray = devices[stray_device]
    return (
        Operand(anchor_label, target, anchor.dim() == 0),
        Operand(stray_label, stray_device, stray.dim() == 0, "index" if indexing else "input"),
    )


def _names_on_line(frame: UserFrame) -> list[str]:
    """The names the failing line uses, in order (the line may be a fragment: `return a * b`)."""
    used: list[str] = []
    for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", frame.source):
        if name not in used and name in frame.locals:
            used.append(name)
    return used


def _tensors_on_line(frame: UserFrame, names_by_id: dict[int, str]):
    for name in _names_on_line(frame):
        yield from _tensors_of(name, frame.locals[name], names_by_id)


def _tensors_in_locals(frame: UserFrame, names_by_id: dict[int, str]):
    for name, value in list(frame.locals.items())[:_MAX_CANDIDATES]:
        yield from _tensors_of(name, value, names_by_id)


def _tensors_of(name: str, value: object, names_by_id: dict[int, str]):
    """(label, tensor) for a local: a tensor, a module's parameters and buffers, a list."""
    if isinstance(value, torch.Tensor):
        yield names_by_id.get(id(value), name), value
    elif isinstance(value, torch.nn.Module):
        try:
            tensors = list(value.named_parameters()) + list(value.named_buffers())
        except Exception:
            log.debug("a module's tensors could not be read", exc_info=True)
            return
        for path, tensor in tensors[:_MAX_CANDIDATES]:
            yield names_by_id.get(id(tensor), f"{name}.{path}"), tensor
    elif type(value) in (list, tuple):
        for index, item in enumerate(value[:_MAX_CANDIDATES]):
            if isinstance(item, torch.Tensor):
                yield names_by_id.get(id(item), f"{name}[{index}]"), item


def _optimizer_state_mismatch(frames, names_by_id) -> str | None:
    """optimizer.step() with its state left on another device (the model moved after)."""
    for frame in frames:
        for name in _names_on_line(frame):
            value = frame.locals.get(name)
            if isinstance(value, torch.optim.Optimizer):
                found = optimizer_state_on_other_device(value)
                if found is not None:
                    param, key, state = found
                    label = names_by_id.get(id(param), "a parameter")
                    return optimizer_message(name, label, param, key, state)
    return None


def optimizer_state_on_other_device(optimizer):
    """(parameter, state key, state tensor) for the first state left on another device."""
    for group in optimizer.param_groups:
        for param in group["params"]:
            for _, key, value in optimizer_state(optimizer, param):
                if value.device != param.device:
                    return param, key, value
    return None


def optimizer_message(optimizer_name: str, label: str, param, key: str, value) -> str:
    return (
        f"{optimizer_name}.step() mixes devices: {label} is on {param.device}, "
        f"its optimizer state {key!r} is on {value.device}. Fix: move the "
        "module with the panel (its optimizer state follows), or recreate "
        "the optimizer after moving the model."
    )


def user_frames(
    tb, is_user_file: Callable[[str], bool], cell_label: Callable[[str], str | None]
) -> list[UserFrame]:
    """The traceback's frames in the user's code, outermost first."""
    frames = []
    for frame, lineno in _walk(tb):
        filename = frame.f_code.co_filename
        if not is_user_file(filename):
            continue
        label = cell_label(filename) or filename.rsplit("/", 1)[-1]
        where = f"{label}, line {lineno}"
        if frame.f_code.co_name != "<module>":
            where += f", in {frame.f_code.co_name}"
        source = linecache.getline(filename, lineno).strip()
        frames.append(UserFrame(where, source, frame.f_code.co_name, dict(frame.f_locals)))
    return frames


def _walk(tb) -> Iterator:
    while tb is not None:
        yield tb.tb_frame, tb.tb_lineno
        tb = tb.tb_next
