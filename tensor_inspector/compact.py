"""Rows kept between refreshes, packed small: one named tuple per row (its fields in ROW_KEYS
order, then the tensor's mark), repeated values shared. A tensor's values (the preview) are not kept,
only a digest that tells when they changed: they are read again from the tensor when a row is
sent. The tracker keeps one per live tensor, so 10,000 tensors must cost little."""

from __future__ import annotations

import json
from collections import namedtuple

from tensor_inspector.describe import ROW_KEYS

# mark: hash of the tensor's id and fingerprint: unchanged tensor, same mark.
Packed = namedtuple("Packed", [*ROW_KEYS, "mark"])

_INDEX = {key: position for position, key in enumerate(ROW_KEYS)}
_REPEATED = tuple(
    _INDEX[key]
    for key in ("dtype", "type", "device", "grad_fn", "numel", "nbytes", "storage_nbytes")
)

# Shapes, dtypes, sizes repeat across tensors: keep one object of each.
_shared: dict = {}
_SHARED_LIMIT = 200_000


def share(value):
    if len(_shared) > _SHARED_LIMIT:
        _shared.clear()
    return _shared.setdefault(value, value)


class JsonText(str):
    """A grad's preview kept as its JSON text (one object instead of a list of numbers)."""

    __slots__ = ()


class ValuesDigest(int):
    """Stands for a preview that was dropped: equal digests, equal values."""

    __slots__ = ()


def pack(row: dict, mark: int | None) -> Packed:
    values = [row[key] for key in ROW_KEYS]
    for position in _REPEATED:
        if values[position] is not None:
            values[position] = share(values[position])
    values[_INDEX["aliases"]] = tuple(row["aliases"])
    values[_INDEX["shape"]] = None if row["shape"] is None else share(tuple(row["shape"]))
    preview = row["preview"]
    digest = ValuesDigest(hash(json.dumps(preview))) if _is_values(preview) else preview
    values[_INDEX["preview"]] = digest
    grad = row["grad"]
    if grad is not None:
        values[_INDEX["grad"]] = share(
            (tuple(grad["shape"]), grad["dtype"], grad["device"], _pack_preview(grad["preview"]))
        )
    dtensor = row["dtensor"]
    if dtensor is not None:  # rare: kept as text, so rows share no mutable dict
        values[_INDEX["dtensor"]] = JsonText(json.dumps(dtensor))
    values.append(mark)
    return Packed._make(values)


def unpack(packed: Packed) -> dict:
    row = dict(zip(ROW_KEYS, packed[:-1], strict=True))
    row["aliases"] = list(row["aliases"])
    row["shape"] = None if row["shape"] is None else list(row["shape"])
    if isinstance(row["dtensor"], JsonText):
        row["dtensor"] = json.loads(row["dtensor"])
    if isinstance(row["preview"], ValuesDigest):
        row["preview"] = None  # the caller reads the values again (needs_values)
    grad = row["grad"]
    if grad is not None:
        row["grad"] = {
            "shape": list(grad[0]),
            "dtype": grad[1],
            "device": grad[2],
            "preview": _unpack_preview(grad[3]),
        }
    return row


def needs_values(packed: Packed) -> bool:
    """Whether the row's preview was dropped and must be read again from the tensor."""
    return isinstance(packed.preview, ValuesDigest)


def with_status(packed: Packed, status: str, aliases: tuple | None = None) -> Packed:
    if aliases is None:
        return packed._replace(status=status)
    return packed._replace(status=status, aliases=aliases)


def same_content(first: Packed, second: Packed) -> bool:
    """Equal in every field but status (and the mark)."""
    return first._replace(status="", mark=None) == second._replace(status="", mark=None)


def _is_values(preview) -> bool:
    """A preview that holds values (error rows keep their reason, a string, there)."""
    return isinstance(preview, (list, float, int, bool))


def _pack_preview(preview):
    return JsonText(json.dumps(preview)) if _is_values(preview) else preview


def _unpack_preview(preview):
    return json.loads(preview) if isinstance(preview, JsonText) else preview
