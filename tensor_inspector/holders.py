"""What holds a tensor, for the actions that change it: its optimizer state wherever the
optimizer lives, and what keeps it from being swapped in place (a live graph, a view, a weak
reference). Only actions call these; gc is searched here, never on refresh.
"""

from __future__ import annotations

import gc
import logging
import sys
import weakref
from collections.abc import Iterable, Iterator, Mapping

import torch

from tensor_inspector.graph import walk_nodes
from tensor_inspector.tracking import find_tensors, is_user_name

log = logging.getLogger("tensor_inspector")

# State that PyTorch's optimizers keep on the cpu whatever the parameters' device.
OPTIMIZER_STATE_KEPT_ON_CPU = frozenset({"step"})
# How many graph nodes to visit when looking for the results whose graph holds a tensor.
GRAPH_NODES_VISITED = 10_000


def lookup(
    namespace: Mapping[str, object], hidden: Mapping[str, object], name: str
) -> torch.Tensor | torch.nn.Module | None:
    """The tensor shown under ``name`` (a row name or alias), or the module of that name."""
    value = namespace.get(name) if is_user_name(name, hidden) else None
    if issubclass(type(value), (torch.Tensor, torch.nn.Module)):
        return value
    for tensor, names in find_tensors(namespace, hidden).tensors.values():
        if name in names:
            return tensor
    return None


def optimizer_state(
    optimizer: torch.optim.Optimizer, param: torch.Tensor
) -> Iterator[tuple[dict, str, torch.Tensor]]:
    """(state dict, key, tensor) for the optimizer state that lives with ``param``: the state
    PyTorch keeps on the cpu whatever the parameter's device (Adam's step) is left out."""
    state = optimizer.state.get(param) or {}
    for key, value in state.items():
        if isinstance(value, torch.Tensor) and key not in OPTIMIZER_STATE_KEPT_ON_CPU:
            yield state, key, value


def optimizers_holding(params: Iterable[torch.Tensor]) -> list[torch.optim.Optimizer]:
    """Every optimizer alive in the process whose param groups hold one of ``params``,
    wherever it is kept (a name, an attribute, a dict of optimizers)."""
    wanted = {id(param) for param in params}
    found = []
    for candidate in gc.get_objects():
        if not issubclass(type(candidate), torch.optim.Optimizer):
            continue
        groups = getattr(candidate, "param_groups", [])
        if any(id(p) in wanted for group in groups for p in group.get("params", ())):
            found.append(candidate)
    return found


def why_not_swappable(tensor: torch.Tensor) -> str | None:
    """Why ``torch.utils.swap_tensors`` would refuse ``tensor`` (None: it would not). Only
    a swap keeps the same object, so that every holder sees the move."""
    if not hasattr(torch.utils, "swap_tensors"):
        return "moving in place needs torch 2.3 or newer (torch.utils.swap_tensors)"
    if weakref.getweakrefs(tensor):
        return "something holds a weak reference to it"
    use_count = tensor._use_count()
    if use_count == 1 or (use_count == 2 and tensor.is_leaf and tensor.requires_grad):
        return None  # the second holder of a leaf that requires grad: its AccumulateGrad node
    return "it is saved by a live autograd graph, or a view of it exists"


def held_by_last_error(tensors: Iterable[torch.Tensor]) -> bool:
    """Whether the last failed cell's traceback (``sys.last_*``, with the errors chained to
    it) holds one of ``tensors`` back from a move: a frame of it keeps the tensor's view
    (``weight.t()`` inside a failed ``F.linear``) or a result whose graph reaches it. Only
    frames' locals and the tuples, lists and dicts in them are read."""
    tensors = list(tensors)
    nodes = [node for node in map(_accumulate_node, tensors) if node is not None]
    wanted = {id(tensor) for tensor in tensors}
    for frame in _last_error_frames():
        if frame.f_locals is frame.f_globals:
            continue  # a cell's or module's frame: its names are the notebook's, not the error's
        for value in _values_in(list(frame.f_locals.values()), depth=2):
            if not issubclass(type(value), torch.Tensor) or id(value) in wanted:
                continue
            try:
                base, grad_fn = value._base, value.grad_fn
            except Exception:  # an odd subclass whose reads raise
                continue
            if id(base) in wanted or (
                grad_fn is not None and any(_reaches(grad_fn, node) for node in nodes)
            ):
                return True
    return False


def last_error_kept_elsewhere() -> bool:
    """Whether anything besides sys, IPython's last result, the chained errors and their own
    frames holds the last error (``kept = sys.last_value``): releasing it would then free
    none of its frames, so it is not released."""
    errors = _last_errors()
    allowed = {id(error) for error in errors} | {id(vars(sys)), id(errors)}
    for frame in _last_error_frames():
        allowed.add(id(frame))
        if frame.f_locals is not frame.f_globals:  # a function's locals, read as a dict
            allowed.add(id(frame.f_locals))
    here = sys._getframe()
    for referrer in gc.get_referrers(*errors):
        kind = type(referrer)
        if id(referrer) in allowed or referrer is here:
            continue
        if kind is tuple and all(id(item) in allowed for item in referrer):
            continue  # the arguments of this very call
        if _is_execution_result(referrer) or (
            kind is dict
            and any(map(_is_execution_result_dict(referrer), gc.get_referrers(referrer)))
        ):
            continue  # IPython's last result, or its attribute dict once something read it
        return True
    return False


def _is_execution_result(value: object) -> bool:
    kind = type(value)
    return kind.__name__ == "ExecutionResult" and kind.__module__.startswith("IPython")


def _is_execution_result_dict(attributes: dict):
    """A test of whether an object is the ExecutionResult whose ``__dict__`` is ``attributes``:
    Python makes that dict a separate object only once something reads it, so the same
    result is seen either as itself or as its dict."""
    return lambda holder: _is_execution_result(holder) and vars(holder) is attributes


def _last_errors() -> list[BaseException]:
    """The last error (``sys.last_*``) and the errors chained to it (its cause: PyTorch's)."""
    pending = [getattr(sys, name, None) for name in ("last_exc", "last_value")]
    found: list[BaseException] = []
    while pending and len(found) < 10:
        error = pending.pop()
        if isinstance(error, BaseException) and all(error is not seen for seen in found):
            found.append(error)
            pending += [error.__cause__, error.__context__]
    return found


def _last_error_frames() -> Iterator:
    """The frames of the last error and of the errors chained to it."""
    tracebacks = [getattr(sys, "last_traceback", None)]
    tracebacks += [error.__traceback__ for error in _last_errors()]
    frames: set[int] = set()
    for tb in tracebacks:
        while tb is not None:
            if id(tb.tb_frame) not in frames:
                frames.add(id(tb.tb_frame))
                yield tb.tb_frame
            tb = tb.tb_next


def _values_in(values: list, depth: int) -> Iterator:
    """``values`` and the items of the plain tuples, lists and dicts among them."""
    for value in values[:200]:
        yield value
        if depth > 0 and type(value) in (tuple, list):
            yield from _values_in(list(value), depth - 1)
        elif depth > 0 and type(value) is dict:
            yield from _values_in(list(value.values()), depth - 1)


def named_views(
    namespace: Mapping[str, object], hidden: Mapping[str, object], base: torch.Tensor
) -> list[tuple[str, torch.Tensor]]:
    """The views of ``base`` that the notebook holds, by name."""
    return [
        (names[0], other)
        for other, names in find_tensors(namespace, hidden).tensors.values()
        if other is not base and other._base is base
    ]


def dependents(
    namespace: Mapping[str, object], hidden: Mapping[str, object], tensor: torch.Tensor
) -> tuple[list[str], list[str]]:
    """(named views of ``tensor``, named results whose autograd graph reaches it)."""
    views, results = [], []
    node = _accumulate_node(tensor)
    for other, names in find_tensors(namespace, hidden).tensors.values():
        if other is tensor:
            continue
        if other._base is tensor:
            views.append(names[0])
        elif node is not None and other.grad_fn is not None and _reaches(other.grad_fn, node):
            results.append(names[0])
    return views, results


def _accumulate_node(tensor: torch.Tensor):
    if tensor.grad_fn is not None:
        return tensor.grad_fn
    if not tensor.requires_grad:
        return None
    try:
        return torch.autograd.graph.get_gradient_edge(tensor).node
    except Exception:
        log.debug("no gradient edge", exc_info=True)
        return None


def _reaches(start, target) -> bool:
    return any(node is target for node in walk_nodes(start, GRAPH_NODES_VISITED))
