"""The one contract for what leaves the kernel: strict JSON. Replies, rows and synced state
go through ``strict`` on their way out (panel.py), and values read from tensors on their
way in (values.py). Imports nothing heavy."""

from __future__ import annotations

import math
import numbers
from typing import Any


def strict(values: Any) -> Any:
    """``values`` as strict JSON can carry them: the contract for everything that leaves the
    kernel (replies, rows, synced state). A float nan, inf or -inf becomes the string "nan",
    "inf" or "-inf" (the front end's formatNumber reads them), a complex number its text,
    tuples lists, and dict keys strings; the rest is left as it is. Without this, the
    kernel's JSON fallback would send non-finite numbers as those strings anyway, unasked,
    or fail."""
    kind = type(values)
    if kind is float or isinstance(values, float):
        return values if math.isfinite(values) else _NON_FINITE[str(float(values))]
    if kind in _PLAIN:
        return values
    if isinstance(values, (list, tuple)):
        return [strict(value) for value in values]
    if isinstance(values, dict):
        return {
            key if isinstance(key, str) else str(key): strict(value)
            for key, value in values.items()
        }
    if isinstance(values, complex):
        return str(values)
    if isinstance(values, numbers.Real) and not isinstance(values, numbers.Integral):
        return strict(float(values))  # numpy's float32 and the like
    return values


_PLAIN = (str, int, bool, type(None))
_NON_FINITE = {"nan": "nan", "inf": "inf", "-inf": "-inf"}
