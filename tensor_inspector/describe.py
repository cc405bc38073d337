"""Turn one tensor into a row of plain data for the panel.

Pure and metadata-only: nothing here reads a non-CPU tensor's values, so a refresh never
synchronises a GPU. Values (``preview``) are read only for small CPU tensors; a small
accelerator tensor shows the values an action read earlier (read_values), if still current.
"""

from __future__ import annotations

import logging
from typing import Any

import torch

from tensor_inspector import read_values
from tensor_inspector.graph import graph_freed
from tensor_inspector.sharding import describe_dtensor, is_dtensor, local_shard
from tensor_inspector.values import SHOWN_WHOLE, as_lists, unreadable

log = logging.getLogger("tensor_inspector")

ROW_KEYS = (
    "name",
    "aliases",
    "shape",
    "dtype",
    "type",
    "device",
    "requires_grad",
    "is_leaf",
    "grad_fn",
    "grad",
    "numel",
    "nbytes",
    "storage_nbytes",
    "is_view",
    "preview",
    "status",
    "unreadable",  # why its values cannot be read (a freed storage), or None
    "dtensor",  # a DTensor's placements, mesh and local shape (sharding.describe_dtensor)
    "graph_freed",  # backward() freed the graph behind it: another backward() can only fail
)

# How far the refresh looks for a saved tensor that says whether a graph was freed: a few
# nodes keep it cheap, and a graph found saving nothing there is never said to be freed.
FREED_LOOKUP_NODES = 8


def describe(tensor: torch.Tensor, name: str, aliases: list[str] | tuple[str, ...] = ()) -> dict:
    """The row for ``tensor``. Raises only if its most basic metadata cannot be read."""
    shape = shape_of(tensor)
    device = str(tensor.device)
    requires_grad = bool(tensor.requires_grad)
    is_leaf = bool(tensor.is_leaf)
    grad_fn = tensor.grad_fn
    freed_storage = unreadable(tensor, thorough=False)
    return {
        "name": name,
        "aliases": list(aliases),
        "shape": shape,
        "dtype": str(tensor.dtype),
        "type": _optional(lambda: tensor.type()),
        "device": device,
        "requires_grad": requires_grad,
        "is_leaf": is_leaf,
        "grad_fn": type(grad_fn).__name__ if grad_fn is not None else None,
        "grad": describe_grad(readable_grad(tensor)),
        "numel": _optional(lambda: tensor.numel()),
        "nbytes": _optional(lambda: int(tensor.nbytes)),
        "storage_nbytes": _optional(lambda: storage_nbytes(tensor, freed=bool(freed_storage))),
        "is_view": bool(_optional(lambda: tensor._is_view())),
        "preview": preview(tensor),
        "status": "",
        "unreadable": freed_storage,
        "dtensor": describe_dtensor(tensor),
        "graph_freed": _graph_freed(grad_fn),
    }


def storage_nbytes(tensor: torch.Tensor, freed: bool = False) -> int:
    """Bytes of the memory block the tensor lives in (a view's is its base's); a DTensor's
    is its local shard's, what this process holds. ``freed``: the storage was resized under
    the tensor (FSDP), so it holds what its storage says, not what the tensor would fill."""
    if is_dtensor(tensor):
        tensor = local_shard(tensor)
    if (
        not freed
        and not tensor._is_view()
        and tensor.storage_offset() == 0
        and tensor.is_contiguous()
    ):
        # Asking for the storage would create a Python object that lives as long as the
        # tensor; a contiguous tensor at offset 0 that is no view fills its own block.
        nbytes = tensor.nbytes
        if nbytes:
            return int(nbytes)
    return int(tensor.untyped_storage().nbytes())


def shape_of(tensor: torch.Tensor) -> list[int | None]:
    """The sizes as ints; a nested tensor's ragged dimensions read None."""
    if getattr(tensor, "is_nested", False):
        return [_optional(lambda dim=dim: int(tensor.size(dim))) for dim in range(tensor.dim())]
    return [int(size) for size in tensor.shape]


def error_row(name: str, aliases: list[str] | tuple[str, ...], error: BaseException) -> dict:
    """The row of a tensor that could not be described: every field empty, the reason in preview."""
    row = dict.fromkeys(ROW_KEYS)
    row.update(
        name=name,
        aliases=list(aliases),
        shape=None,
        status="error",
        preview=f"could not describe: {type(error).__name__}: {error}",
    )
    return row


def readable_grad(tensor: torch.Tensor) -> torch.Tensor | None:
    """``tensor.grad``, read only where PyTorch fills it (no warning for non-leaves)."""
    try:
        if tensor.is_leaf or tensor.retains_grad:
            return tensor.grad
    except Exception:
        log.debug("grad unreadable", exc_info=True)
        return None
    return None


def describe_grad(grad: torch.Tensor | None) -> dict | None:
    if grad is None:
        return None
    return {
        "shape": shape_of(grad),
        "dtype": str(grad.dtype),
        "device": str(grad.device),
        "preview": preview(grad),
    }


def preview(tensor: torch.Tensor) -> Any:
    """Nested lists of the values of a small, dense CPU tensor, or of an accelerator tensor
    whose values an action has read (read_values); None for anything else."""
    try:
        if is_dtensor(tensor):
            return preview(local_shard(tensor))  # this rank's values, with no collective
        if tensor.device.type != "cpu":
            return read_values.recall(tensor)  # never a read of the device
        if (
            tensor.layout != torch.strided
            or tensor.numel() > SHOWN_WHOLE
            or type(tensor) not in _PLAIN_TENSOR_TYPES
        ):
            return None
        return as_lists(tensor.detach())
    except Exception:
        log.debug("values unreadable", exc_info=True)
        return None


def fingerprint(tensor: torch.Tensor) -> tuple:
    """Cheap metadata that changes whenever the row of this same tensor object would.

    On the refresh path for every tensor, so the common case is one flat tuple of direct
    reads; tensors whose reads raise take the careful path. Every in-place change, values
    or shape (``add_``, ``t_``, ``unsqueeze_``, ``resize_``), bumps ``_version``.
    """
    try:
        grad = tensor.grad if (tensor.is_leaf or tensor.retains_grad) else None
        return (
            tensor._version,
            tensor.data_ptr(),  # a new tensor under a reused id has other memory
            # Not .shape: building a torch.Size costs more than all the other reads together.
            tensor.numel(),
            # No dtype or device: changing either gives the tensor other memory (data_ptr),
            # except a wrapper subclass's (data_ptr 0): its device index tells cuda:0 from 1.
            tensor.get_device(),
            tensor.requires_grad,
            _graph_freed(tensor.grad_fn),  # None for a leaf; True once backward() freed it
            None if grad is None else (id(grad), grad._version, grad.numel(), grad.data_ptr()),
        )
    except Exception:
        log.debug("fingerprint fell back", exc_info=True)
        return _careful_fingerprint(tensor)


def _careful_fingerprint(tensor: torch.Tensor) -> tuple:
    grad = readable_grad(tensor)
    return (
        _optional(lambda: tensor._version),
        # Each read inside its lambda: a subclass may raise on the attribute read itself.
        _optional(lambda: tensor.data_ptr()),
        _optional(lambda: tensor.shape),
        _optional(lambda: tensor.dtype),
        _optional(lambda: tensor.device),
        _optional(lambda: tensor.requires_grad),
        _optional(lambda: _graph_freed(tensor.grad_fn)),
        None
        if grad is None
        else (id(grad), _optional(lambda: grad._version), _optional(lambda: grad.shape)),
    )


# Subclasses (FakeTensor, wrappers) may pretend to be on the CPU without holding values.
_PLAIN_TENSOR_TYPES = (torch.Tensor, torch.nn.Parameter, getattr(torch.nn, "Buffer", torch.Tensor))


def _graph_freed(grad_fn) -> bool | None:
    """None for a tensor without a graph; else whether backward() freed its graph."""
    if grad_fn is None:
        return None
    return _optional(lambda: graph_freed(grad_fn, FREED_LOOKUP_NODES)) is True


def _optional(read) -> Any:
    try:
        return read()
    except Exception:
        log.debug("attribute unreadable", exc_info=True)
        return None
