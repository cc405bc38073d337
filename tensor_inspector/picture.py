"""A slice of a tensor's values as a picture: a heatmap of two dimensions, or an RGB(A) image.

Only what is shown is read: the other dimensions are indexed, the shown window is strided to
at most ``max_side`` rows and columns, complex values become magnitudes, all on the tensor's
own device, and the result is copied to the host once. Min, max and the non-finite counts are
taken on the host over those few values. On request only, never on refresh.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import torch

from tensor_inspector.describe import fingerprint, readable_grad
from tensor_inspector.errors import ActionError, cut
from tensor_inspector.sharding import is_dtensor
from tensor_inspector.values import as_lists, unreadable

MAX_SIDE = 64
# A reply never carries more than this many rows or columns, whatever the view asks.
LARGEST_SIDE = 1024
CHANNELS = (3, 4)
# Floats this close to [0, 1] are an image's intensities (augmentations overshoot a little):
# they are clipped. Anything else is mapped from its min and max.
NEAR_UNIT = 0.1


class PictureError(ActionError):
    """The picture cannot be drawn as asked; the message says why and what to do."""


def version_of(found: object) -> str:
    """A token that changes when the tensor (or its grad) may have changed: its identity and
    fingerprint, metadata only. A view compares it to its picture's to know when to redraw."""
    if not isinstance(found, torch.Tensor):
        return "none"
    return format(hash((id(found), fingerprint(found))) & 0xFFFF_FFFF_FFFF, "x")


def picture_of(found: object, name: str, of: str = "values", **options) -> dict:
    """The picture of what a row's name holds (``of``: "values" or "grad"), with its name
    and ``of`` in the reply; modules and missing grads refused with what to do instead."""
    if of not in ("values", "grad"):
        raise PictureError(f'of takes "values" or "grad", not {of!r}.')
    if isinstance(found, torch.nn.Module):
        raise PictureError(
            f"{name} is a module: picture one of its parameters, such as {name}.weight."
        )
    if not isinstance(found, torch.Tensor):
        raise PictureError(f"{name} is not a tensor.")
    shown, original = name, found
    if of == "grad":
        found, shown = readable_grad(found), f"{name}.grad"
        if found is None:
            raise PictureError(f"{name}.grad is None: backward() fills it.")
    if is_dtensor(found):  # slicing it could gather from every rank: a collective
        raise PictureError(
            f"{shown} is a DTensor, spread over its mesh's ranks: a picture of it would gather "
            f"them. Name its local shard to picture it: local = {shown}.to_local()."
        )
    try:
        drawn = picture(found, shown, **options)
    except PictureError:
        raise
    except (RuntimeError, TypeError, NotImplementedError, AttributeError) as error:
        # A fake tensor, a subclass whose reads raise: its values are not there to show.
        raise PictureError(cut(f"{shown}'s values could not be read: {error}")) from None
    return {"name": name, "of": of, "version": version_of(original), **drawn}


def picture(
    tensor: torch.Tensor,
    name: str = "the tensor",
    dims: Sequence[int] | None = None,
    at: Mapping | None = None,
    window: Sequence[int] | None = None,
    max_side: int = MAX_SIDE,
    image: bool = False,
) -> dict:
    """The values of one 2-D slice of ``tensor``, strided to at most ``max_side`` a side.

    ``dims`` are the dimensions shown as rows and columns (default: the last two; a 1-D tensor
    is one row), ``at`` the index of every other dimension (default 0), ``window`` the region
    ``[r0, r1, c0, c1]`` of the shown dimensions. With ``image`` the slice keeps its channel
    dimension and is shown as RGB(A) (see ``image_layout``).
    """
    refuse_unreadable(tensor, name)
    shape = list(tensor.shape)
    ndim = len(shape)
    max_side = _max_side(max_side)
    layout = image_layout(shape, tensor.dtype)
    channels = None
    if image:
        if layout is None:
            raise PictureError(
                f"{name} {shape} is no image: an image is (3 or 4, H, W) or (H, W, 3 or 4) in "
                "its last dimensions, of uint8 or floating values."
            )
        dims, channels = layout["dims"], layout["channels"]
    shown = _dims(dims, ndim, name)
    indices = _at(at, shown + ([channels] if channels is not None else []), shape, name)
    sizes = [shape[d] for d in shown]
    if len(sizes) < 2:
        sizes = [1, *sizes] if sizes else [1, 1]
    region = _window(window, sizes, name)
    step = [max(1, math.ceil((region[1] - region[0]) / max_side)),
            max(1, math.ceil((region[3] - region[2]) / max_side))]  # fmt: skip

    values, note = _read_once(tensor, shown, indices, region, step, channels)
    counts = _non_finite(values)
    low, high = _finite_range(values)
    reply = {
        "shape": shape,
        "dtype": str(tensor.dtype),
        "device": str(tensor.device),
        "dims": shown,
        "at": dict(sorted(indices.items())),
        "window": region,
        "step": step,
        "strided": step != [1, 1],
        "values": as_lists(values.to(torch.uint8) if values.dtype == torch.bool else values),
        "min": low,
        "max": high,
        **counts,
        "image": channels is not None,
        "channels": channels,
        "mapping": _mapping(values, low, high) if channels is not None else None,
        "image_offer": layout if channels is None else None,
        "note": note,
    }
    return reply


def refuse_unreadable(tensor: torch.Tensor, name: str) -> None:
    """Tensors whose values cannot be read, or only at a cost the user did not ask for."""
    if tensor.device.type == "meta":
        raise PictureError(f"{name} is on the meta device: it has a shape but no values.")
    if getattr(tensor, "is_nested", False):
        raise PictureError(f"{name} is a nested tensor: picture one of its tensors instead.")
    if tensor.layout != torch.strided:
        if tensor.layout == torch.sparse_coo and tensor.device.type == "cpu":
            return  # densified on the CPU, where it costs no sync (see _dense)
        raise PictureError(
            f"{name} is {str(tensor.layout).removeprefix('torch.')}: picture "
            f"{name}.to_dense() instead (densifying it here could take a lot of memory)."
        )
    why = unreadable(tensor)
    if why:
        raise PictureError(f"No picture of {name}: {why}.")
    if tensor.numel() == 0:
        raise PictureError(f"{name} has no elements: its shape is {list(tensor.shape)}.")


def image_layout(shape: Sequence[int], dtype: torch.dtype) -> dict | None:
    """Where an image's channels are, if the last dimensions can be one: (3|4, H, W) first,
    else (H, W, 3|4). Only uint8 and floating values make an image. Metadata only."""
    ndim = len(shape)
    if ndim < 3 or not (dtype == torch.uint8 or dtype.is_floating_point):
        return None
    if shape[-3] in CHANNELS:
        return {"channels": ndim - 3, "dims": [ndim - 2, ndim - 1]}
    if shape[-1] in CHANNELS:
        return {"channels": ndim - 1, "dims": [ndim - 3, ndim - 2]}
    return None


def _max_side(max_side) -> int:
    if type(max_side) is not int or not 1 <= max_side <= LARGEST_SIDE:
        raise PictureError(f"max_side must be a whole number from 1 to {LARGEST_SIDE}.")
    return max_side


def _dims(dims, ndim: int, name: str) -> list[int]:
    if dims is None:
        return list(range(max(0, ndim - 2), ndim))
    wanted = min(ndim, 2)
    if not isinstance(dims, (list, tuple)) or len(dims) != wanted:
        raise PictureError(f"dims takes {wanted} dimension(s) of {name}, which has {ndim}.")
    shown = []
    for dim in dims:
        if type(dim) is not int or not -ndim <= dim < ndim:
            raise PictureError(f"{dim!r} is not a dimension of {name}, which has {ndim}.")
        shown.append(dim % ndim)
    if len(set(shown)) != len(shown):
        raise PictureError("dims must be two different dimensions.")
    return shown


def _at(at, shown: list[int], shape: list[int], name: str) -> dict[int, int]:
    """The index of every dimension that is not shown: ``at``'s, else 0. Entries for shown
    dimensions are ignored, so a view can keep its indices when it swaps the shown pair."""
    if at is None:
        at = {}
    if not isinstance(at, Mapping):
        raise PictureError("at takes {dimension: index}, e.g. {0: 2}.")
    ndim = len(shape)
    given = {}
    for key, index in at.items():
        dim = int(key) if isinstance(key, str) and key.lstrip("-").isdigit() else key
        if type(dim) is not int or not -ndim <= dim < ndim:
            raise PictureError(f"at: {key!r} is not a dimension of {name}, which has {ndim}.")
        dim %= ndim
        if type(index) is not int or not -shape[dim] <= index < shape[dim]:
            raise PictureError(
                f"at: dimension {dim} of {name} has size {shape[dim]}; {index!r} is no index in it."
            )
        given[dim] = index % shape[dim]
    return {d: given.get(d, 0) for d in range(ndim) if d not in shown}


def _window(window, sizes: list[int], name: str) -> list[int]:
    rows, columns = sizes
    if window is None:
        return [0, rows, 0, columns]
    if (
        not isinstance(window, (list, tuple))
        or len(window) != 4
        or any(type(edge) is not int for edge in window)
    ):
        raise PictureError(
            "window takes four whole numbers: [first row, end row, first column, end column]."
        )
    r0, r1, c0, c1 = window
    if not (0 <= r0 < r1 <= rows and 0 <= c0 < c1 <= columns):
        raise PictureError(
            f"window {list(window)} is not inside the {rows}×{columns} slice of {name}: "
            f"it needs 0 ≤ r0 < r1 ≤ {rows} and 0 ≤ c0 < c1 ≤ {columns}."
        )
    return [r0, r1, c0, c1]


def _read_once(tensor, shown, indices, region, step, channels) -> tuple[torch.Tensor, str | None]:
    """Index, stride and convert on the tensor's device; one copy of the result to the host."""
    r0, r1, c0, c1 = region
    values = _dense(tensor.detach())
    index: list = [slice(None)] * values.dim()
    for dim, at in indices.items():
        index[dim] = at
    if len(shown) == 2:
        index[shown[0]] = slice(r0, r1, step[0])
        index[shown[1]] = slice(c0, c1, step[1])
    elif len(shown) == 1:
        index[shown[0]] = slice(c0, c1, step[1])
    sliced = values[tuple(index)]
    # What is left are the shown dims (and the channels), in the tensor's order.
    kept = sorted([*shown, *([channels] if channels is not None else [])])
    order = [kept.index(d) for d in [*shown, *([channels] if channels is not None else [])]]
    if order != sorted(order):
        sliced = sliced.permute(order)
    while sliced.dim() < 2 + (channels is not None):
        sliced = sliced.unsqueeze(0)
    note = None
    if sliced.is_complex():
        sliced, note = sliced.abs(), "complex: the magnitude |z| is shown"
    elif sliced.is_quantized:
        note = "quantized: the dequantized values are shown"
    elif sliced.dtype == torch.bool:
        note = "bool: True is 1, False is 0"
    elif sliced.dtype.is_floating_point and sliced.dtype.itemsize == 1:
        note = f"{str(sliced.dtype).removeprefix('torch.')}: widened to float32"
    host = sliced.contiguous().to("cpu")  # the one device-to-host copy
    if host.is_quantized:
        host = host.dequantize()
    if host.dtype.is_floating_point and host.dtype.itemsize == 1:
        host = host.float()
    return host, note


def _dense(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.to_dense() if tensor.layout == torch.sparse_coo else tensor


def _non_finite(values: torch.Tensor) -> dict:
    if not values.dtype.is_floating_point:
        return {"nan": 0, "posinf": 0, "neginf": 0}
    return {
        "nan": int(torch.isnan(values).sum()),
        "posinf": int(torch.isposinf(values).sum()),
        "neginf": int(torch.isneginf(values).sum()),
    }


def _finite_range(values: torch.Tensor) -> tuple[float | int | None, float | int | None]:
    if values.dtype == torch.bool:
        values = values.to(torch.uint8)
    if not values.dtype.is_floating_point:
        low, high = torch.aminmax(values)
        return low.item(), high.item()
    # Masked, not boolean-indexed: indexing by a mask costs milliseconds even at 64x64.
    finite = torch.isfinite(values)
    if not bool(finite.any()):
        return None, None
    low = torch.where(finite, values, torch.inf).amin()
    high = torch.where(finite, values, -torch.inf).amax()
    return tuple(torch.stack([low, high]).tolist())


def _mapping(values: torch.Tensor, low, high) -> dict:
    """How an image's values become intensities in [0, 1]."""
    if values.dtype == torch.uint8:
        return {"kind": "uint8", "low": 0, "high": 255, "text": "uint8: 0–255"}
    if low is None or (low >= -NEAR_UNIT and high <= 1 + NEAR_UNIT):
        return {"kind": "clip", "low": 0, "high": 1, "text": "clipped to [0, 1]"}
    return {"kind": "minmax", "low": low, "high": high,
            "text": f"min–max: [{low:.3g}, {high:.3g}] → [0, 1]"}  # fmt: skip
