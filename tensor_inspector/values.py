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
