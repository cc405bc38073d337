"""Which accelerators the kernel has, and how much memory each one holds.

Goes through ``torch.accelerator`` so CUDA, MPS, XPU and out-of-tree backends all work.
It never initialises a device the user has not touched: names and memory are read only
once the backend is initialised, since doing so would create a context on the GPU.
"""

from __future__ import annotations

import logging

import torch

log = logging.getLogger("tensor_inspector")


def accelerator_type() -> str | None:
    """'cuda', 'mps', 'xpu'... or None when the kernel has no usable accelerator."""
    accelerator = getattr(torch, "accelerator", None)
    if accelerator is not None:
        try:
            if accelerator.is_available():
                return accelerator.current_accelerator().type
        except Exception:
            log.debug("asking torch.accelerator failed", exc_info=True)
            return None
        return None
    return "cuda" if torch.cuda.is_available() else None  # torch < 2.6


def available_devices() -> list[str]:
    """Every device a tensor can be moved to, accelerators first: ['cuda:0', 'cuda:1', 'cpu']."""
    kind = accelerator_type()
    return _targets(kind, _device_count(kind) if kind else 0)


def _targets(kind: str | None, count: int) -> list[str]:
    return [f"{kind}:{index}" for index in range(count)] + ["cpu"]


def default_target() -> str | None:
    """The accelerator's current device (what a bare 'cuda' means), the panel's default move
    target."""
    kind = accelerator_type()
    return None if kind is None else f"{kind}:{current_index()}"


def current_index() -> int:
    """The accelerator's current device, which a bare 'cuda' means."""
    try:
        return int(torch.accelerator.current_device_index())
    except Exception:
        log.debug("current_device_index failed", exc_info=True)
        return 0


def with_index(device: str) -> str:
    """'cuda' -> 'cuda:1' when device 1 is current, as PyTorch reads a bare device; 'cpu'
    and indexed names are returned as they are."""
    if ":" in device or device in ("cpu", "meta"):
        return device
    if device != accelerator_type():
        return device
    return f"{device}:{current_index()}"


def summary() -> dict:
    """What the panel's device header shows."""
    kind = accelerator_type()
    if kind is None:
        return {"available": False, "type": None, "count": 0, "devices": [], "targets": ["cpu"]}
    count = _device_count(kind)
    initialized = _is_initialized(kind)
    return {
        "available": True,
        "type": kind,
        "count": count,
        "targets": _targets(kind, count),
        "devices": [
            {
                "device": f"{kind}:{index}",
                "name": _device_name(kind, index) if initialized else None,
                "memory_allocated": _memory_allocated(index) if initialized else None,
                "memory_reserved": _memory_reserved(index) if initialized else None,
            }
            for index in range(count)
        ],
    }


def _backend_module(kind: str):
    return getattr(torch, kind, None)


def _device_count(kind: str) -> int:
    try:
        return int(torch.accelerator.device_count())
    except Exception:
        log.debug("device_count failed", exc_info=True)
        module = _backend_module(kind)
        return int(module.device_count()) if module is not None else 0


def _is_initialized(kind: str) -> bool:
    module = _backend_module(kind)
    check = getattr(module, "is_initialized", None)
    try:
        return bool(check()) if check is not None else True
    except Exception:
        log.debug("is_initialized failed", exc_info=True)
        return False


def _device_name(kind: str, index: int) -> str | None:
    get_name = getattr(_backend_module(kind), "get_device_name", None)
    try:
        return str(get_name(index)) if get_name is not None else None
    except Exception:
        log.debug("get_device_name failed", exc_info=True)
        return None


def _memory_reserved(index: int) -> int | None:
    return _memory("memory_reserved", index)


def _memory_allocated(index: int) -> int | None:
    return _memory("memory_allocated", index)


def _memory(reading: str, index: int) -> int | None:
    """torch.accelerator's reading, or the backend module's own where the backend has no
    caching allocator (an out-of-tree device such as the simulated one)."""
    try:
        return int(getattr(torch.accelerator, reading)(index))
    except Exception:
        log.debug("torch.accelerator.%s failed", reading, exc_info=True)
    kind = accelerator_type()
    own = getattr(_backend_module(kind), reading, None) if kind else None
    try:
        return int(own(index)) if own is not None else None
    except Exception:
        log.debug("%s.%s failed", kind, reading, exc_info=True)
        return None
