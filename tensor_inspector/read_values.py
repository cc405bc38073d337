"""Values of small accelerator tensors, read by an action that syncs anyway (backward, stats).

A refresh never reads an accelerator tensor's values: that would wait for the device. But once
an action has read them, a later refresh can show them without a sync, for as long as the
tensor is the same object at the same version (every in-place change bumps ``_version``).
Nothing here keeps a tensor alive: entries hold a weak reference and drop when it dies.
"""

from __future__ import annotations

import logging
import weakref
from collections import defaultdict
from typing import Any

import torch

log = logging.getLogger("tensor_inspector")

# As many elements as describe.PREVIEW_MAX_ELEMENTS: what the table shows of a CPU tensor.
MAX_ELEMENTS = 64
# An action reads at most this many tensors: a model's worth of tiny grads stays one transfer.
MAX_TENSORS = 256

# id(tensor) -> (weak reference, _version when read, nested lists of its values)
_read: dict[int, tuple[weakref.ref, int, Any]] = {}


def recall(tensor: torch.Tensor) -> Any:
    """The values read earlier, if ``tensor`` has not changed since; None otherwise."""
    entry = _read.get(id(tensor))
    if entry is None:
        return None
    ref, version, values = entry
    if ref() is not tensor or version != tensor._version:
        return None
    return values


def readable(tensor: torch.Tensor | None) -> bool:
    """A small dense accelerator tensor whose values a refresh does not read by itself."""
    try:
        return (
            tensor is not None
            and tensor.device.type not in ("cpu", "meta")
            and tensor.layout == torch.strided
            and not tensor.is_quantized
            and 0 < tensor.numel() <= MAX_ELEMENTS
            and recall(tensor) is None
        )
    except Exception:
        log.debug("tensor not readable", exc_info=True)
        return False


def remember(tensors) -> None:
    """Read the values of ``tensors`` (those ``readable``), one transfer per device and dtype.

    Call only where the device has been synchronised anyway, such as after backward()."""
    groups: dict[tuple, list[torch.Tensor]] = defaultdict(list)
    taken = 0
    for tensor in tensors:
        if taken < MAX_TENSORS and readable(tensor):
            groups[(tensor.device, tensor.dtype)].append(tensor)
            taken += 1
    for group in groups.values():
        try:
            _read_group(group)
        except Exception:  # an odd dtype or subclass: those rows keep shape and device only
            log.debug("values of %d tensors unreadable", len(group), exc_info=True)


def _read_group(group: list[torch.Tensor]) -> None:
    flat = [tensor.detach().reshape(-1) for tensor in group]
    if group[0].dtype.is_floating_point and group[0].dtype.itemsize == 1:
        flat = [values.float() for values in flat]  # fp8 has no tolist()
    on_cpu = torch.cat(flat).cpu()  # the one transfer
    for tensor, values in zip(group, on_cpu.split([t.numel() for t in group]), strict=True):
        _store(tensor, values.reshape(tensor.shape).tolist())


def _store(tensor: torch.Tensor, values: Any) -> None:
    key = id(tensor)
    _read[key] = (
        weakref.ref(tensor, lambda _ref, key=key: _forget(key, _ref)),
        tensor._version,
        values,
    )


def _forget(key: int, ref: weakref.ref) -> None:
    entry = _read.get(key)
    if entry is not None and entry[0] is ref:
        del _read[key]
