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


def no_values(tensor: torch.Tensor) -> str | None:
    """Why ``tensor`` has no values to read, in words (a lazy module's parameter before its
    first forward pass, a FakeTensor, a meta tensor, a freed storage); None when it has."""
    try:
        if isinstance(tensor, torch.nn.parameter.UninitializedTensorMixin):
            return "it is not initialised yet (a lazy module's): run one forward pass first"
        if type(tensor).__name__ == "FakeTensor":
            return "it is a FakeTensor: it has a shape, a dtype and a device, but no values"
        if tensor.device.type == "meta":
            return "it is on the meta device: it has a shape and a dtype, but no values"
    except Exception as error:  # a subclass whose reads raise
        return f"its class {type(tensor).__name__} refuses to be read ({cut_error(error)})"
    return unreadable(tensor)


def cut_error(error: BaseException, limit: int = 80) -> str:
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= limit else text[: limit - 1] + "…"
