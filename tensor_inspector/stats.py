"""Statistics of a tensor's values, on request only (never on refresh).

Computed on the tensor's device with masked reductions (no boolean indexing, which would
synchronise a GPU to learn a size), and read with one device-to-host transfer per tensor,
the values the table shows included (``read_with``); one per module and device for a
module's parameters. The reductions run over chunks, so the extra memory stays a fraction of
the tensor's whatever its dtype, and over values scaled by their largest magnitude, so a
mean or a spread that fits in float64 is never reported as inf.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import torch

from tensor_inspector.values import no_values

BINS = 10
# A parameter's grad norm below this is vanishing, above EXPLODING exploding, 0 dead.
VANISHING = 1e-7
EXPLODING = 1e4
# Chunks of at most this many elements, and at most 1/CHUNK_FRACTION of the tensor's bytes:
# each chunk's float64 temporaries cost about 40 bytes an element.
MAX_CHUNK = 1 << 21
MIN_CHUNK = 1 << 12
# torch.histc costs milliseconds whatever the size (on the CPU): for smaller chunks one
# scatter_add is cheaper.
HISTC = 1 << 17
CHUNK_FRACTION = 64

# Positions in the vector of reductions read back.
_SUMMARY = slice(0, 4)  # min, max, mean, std
_COUNTS = slice(4, 9)  # nan, posinf, neginf, zeros, finite
_HIST = slice(9, 9 + BINS)
LENGTH = 9 + BINS


def tensor_stats(tensor: torch.Tensor) -> dict:
    """min, max, mean, std over the finite values (None when there are none); counts of
    nan, posinf, neginf and zeros; a 10-bin histogram of the finite values."""
    return read_with(tensor, ())[0]


def read_with(
    tensor: torch.Tensor, also_read: Iterable[torch.Tensor]
) -> tuple[dict, list[torch.Tensor]]:
    """The statistics of ``tensor`` and the values of ``also_read`` (small tensors on the
    same device, such as the tensor itself and its grad, for the table), in one transfer.
    Returns the statistics and those values on the CPU, in order."""
    reduced, note = reductions(tensor)
    extra = [t.detach() for t in also_read]
    if not extra:
        return decode(reduced.tolist(), tensor.numel(), note), []
    parts = [reduced.reshape(-1).view(torch.uint8)]
    parts += [t.contiguous().reshape(-1).view(torch.uint8) for t in extra]
    on_cpu = torch.cat(parts).cpu()  # the one transfer
    sizes = [p.numel() for p in parts]
    pieces = on_cpu.split(sizes)
    values = [
        # A copy starts aligned, as viewing bytes as a wider dtype needs.
        piece.clone().view(t.dtype).reshape(t.shape)
        for piece, t in zip(pieces[1:], extra, strict=True)
    ]
    return decode(pieces[0].view(torch.float64).tolist(), tensor.numel(), note), values


def reductions(tensor: torch.Tensor) -> tuple[torch.Tensor, str | None]:
    """The statistics as a float64 vector of LENGTH on the tensor's device (nothing read
    back yet), and a note when they are not of the tensor's own values."""
    values, widen, note = _as_real(tensor.detach())
    device = values.device
    if values.numel() == 0:
        return torch.zeros(LENGTH, dtype=torch.float64, device=device), note or "empty"
    flat = values.reshape(-1)
    step = _chunk_length(flat)
    chunks = [(start, min(start + step, flat.numel())) for start in range(0, flat.numel(), step)]

    floating = values.dtype.is_floating_point or widen is not _same
    # On the CPU a value is read for free: a chunk with no nan or inf (the usual case, told
    # by its min and max) takes the short path. On a device nothing is read before the end.
    on_cpu = device.type == "cpu"
    zero = torch.zeros((), dtype=torch.float64, device=device)
    low, high = zero + torch.inf, zero - torch.inf
    counts = torch.zeros(5, dtype=torch.float64, device=device)
    clean: list[bool] = []  # per chunk: no nan or inf in it
    for start, stop in chunks:  # first pass: range and counts
        part = widen(flat[start:stop])
        if part.dtype == torch.bool:
            part = part.to(torch.uint8)
        if not floating or on_cpu:
            part_low, part_high = torch.aminmax(part)
            finite_only = not floating or (
                math.isfinite(part_low.item()) and math.isfinite(part_high.item())
            )
        else:
            finite_only = False
        clean.append(finite_only)
        if finite_only:
            low = torch.minimum(low, part_low.double())
            high = torch.maximum(high, part_high.double())
            counts[3] += (part == 0).sum()
            counts[4] += part.numel()
            continue
        # No boolean indexing (it would read a count back) and no isfinite (slow on the
        # CPU): masks and replacements, every one a single vectorised pass.
        low = torch.minimum(low, _replaced(part, torch.inf).amin().double())
        high = torch.maximum(high, _replaced(part, -torch.inf).amax().double())
        counts += torch.stack([
            torch.count_nonzero(torch.isnan(part)), torch.count_nonzero(part == torch.inf),
            torch.count_nonzero(part == -torch.inf), torch.count_nonzero(part == 0),
            torch.count_nonzero(_finite(part)),
        ]).double()  # fmt: skip
    finite_count = counts[4]
    any_finite = finite_count > 0
    # Scaled by a power of two near the largest magnitude, sums of float64 values cannot
    # overflow, and every division by it is exact (the histogram's bin edges do not move).
    scale = _power_of_two_scale(torch.where(any_finite, torch.maximum(low.abs(), high.abs()), 0.0))
    low_s = torch.where(any_finite, low / scale, 0.0)
    high_s = torch.where(any_finite, high / scale, 0.0)
    width = (high_s - low_s).clamp(min=torch.finfo(torch.float64).tiny)
    n, mean, m2 = zero, zero, zero
    hist = torch.zeros(BINS, dtype=torch.float64, device=device)
    edges = (low_s.item(), high_s.item()) if on_cpu else None
    for (start, stop), finite_only in zip(chunks, clean, strict=True):
        # second pass: mean and spread (Chan's merge of chunks), histogram
        part = widen(flat[start:stop]).double() / scale
        if finite_only:
            variance, mean_part = torch.var_mean(part, correction=0)
            n_part = zero + part.numel()
            m2_part = variance * part.numel()
            kept, finite = part, None
        else:
            finite = _finite(part)
            kept = torch.nan_to_num(part, nan=0.0, posinf=0.0, neginf=0.0)
            n_part = torch.count_nonzero(finite).double()
            mean_part = kept.sum() / n_part.clamp(min=1)
            deviation = torch.where(finite, kept - mean_part, 0.0)
            m2_part = (deviation * deviation).sum()
        total = n + n_part
        delta = mean_part - mean
        share = n_part / total.clamp(min=1)
        mean = mean + delta * share
        m2 = m2 + m2_part + delta * delta * n * share
        n = total
        if edges is not None and edges[0] < edges[1] and stop - start >= HISTC:
            hist += torch.histc(kept, BINS, *edges)
            if finite is not None:  # the zeros put in place of nan and inf come out again
                _take_back_zeros(hist, edges, part.numel() - int(n_part))
            continue
        bins = ((kept - low_s) * BINS / width).floor().clamp(0, BINS - 1)  # as torch.histc
        weight = torch.ones_like(part) if finite is None else finite.double()
        hist.scatter_add_(0, bins.long(), weight)
    std = (m2 / (n - 1).clamp(min=1)).sqrt() * scale
    summary = torch.stack([low, high, mean * scale, std])
    return torch.cat([summary, counts, hist]), note


def decode(read: list[float], numel: int, note: str | None) -> dict:
    """The statistics as plain data, from the vector ``reductions`` gives, read back."""
    summary, counts, histogram = read[_SUMMARY], read[_COUNTS], read[_HIST]
    nan, posinf, neginf, zeros, finite_count = counts
    if numel == 0 or finite_count == 0:
        summary, histogram = [None] * 4, [0] * BINS
    elif finite_count == 1:
        summary[3] = None  # the std of one value is not defined
    hist_range = None if summary[0] is None else [summary[0], summary[1]]
    low, high, mean, std = summary
    return {
        "numel": numel, "min": low, "max": high, "mean": mean, "std": std,
        "nan": int(nan), "posinf": int(posinf), "neginf": int(neginf), "zeros": int(zeros),
        "hist": [int(h) for h in histogram], "hist_range": hist_range, "note": note,
    }  # fmt: skip


def _same(values: torch.Tensor) -> torch.Tensor:
    return values


def _as_real(tensor: torch.Tensor) -> tuple[torch.Tensor, Callable, str | None]:
    """The values statistics are taken over, how to widen a chunk of them to numbers, and a
    note when they are not the tensor's own. Widening happens chunk by chunk."""
    if tensor.is_quantized:
        return tensor.dequantize(), _same, "quantized: statistics of the dequantized values"
    if tensor.is_complex():
        return tensor, torch.abs, "complex: statistics of the magnitude |z|"
    if tensor.dtype == torch.bool:
        return tensor, _same, "bool: True counts as 1, False as 0"
    if tensor.dtype.is_floating_point and tensor.dtype.itemsize == 1:
        return tensor, _to_float, f"{tensor.dtype}: read as float32"
    if not tensor.dtype.is_floating_point:
        return tensor, _same, "integers: nan and inf cannot occur"
    return tensor, _same, None


def _to_float(values: torch.Tensor) -> torch.Tensor:
    return values.float()


def _finite(values: torch.Tensor) -> torch.Tensor:
    return values.abs() < torch.inf  # nan and ±inf fail it


def _replaced(values: torch.Tensor, by: float) -> torch.Tensor:
    """``values`` with nan and ±inf replaced ``by`` one value (to leave a min or max alone)."""
    return torch.nan_to_num(values, nan=by, posinf=by, neginf=by)


def _take_back_zeros(hist: torch.Tensor, edges: tuple[float, float], count: int) -> None:
    """Remove ``count`` zeros from the CPU histogram ``hist`` over ``edges``, binned as
    torch.histc bins them (none when 0 lies outside the edges)."""
    low, high = edges
    if count and low <= 0.0 <= high:
        position = int((0.0 - low) * BINS / (high - low))
        hist[min(position, BINS - 1)] -= count


def _power_of_two_scale(largest: torch.Tensor) -> torch.Tensor:
    """2**(e-1) for a finite ``largest`` = m * 2**e (0.5 <= m < 1): at most ``largest``, at
    least half of it; 1 for 0 or a non-finite value."""
    _, exponent = torch.frexp(largest)
    usable = (largest > 0) & torch.isfinite(largest)
    return torch.where(usable, torch.ldexp(torch.ones_like(largest), exponent - 1), 1.0)


def _chunk_length(flat: torch.Tensor) -> int:
    by_bytes = flat.numel() * flat.element_size() // CHUNK_FRACTION
    return max(MIN_CHUNK, min(MAX_CHUNK, by_bytes))


# module statistics -----------------------------------------------------------------------------


def module_stats(parameters: Iterable[tuple[str, torch.Tensor]]) -> dict:
    """Per parameter: its statistics, its grad's norm, and a mark when the grad vanishes,
    explodes or is dead (exactly zero). One transfer per device the parameters live on. A
    parameter without values to read (lazy, freed, fake) gets a note saying why."""
    order: list[str] = []
    described: dict[str, dict] = {}
    computed: dict[str, tuple] = {}
    per_device: dict[torch.device, list[str]] = {}
    for path, parameter in parameters:
        order.append(path)
        reason = no_values(parameter)
        if reason is not None:
            entry = decode([0.0] * LENGTH, _numel(parameter), reason)
            described[path] = {**entry, "grad_norm": None, "grad_health": None}
            continue
        reduced, note = reductions(parameter)
        grad = parameter.grad
        if grad is not None and no_values(grad) is not None:
            grad = None
        norm = _norm(grad.detach()) if grad is not None else torch.full_like(reduced[:1], -1.0)
        vector = torch.cat([reduced, norm.reshape(1).to(reduced.device)])
        computed[path] = (vector, note, parameter.numel())
        per_device.setdefault(reduced.device, []).append(path)
    for paths in per_device.values():
        read = torch.stack([computed[path][0] for path in paths]).tolist()  # one transfer
        for path, values in zip(paths, read, strict=True):
            _, note, numel = computed[path]
            entry = decode(values[:LENGTH], numel, note)
            norm = None if values[LENGTH] < 0 else values[LENGTH]
            entry["grad_norm"] = norm
            entry["grad_health"] = _health(norm)
            described[path] = entry
    return {"parameters": {path: described[path] for path in order}}


def _numel(tensor: torch.Tensor) -> int | None:
    try:
        return tensor.numel()
    except Exception:  # a lazy parameter has no size yet
        return None


def _norm(grad: torch.Tensor) -> torch.Tensor:
    """The 2-norm of a grad, on its device, in float64, chunk by chunk and scaled by the
    largest magnitude (so a norm that fits in float64 is not reported as inf); nan when any
    value is nan, inf when any is infinite."""
    values, widen, _ = _as_real(grad)
    flat = values.reshape(-1)
    zero = torch.zeros((), dtype=torch.float64, device=flat.device)
    if flat.numel() == 0:
        return zero
    step = _chunk_length(flat)

    def chunks():
        for start in range(0, flat.numel(), step):
            yield widen(flat[start : start + step]).double()

    largest = zero
    for part in chunks():
        largest = torch.maximum(largest, part.abs().amax())  # nan propagates
    scale = _power_of_two_scale(largest)
    total = zero
    for part in chunks():
        scaled = part / scale
        total = total + (scaled * scaled).sum()
    return torch.where(torch.isfinite(largest), total.sqrt() * scale, largest)


def _health(norm: float | None) -> str | None:
    if norm is None:
        return None
    if norm != norm:  # the grad holds a nan
        return "nan"
    if norm == 0:
        return "dead"
    if norm < VANISHING:
        return "vanishing"
    if norm > EXPLODING:
        return "exploding"
    return None
