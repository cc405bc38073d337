"""Statistics of a tensor's values, on request only (never on refresh).

Computed on the tensor's device with masked reductions (no boolean indexing, which would
synchronise a GPU to learn a size), stacked, and read with one ``.tolist()``: one
device-to-host transfer per tensor.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

BINS = 10
# A parameter's grad norm below this is vanishing, above EXPLODING exploding, 0 dead.
VANISHING = 1e-7
EXPLODING = 1e4


def tensor_stats(tensor: torch.Tensor) -> dict:
    """min, max, mean, std over the finite values (None when there are none); counts of
    nan, posinf, neginf and zeros; a 10-bin histogram of the finite values."""
    numel = tensor.numel()
    values, note = _as_real(tensor.detach())
    if numel == 0:
        return _result(numel, [None] * 4, [0, 0, 0, 0], [0] * BINS, None, note or "empty")
    values = values.reshape(-1).double()
    finite = torch.isfinite(values)
    count = finite.sum()
    zero = torch.zeros((), dtype=values.dtype, device=values.device)
    low = torch.where(finite, values, torch.inf).amin()
    high = torch.where(finite, values, -torch.inf).amax()
    mean = torch.where(finite, values, zero).sum() / count.clamp(min=1)
    spread = torch.where(finite, (values - mean) ** 2, zero).sum() / (count - 1).clamp(min=1)
    counts = torch.stack([
        torch.isnan(values).sum(),
        torch.isposinf(values).sum(),
        torch.isneginf(values).sum(),
        (values == 0).sum(),
        count,
    ]).double()  # fmt: skip
    width = (high - low).clamp(min=torch.finfo(values.dtype).tiny)
    raw = ((torch.where(finite, values, low) - low) * BINS / width).floor()
    # With no finite value, low is inf: those bins are nan, and carry no weight anyway.
    bins = torch.nan_to_num(raw, nan=0.0, posinf=BINS - 1, neginf=0.0).clamp(0, BINS - 1)
    hist = torch.zeros(BINS, dtype=values.dtype, device=values.device)
    hist.scatter_add_(0, bins.long(), finite.double())
    read = torch.cat([torch.stack([low, high, mean, spread.sqrt()]), counts, hist]).tolist()
    summary, (nan, posinf, neginf, zeros, finite_count), histogram = read[:4], read[4:9], read[9:]
    if finite_count == 0:
        summary, histogram = [None] * 4, [0] * BINS
    elif finite_count == 1:
        summary[3] = None  # the std of one value is not defined
    hist_range = None if finite_count == 0 else [summary[0], summary[1]]
    counted = [int(nan), int(posinf), int(neginf), int(zeros)]
    return _result(numel, summary, counted, [int(h) for h in histogram], hist_range, note)


def _as_real(tensor: torch.Tensor) -> tuple[torch.Tensor, str | None]:
    """The values statistics are taken over, and a note when they are not the tensor's own."""
    if tensor.is_complex():
        return tensor.abs(), "complex: statistics of the magnitude |z|"
    if tensor.dtype == torch.bool:
        return tensor.to(torch.uint8), "bool: True counts as 1, False as 0"
    if tensor.dtype.is_floating_point and tensor.dtype.itemsize == 1:
        return tensor.float(), f"{tensor.dtype}: read as float32"
    if tensor.is_quantized:
        return tensor.dequantize(), "quantized: statistics of the dequantized values"
    if not tensor.dtype.is_floating_point:
        return tensor, "integers: nan and inf cannot occur"
    return tensor, None


def _result(numel, summary, counts, hist, hist_range, note) -> dict:
    low, high, mean, std = summary
    nan, posinf, neginf, zeros = counts
    return {
        "numel": numel, "min": low, "max": high, "mean": mean, "std": std,
        "nan": nan, "posinf": posinf, "neginf": neginf, "zeros": zeros,
        "hist": hist, "hist_range": hist_range, "note": note,
    }  # fmt: skip


def module_stats(parameters: Iterable[tuple[str, torch.Tensor]]) -> dict:
    """Per parameter: its statistics, its grad's norm, and a mark when the grad vanishes,
    explodes or is dead (exactly zero)."""
    described = {}
    for path, parameter in parameters:
        entry = tensor_stats(parameter)
        grad = parameter.grad
        norm = None if grad is None else float(grad.detach().double().norm())
        entry["grad_norm"] = norm
        entry["grad_health"] = _health(norm)
        described[path] = entry
    return {"parameters": described}


def _health(norm: float | None) -> str | None:
    if norm is None:
        return None
    if norm == 0:
        return "dead"
    if norm < VANISHING:
        return "vanishing"
    if norm > EXPLODING:
        return "exploding"
    return None
