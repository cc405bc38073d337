"""A tensor's values as the panel shows them: nested lists of plain JSON numbers, for tensors
small enough to show whole. One definition for the table's previews, the values an action read
on an accelerator (read_values.py) and the gradients of a traced backward (graph.py)."""

from __future__ import annotations

from typing import Any

import torch

from tensor_inspector.strict_json import strict as json_safe

# A tensor of at most this many elements is shown whole: in the table, and on the graph.
SHOWN_WHOLE = 64


def as_lists(values: torch.Tensor) -> Any:
    """A CPU tensor's values as nested lists: quantized values dequantized, fp8 widened (it
    has no tolist()), and nan, ±inf and complex numbers as text, which JSON cannot carry."""
    if values.is_quantized:
        values = values.dequantize()
    if values.dtype.is_floating_point and values.dtype.itemsize == 1:
        values = values.float()
    return json_safe(values.tolist())


def unreadable(tensor: torch.Tensor, thorough: bool = True) -> str | None:
    """Why reading ``tensor``'s values would crash the process, in words; None when they can
    be read. A storage freed under the tensor (FSDP resizes a sharded parameter's storage to
    0 bytes) leaves its metadata readable, but any value read segfaults. ``thorough=False``
    (the refresh path) looks at the storage only when the data pointer is null."""
    try:
        if tensor.layout != torch.strided or tensor.numel() == 0:
            return None
        if not thorough and tensor.data_ptr() != 0:
            return None
        held = tensor.untyped_storage().nbytes()
        last = tensor.storage_offset() + sum(
            (size - 1) * abs(stride)
            for size, stride in zip(tensor.shape, tensor.stride(), strict=True)
        )
        needed = (last + 1) * tensor.element_size()
    except Exception:  # a subclass without a storage of its own: nothing to check here
        return None
    if held >= needed:
        return None
    return (
        f"its storage holds {held} bytes for {tensor.numel()} elements (it was freed, as FSDP "
        "does to sharded parameters), so its values cannot be read"
    )
