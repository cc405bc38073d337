"""What PyTorch's distributed engine made of a tensor or a module: a DTensor's placements,
mesh and local shape, and whether fully_shard sharded a module.

Metadata only, as a refresh needs: nothing here calls ``full_tensor()``, ``redistribute``
or any other collective, and nothing imports ``torch.distributed``: a notebook that never
imported it has no DTensor and pays nothing.
"""

from __future__ import annotations

import itertools
import logging
import sys

import torch

log = logging.getLogger("tensor_inspector")


def dtensor_class() -> type | None:
    """DTensor, once the notebook has imported it (or None)."""
    module = sys.modules.get("torch.distributed.tensor")
    return getattr(module, "DTensor", None) if module is not None else None


def is_dtensor(tensor: torch.Tensor) -> bool:
    cls = dtensor_class()
    return cls is not None and isinstance(tensor, cls)


def local_shard(tensor: torch.Tensor) -> torch.Tensor:
    """This rank's shard of a DTensor (the tensor itself otherwise), with no collective."""
    if not is_dtensor(tensor):
        return tensor
    local = getattr(tensor, "_local_tensor", None)
    return local if isinstance(local, torch.Tensor) else tensor.to_local()


def describe_dtensor(tensor: torch.Tensor) -> dict | None:
    """The row's "dtensor" key: placements as PyTorch writes them (``Shard(dim=0)``,
    ``Replicate()``, ``Partial(sum)``), the mesh, this rank's local shape and the rank;
    None for a plain tensor."""
    if not is_dtensor(tensor):
        return None
    spec_mesh = tensor.device_mesh
    names = spec_mesh.mesh_dim_names
    return {
        "placements": [repr(placement) for placement in tensor.placements],
        "mesh": {
            "device_type": str(spec_mesh.device_type),
            "shape": [int(size) for size in spec_mesh.shape],
            "dim_names": None if names is None else [str(name) for name in names],
        },
        "local_shape": [int(size) for size in local_shard(tensor).shape],
        "rank": rank_of(tensor),  # whose local shard this row's values and stats are
    }


def shard_with_grad(tensor: torch.Tensor) -> torch.Tensor:
    """A DTensor's local shard, with its grad's local shard as ``.grad``, for the statistics
    of a module's parameters (the tensor itself for a plain one)."""
    if not is_dtensor(tensor):
        return tensor
    shard = local_shard(tensor).detach()
    grad = tensor.grad
    if grad is not None:
        shard.grad = local_shard(grad).detach()
    return shard


def label_shard(stats: dict | None, tensor: torch.Tensor) -> dict | None:
    """Statistics of a DTensor's local shard say so in their note: "local shard, rank r"."""
    if stats is None or not is_dtensor(tensor):
        return stats
    label = f"local shard, rank {rank_of(tensor)}"
    stats["note"] = f"{label}; {stats['note']}" if stats.get("note") else label
    return stats


def rank_of(tensor: torch.Tensor) -> int | None:
    """This process's rank in the DTensor's mesh (None for a plain tensor)."""
    if not is_dtensor(tensor):
        return None
    try:
        import torch.distributed as dist

        return int(dist.get_rank())
    except Exception:
        log.debug("rank unreadable", exc_info=True)
        return None


def move_refusal(name: str, found: torch.Tensor | torch.nn.Module) -> str | None:
    """Why a move of a DTensor (or of a module holding one) is refused, with what to do
    instead; None otherwise. A move would copy only this rank's shard and leave the mesh
    behind. Holds no reference to any tensor once it returns (a move swaps them)."""
    if isinstance(found, torch.nn.Module):
        if dtensor_class() is None:
            return None
        held = itertools.chain(found.parameters(), found.buffers())
        found = next((tensor for tensor in held if is_dtensor(tensor)), None)
        if found is None:
            return None
    if not is_dtensor(found):
        return None
    return _refusal(name, found)


def _refusal(name: str, tensor: torch.Tensor) -> str:
    placed = ", ".join(repr(placement) for placement in tensor.placements)
    mesh = tensor.device_mesh
    return (
        f"{name} was not moved, and nothing changed: it is a DTensor ({placed} on a "
        f"{mesh.device_type} mesh of shape {list(mesh.shape)}), whose values are spread over "
        f"the mesh's ranks. To change its placement, {name}.redistribute(mesh, placements); to "
        "put it on other devices, distribute_tensor its full value onto a mesh of those."
    )


def sharded_module(module: torch.nn.Module) -> bool:
    """Whether ``fully_shard`` (FSDP2) sharded this module."""
    fsdp = sys.modules.get("torch.distributed.fsdp")
    cls = getattr(fsdp, "FSDPModule", None) if fsdp is not None else None
    return cls is not None and isinstance(module, cls)
