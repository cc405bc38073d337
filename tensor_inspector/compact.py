"""Rows kept between refreshes, packed small: a tuple per row, shared strings, previews as
JSON text. The tracker keeps one per live tensor, so 10,000 tensors must cost little."""

from __future__ import annotations

import json
import sys

from tensor_inspector.describe import ROW_KEYS

Packed = tuple

_INDEX = {key: position for position, key in enumerate(ROW_KEYS)}
STATUS = _INDEX["status"]
ALIASES = _INDEX["aliases"]
_SHARED = ("dtype", "type", "device", "grad_fn")


def pack(row: dict) -> Packed:
    values = [row[key] for key in ROW_KEYS]
    for key in _SHARED:
        if isinstance(values[_INDEX[key]], str):
            values[_INDEX[key]] = sys.intern(values[_INDEX[key]])
    values[_INDEX["aliases"]] = tuple(row["aliases"])
    values[_INDEX["shape"]] = None if row["shape"] is None else tuple(row["shape"])
    values[_INDEX["preview"]] = _pack_preview(row["preview"])
    grad = row["grad"]
    if grad is not None:
        values[_INDEX["grad"]] = (
            tuple(grad["shape"]),
            sys.intern(grad["dtype"]),
            sys.intern(grad["device"]),
            _pack_preview(grad["preview"]),
        )
    return tuple(values)


def unpack(packed: Packed) -> dict:
    row = dict(zip(ROW_KEYS, packed, strict=True))
    row["aliases"] = list(row["aliases"])
    row["shape"] = None if row["shape"] is None else list(row["shape"])
    row["preview"] = _unpack_preview(row["preview"])
    grad = row["grad"]
    if grad is not None:
        row["grad"] = {
            "shape": list(grad[0]),
            "dtype": grad[1],
            "device": grad[2],
            "preview": _unpack_preview(grad[3]),
        }
    return row


def with_status(packed: Packed, status: str, aliases: tuple | None = None) -> Packed:
    values = list(packed)
    values[STATUS] = status
    if aliases is not None:
        values[ALIASES] = aliases
    return tuple(values)


def same_content(first: Packed, second: Packed) -> bool:
    """Equal in everything but status."""
    return first[:STATUS] == second[:STATUS] and first[STATUS + 1 :] == second[STATUS + 1 :]


def _pack_preview(preview):
    # Lists of values become one string: a row keeps one object instead of dozens.
    if isinstance(preview, (list, float, int, bool)):
        return ("json", json.dumps(preview))
    return preview


def _unpack_preview(preview):
    if isinstance(preview, tuple) and len(preview) == 2 and preview[0] == "json":
        return json.loads(preview[1])
    return preview
