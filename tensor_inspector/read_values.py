"""Values of small accelerator tensors, read by an action that syncs anyway (backward, stats).

A refresh never reads an accelerator tensor's values: that would wait for the device. But once
an action has read them, a later refresh can show them without a sync, for as long as the
tensor is unchanged: the same id, memory, shape and ``_version`` (every in-place change bumps
it). No reference to the tensor is kept, not even a weak one: a weak reference would keep
``torch.utils.swap_tensors`` (moves, ``module.to`` with swapping) from working on it.
"""

from __future__ import annotations

import logging
from collections import OrderedDict, defaultdict
from typing import Any

import torch

from tensor_inspector.sharding import is_dtensor
from tensor_inspector.values import SHOWN_WHOLE, as_lists, unreadable

log = logging.getLogger("tensor_inspector")

# An action reads at most this many tensors: a model's worth of tiny grads stays one transfer.
MAX_TENSORS = 256

# Entries kept, oldest dropped first: a few notebooks' worth of small grads.
MAX_KEPT = 1024

# id(tensor) -> (its identity when read, its values as values.as_lists gives them)
_read: OrderedDict[int, tuple[tuple, Any]] = OrderedDict()


def _identity(tensor: torch.Tensor) -> tuple:
    """What must match for values read earlier to still be this tensor's."""
    return (tensor._version, tensor.data_ptr(), tuple(tensor.shape), tensor.dtype, tensor.device)


def recall(tensor: torch.Tensor) -> Any:
    """The values read earlier, if ``tensor`` has not changed since; None otherwise."""
    entry = _read.get(id(tensor))
    if entry is None:
        return None
    identity, values = entry
    try:
        return values if identity == _identity(tensor) else None
    except Exception:
        log.debug("identity unreadable", exc_info=True)
        return None


def readable(tensor: torch.Tensor | None) -> bool:
    """A small dense accelerator tensor whose values a refresh does not read by itself."""
    try:
        return (
            tensor is not None
            and tensor.device.type not in ("cpu", "meta")
            and tensor.layout == torch.strided
            and not tensor.is_quantized
            and not is_dtensor(tensor)  # its values are spread over ranks: never a collective
            and 0 < tensor.numel() <= SHOWN_WHOLE
            and recall(tensor) is None
            and unreadable(tensor) is None
        )
    except Exception:
        log.debug("tensor not readable", exc_info=True)
        return False


def to_read(tensors, device: torch.device) -> list[torch.Tensor]:
    """Those of ``tensors`` on ``device`` whose values the table would show once read:
    for an action that reads them along with its own, in the same transfer (stats)."""
    chosen: list[torch.Tensor] = []
    for tensor in tensors:
        if readable(tensor) and tensor.device == device and all(t is not tensor for t in chosen):
            chosen.append(tensor)
    return chosen[:MAX_TENSORS]


def keep(tensor: torch.Tensor, values_on_cpu: torch.Tensor) -> None:
    """Keep values of ``tensor`` that an action read (``values_on_cpu``, its shape)."""
    try:
        _store(tensor, as_lists(values_on_cpu))
    except Exception:
        log.debug("values could not be kept", exc_info=True)


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
        flat = [values.float() for values in flat]  # fp8 widened on the device, before cat
    on_cpu = torch.cat(flat).cpu()  # the one transfer
    for tensor, values in zip(group, on_cpu.split([t.numel() for t in group]), strict=True):
        _store(tensor, as_lists(values.reshape(tensor.shape)))


def _store(tensor: torch.Tensor, values: Any) -> None:
    key = id(tensor)
    _read.pop(key, None)
    _read[key] = (_identity(tensor), values)
    while len(_read) > MAX_KEPT:
        _read.popitem(last=False)
