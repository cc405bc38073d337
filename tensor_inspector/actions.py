"""What the panel's buttons do: move, backward, zero grad. Validate first, then act.

Each action either completes or raises ActionError having changed nothing. Messages name the
user's variable and say what to do next.
"""

from __future__ import annotations

import gc
import logging
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import torch

from tensor_inspector import devices, read_values
from tensor_inspector.describe import readable_grad
from tensor_inspector.errors import ActionError, cut
from tensor_inspector.gradient import Fill, GradientSyntaxError, TensorName, Values, parse_gradient
from tensor_inspector.graph import (
    FREED_WORDING,
    MAX_NODES,
    graph_of,
    trace_hooks,
    values_of,
    walk_nodes,
    with_results,
)
from tensor_inspector.holders import (
    dependents,
    held_by_last_error,
    last_error_kept_elsewhere,
    lookup,
    named_views,
    optimizer_state,
    optimizers_holding,
    why_not_swappable,
)
from tensor_inspector.sharding import label_shard, local_shard, move_refusal, shard_with_grad
from tensor_inspector.stats import module_stats, read_with
from tensor_inspector.tracking import find_tensors, is_user_name
from tensor_inspector.values import cut_error, no_values, unreadable
from tensor_inspector.walk import module_slots

log = logging.getLogger("tensor_inspector")


@dataclass
class Outcome:
    """What an action did, in words for the panel and in data for code."""

    message: str
    names: list[str] = field(default_factory=list)
    accumulated: list[str] = field(default_factory=list)
    trace: dict | None = None  # backward(trace=True): the graph, with the gradient into each node


class Namespace:
    """The notebook's namespace as actions see it: lookups by the names the panel shows."""

    def __init__(self, values: dict, hidden: Mapping[str, object]) -> None:
        self.values = values
        self.hidden = hidden

    def get(self, name: str) -> torch.Tensor | torch.nn.Module:
        if not isinstance(name, str) or not name:
            raise ActionError("No tensor name was given.")
        found = lookup(self.values, self.hidden, name)
        if found is None and name in self.values:  # opt, In, Out: never tensors
            kind = type(self.values[name]).__name__
            raise ActionError(
                f"{cut(name, 80)} is a {kind}, not a tensor: the panel acts on tensors and modules."
            )
        if found is None:
            raise ActionError(
                f"There is no tensor named {cut(name, 80)} any more: it was deleted or "
                "renamed. The panel shows what exists now."
            )
        return found

    def tensor(self, name: str) -> torch.Tensor:
        found = self.get(name)
        if not isinstance(found, torch.Tensor):
            raise ActionError(f"{name} is a module, not a tensor.")
        return found

    def leaves_requiring_grad(self) -> dict[str, torch.Tensor]:
        leaves = {}
        for tensor, names in find_tensors(self.values, self.hidden).tensors.values():
            try:
                if tensor.is_leaf and tensor.requires_grad:
                    leaves[names[0]] = tensor
            except Exception:  # an odd subclass whose reads raise: left alone, not in the way
                log.debug("%s skipped", names[0], exc_info=True)
        return leaves


# move ---------------------------------------------------------------------------------------


def choose_target(device: str | None) -> torch.device:
    available = devices.available_devices()
    if device is not None and (not isinstance(device, str) or not device.strip()):
        raise ActionError(
            f"{cut(repr(device))} is not a device name: use one of {', '.join(available)}."
        )
    if device is None:
        default = devices.default_target()
        if default is None:
            raise ActionError(
                "This kernel has no accelerator, so there is nowhere to move to: "
                f"the devices that exist are {', '.join(available)}."
            )
        device = default
    try:
        target = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise ActionError(cut(f"{cut(repr(device), 60)} is not a device: {error}")) from None
    if target.type != "cpu" and target.index is None:
        # A bare "cuda" is the current device, as PyTorch reads it.
        target = torch.device(target.type, devices.current_index())
    if str(target) not in available:
        raise ActionError(
            f"There is no device {target} in this kernel: the devices that exist are "
            f"{', '.join(available)}."
        )
    return target


def _moved_copy(tensor: torch.Tensor, target: torch.device) -> torch.Tensor:
    """The same leaf on ``target``: detached, so it is a leaf again, with its grad and flags."""
    moved = tensor.detach().to(target)
    if isinstance(tensor, torch.nn.Parameter):
        moved = torch.nn.Parameter(moved, requires_grad=tensor.requires_grad)
    elif tensor.requires_grad:
        moved.requires_grad_(True)
    grad = tensor.grad if tensor.is_leaf else None
    if grad is not None:
        moved.grad = grad.detach().to(target)
    return moved


def move(namespace: Namespace, name: str, device: str | None = None) -> Outcome:
    """Move a tensor, or every tensor of a module, all or nothing. Each moved tensor keeps its
    identity (``torch.utils.swap_tensors``), so every holder sees the move: names,
    attributes, containers at any depth, modules, and optimizers wherever they live."""
    found = namespace.get(name)
    target = choose_target(device)
    refusal = move_refusal(name, found)  # a DTensor's shards stay with their mesh
    if refusal is not None:
        raise ActionError(refusal)
    if isinstance(found, torch.nn.Module):
        tensors = [value for *_, value in module_slots(found) if value.device != target]
    else:
        if found._is_view():
            raise ActionError(
                f"{name} is a view into another tensor's memory; moving it alone would break "
                "the link. Move the tensor it was sliced from, then slice again."
            )
        tensors = [found] if found.device != target else []
        views = named_views(namespace.values, namespace.hidden, found) if tensors else []
        if views:
            # A view shares its base's memory: moving the base alone would leave the view
            # behind with stale values, and PyTorch cannot swap a tensor that has views.
            view_names = ", ".join(view_name for view_name, _ in views[:5])
            raise ActionError(
                f"{name} was not moved, and nothing changed: {view_names} "
                f"{'is a view' if len(views) == 1 else 'are views'} of it (sharing its memory) "
                f"and would stay behind. Delete {view_names}, or move {name} in code and slice "
                "again."
            )
    if not tensors:
        return Outcome(f"{name} is already on {target}.", [name])
    _refuse_unreadable(name, tensors, "moved")
    _refuse_unless_swappable(namespace, name, tensors)
    sources = sorted({str(tensor.device) for tensor in tensors})
    left_graph = any(tensor.grad_fn is not None for tensor in tensors)
    moved = [_moved_copy(tensor, target) for tensor in tensors]  # may fail: nothing changed yet
    state_moves = [
        (state, key, value.to(target))
        for optimizer in optimizers_holding(tensors)
        for tensor in tensors
        for state, key, value in optimizer_state(optimizer, tensor)
    ]
    _swap_all(name, tensors, moved)
    for state, key, value in state_moves:
        state[key] = value
    note = " It left the autograd graph: it is now a leaf." if left_graph else ""
    count = f" ({len(tensors)} tensors)" if isinstance(found, torch.nn.Module) else ""
    return Outcome(f"Moved {name}{count} from {', '.join(sources)} to {target}.{note}", [name])


def _refuse_unreadable(name: str, tensors, done: str) -> None:
    """Refuse before any value is read from a freed storage: that read kills the kernel."""
    for tensor in tensors:
        reason = unreadable(tensor)
        if reason is not None:
            which = "" if tensor is tensors[0] else "a tensor it needs: "
            raise ActionError(f"{name} was not {done}, and nothing changed: {which}{reason}.")


def _refuse_unless_swappable(namespace: Namespace, name: str, tensors) -> None:
    for tensor in tensors:
        reason = why_not_swappable(tensor)
        if reason is None:
            continue
        views, results = dependents(namespace.values, namespace.hidden, tensor)
        held = [f"{view} (a view of it: del {view})" for view in views]
        held += [
            f"{result} (its autograd graph: run {result}.backward() or del {result})"
            for result in results
        ]
        holders = f" It is held by {'; '.join(held)}." if held else ""
        raise ActionError(
            f"{name} was not moved, and nothing changed: {reason}, so moving it would leave "
            f"a copy behind on {tensor.device}.{holders} Then move it again."
        )


def _swap_all(name: str, tensors, moved) -> None:
    swapped = []
    try:
        for old, new in zip(tensors, moved, strict=True):
            torch.utils.swap_tensors(old, new)
            swapped.append((old, new))
    except Exception as error:
        log.debug("swap failed; swapped back", exc_info=True)
        for old, new in reversed(swapped):  # a swap is its own inverse
            torch.utils.swap_tensors(old, new)
        raise ActionError(f"{name} was not moved, and nothing changed: {error}") from None


def apply_fix(
    namespace: Namespace,
    name: str,
    device: str | None = None,
    release_last_error: Callable[[], object] | None = None,
) -> Outcome:
    """What the guard's fix says, done: ``name = name.to(device)`` for a tensor bound to a
    name (it stays a leaf, with its grad), or a module moved whole. Other names for the old
    tensor keep it, as they would after the line in code. A module whose move the failed
    cell's traceback blocks is moved after ``release_last_error()`` drops that traceback."""
    target = choose_target(device)
    value = namespace.values.get(name) if is_user_name(name, namespace.hidden) else None
    if isinstance(value, torch.nn.Module):
        try:
            return move(namespace, name, device)
        except ActionError:
            if not _release_error_holding(namespace, value, target, release_last_error):
                raise
        try:
            outcome = move(namespace, name, device)
        except ActionError as error:
            raise ActionError(
                f"{error} (The failed cell's traceback, which held some of them, was released.)"
            ) from None
        outcome.message += (
            " The failed cell's traceback held its tensors (the forward that failed), so it "
            "was released first, as release last error does."
        )
        return outcome
    if not isinstance(value, torch.Tensor):
        raise ActionError(
            f"{cut(str(name), 80)} is not a tensor bound to a name, so there is no line "
            "to run: move it from its row instead."
        )
    if value.device == target:
        return Outcome(f"{name} is already on {target}.", [name])
    refusal = move_refusal(name, value)
    if refusal is not None:
        raise ActionError(refusal)
    found = find_tensors(namespace.values, namespace.hidden).tensors.get(id(value))
    others = [other for other in (found[1] if found else []) if other != name]
    others += [view for view, _ in named_views(namespace.values, namespace.hidden, value)]
    source = value.device
    _refuse_unreadable(name, [value], "moved")
    namespace.values[name] = _moved_copy(value, target)
    kept = (
        f" {', '.join(others)} still hold{'s' if len(others) == 1 else ''} the tensor on {source}."
        if others
        else ""
    )
    return Outcome(f'Ran {name} = {name}.to("{target}"): {name} is on {target} now.{kept}', [name])


def _release_error_holding(
    namespace: Namespace, module: torch.nn.Module, target: torch.device, release
) -> bool:
    """Release the last error when it is what blocks moving ``module``, and say whether it did.
    The flag's fix follows a failed forward, whose frames keep views of the parameters
    (``weight.t()`` in ``F.linear``) and the graph built so far: no parameter can be swapped
    while they live. Pressing the fix means that error is done with. A weak reference, a
    named view or a named result would block the move still, and an error the notebook
    keeps (``kept = sys.last_value``) keeps its frames: then nothing is released, and the
    move's own refusal names what it can."""
    if release is None:
        return False
    tensors = [value for *_, value in module_slots(module) if value.device != target]
    blocked = [tensor for tensor in tensors if why_not_swappable(tensor) is not None]
    if not blocked or any(weakref.getweakrefs(tensor) for tensor in blocked):
        return False
    if any(any(dependents(namespace.values, namespace.hidden, t)) for t in blocked):
        return False
    if not held_by_last_error(blocked) or last_error_kept_elsewhere():
        return False
    release()
    # A collected view's Python object can be kept one more round by the C++ tensor it
    # wraps: collect until nothing more is freed.
    for _ in range(3):
        if not gc.collect():
            break
    return True


# backward -----------------------------------------------------------------------------------


def gradient_for(namespace: Namespace, output: torch.Tensor, name: str, gradient) -> torch.Tensor:
    """The gradient tensor for ``output``, from the prompt's text or a tensor; validated."""
    if isinstance(gradient, str):
        # The longest text the output can need: each number at most 32 characters with its
        # separator and brackets. Longer text is refused before it is parsed.
        max_length = 64 + 32 * output.numel()
        try:
            spec = parse_gradient(gradient, max_length)
        except GradientSyntaxError as error:
            raise ActionError(str(error)) from None
        if isinstance(spec, (Fill, Values)):
            _refuse_beyond_dtype(
                spec.value if isinstance(spec, Fill) else spec.values, output, name
            )
        if isinstance(spec, Fill):
            return torch.full_like(output, spec.value, memory_format=torch.contiguous_format)
        if isinstance(spec, Values):
            try:
                gradient = torch.tensor(spec.values, dtype=output.dtype)
            except (ValueError, TypeError, RuntimeError) as error:
                raise ActionError(
                    f"The gradient {spec.values} is not a rectangular list of numbers: {error}"
                ) from None
        elif isinstance(spec, TensorName):
            gradient = namespace.tensor(spec.name)
    if not isinstance(gradient, torch.Tensor):
        raise ActionError(f"The gradient must be text or a tensor, not {type(gradient).__name__}.")
    if list(gradient.shape) != list(output.shape):
        raise ActionError(
            f"The gradient has shape {list(gradient.shape)} but {name} has shape "
            f"{list(output.shape)}: they must match."
        )
    if not (gradient.dtype.is_floating_point or gradient.dtype.is_complex):
        raise ActionError(
            f"The gradient's dtype is {gradient.dtype}, an integer type: gradients are floating "
            f"point. Write numbers with a decimal point, or use {name}'s dtype {output.dtype}."
        )
    if gradient.device.type == "cpu" and gradient.dtype != output.dtype:
        # A named tensor in a wider dtype: on the CPU its values are read for free.
        narrowed = gradient.detach().to(output.dtype)
        overflowed = torch.isinf(narrowed) & torch.isfinite(gradient.detach())
        if bool(overflowed.any()):
            raise ActionError(
                f"The gradient holds values beyond what {output.dtype} can hold: they would "
                f"become inf. Use smaller numbers, or compute {name} in a wider dtype."
            )
    if gradient.device != output.device:
        if gradient.device.type != "cpu":
            raise ActionError(
                f"The gradient is on {gradient.device} but {name} is on {output.device}: "
                "move one of them first."
            )
        gradient = gradient.to(output.device)
    return gradient.to(output.dtype)


def _refuse_beyond_dtype(values, output: torch.Tensor, name: str) -> None:
    """A number beyond the largest of ``output``'s dtype would become inf in the gradient
    (1e39 in float32, 70000 in float16): refuse it rather than let inf pass for finite."""
    dtype = output.dtype
    if not (dtype.is_floating_point or dtype.is_complex):
        return
    largest = torch.finfo(dtype).max
    stack = [values]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif abs(value) > largest:
            raise ActionError(
                f"The gradient holds {value:g}, more than {dtype} can hold (at most "
                f"{largest:g} in size): it would become inf. Use smaller numbers, or compute "
                f"{name} in a wider dtype."
            )


def backward(
    namespace: Namespace, name: str, gradient=None, retain_graph: bool = False, trace: bool = False
) -> Outcome:
    """``backward()`` from ``name``, all or nothing: on failure every leaf of the graph gets
    its grad back (the same object, the same values, None where it was None). With ``trace``,
    the gradient flowing into each node of the graph is recorded (the chain rule as numbers)."""
    if type(retain_graph) is not bool:
        raise ActionError(f"retain_graph must be true or false, not {cut(repr(retain_graph))}.")
    if type(trace) is not bool:
        raise ActionError(f"trace must be true or false, not {cut(repr(trace))}.")
    output = namespace.tensor(name)
    if not output.requires_grad:
        raise ActionError(
            f"{name} does not require grad, so there is nothing to differentiate: build it from "
            "a tensor created with requires_grad=True."
        )
    if output.grad_fn is None:
        raise ActionError(
            f"{name} is a leaf (it has no grad_fn): backward() starts from a result computed "
            "from it, such as y = (t**2).sum()."
        )
    if gradient is None and output.numel() != 1:
        raise ActionError(
            f"{name} has {output.numel()} elements (shape {list(output.shape)}): backward() "
            "needs a gradient of the same shape, such as ones."
        )
    _refuse_unreadable(name, [output, *graph_leaves(output)], "differentiated")
    grad_tensor = None if gradient is None else gradient_for(namespace, output, name, gradient)
    named = namespace.leaves_requiring_grad()
    before = {leaf_name: _grad_mark(leaf) for leaf_name, leaf in named.items()}
    saved = [(leaf, leaf.grad, _copy(leaf.grad)) for leaf in graph_leaves(output)]
    traced, recorded, handles = None, {}, []
    if trace:
        traced = graph(namespace, name)
        recorded, handles = trace_hooks(traced, output.grad_fn)
    try:
        output.backward(grad_tensor, retain_graph=retain_graph)
    except Exception as error:  # RuntimeError from autograd, or whatever a hook raised
        log.debug("backward failed; grads restored", exc_info=True)
        _restore_grads(saved)
        raise ActionError(_explain_backward_error(name, error)) from None
    except BaseException:  # KeyboardInterrupt: still no partial grads
        _restore_grads(saved)
        raise
    finally:
        for handle in handles:
            handle.remove()
    if traced is not None:
        for node in traced["nodes"]:
            node["grad"] = values_of(recorded.get(node["id"], ()))
        traced["freed"] = not retain_graph
    changed = [n for n, leaf in named.items() if _grad_mark(leaf) != before[n]]
    # backward() has synchronised the device already: small grads there show their values.
    read_values.remember(named[n].grad for n in changed)
    accumulated = [n for n in changed if before[n] is not None]
    message = f"backward() from {name} filled the grads of {', '.join(changed) or 'no tensor'}."
    if accumulated:
        message += (
            f" {', '.join(accumulated)} already had a grad: gradients accumulate (they add up), "
            "so use zero grad before the next backward() if you want fresh ones."
        )
    return Outcome(message, changed, accumulated, traced)


def graph(
    namespace: Namespace, name: str, max_nodes: int = MAX_NODES, expand: Sequence[str] = ()
) -> dict:
    """The autograd graph behind ``name``, as plain data (see graph.py)."""
    if type(max_nodes) is not int or not 1 <= max_nodes <= 10_000:
        raise ActionError(
            f"max_nodes must be a whole number from 1 to 10000, not {cut(repr(max_nodes))}."
        )
    if not isinstance(expand, (list, tuple)) or not all(isinstance(e, str) for e in expand):
        raise ActionError("expand must be a list of node ids.")
    tensor = namespace.tensor(name)
    if tensor.grad_fn is None and not tensor.requires_grad:
        raise ActionError(
            f"{name} has no autograd graph: it does not require grad, and it was not computed "
            "from a tensor that does. Create its inputs with requires_grad=True."
        )
    found = find_tensors(namespace.values, namespace.hidden).tensors.values()
    names = {id(tensor): paths[0] for tensor, paths in found}
    results = with_results((paths[0], tensor) for tensor, paths in found)
    return graph_of(tensor, names, results, max_nodes, expand)


def stats(namespace: Namespace, name: str) -> dict:
    """Statistics of a tensor's values, or of each parameter of a module with its grad's
    norm (see stats.py). Reads values: on request only, one transfer per tensor."""
    found = namespace.get(name)
    if isinstance(found, torch.nn.Module):
        slots = module_slots(found, name)
        parameters = [(path, value) for path, _, _, kind, value in slots if kind == "parameter"]
        # A DTensor parameter's statistics are its local shard's: the global ones would
        # need a collective.
        computed = module_stats((path, shard_with_grad(value)) for path, value in parameters)
        for path, value in parameters:
            label_shard(computed["parameters"].get(path), value)
        return computed
    local = local_shard(found)
    reason = no_values(local)
    if reason is not None:
        raise ActionError(cut(f"No statistics for {name}: {reason}."))
    try:
        # Values asked for: a small accelerator tensor and its grad show theirs in the
        # table too, read in the same transfer as the statistics.
        shown = read_values.to_read((local, readable_grad(local)), local.device)
        computed, values = read_with(local, shown)
    except Exception as error:  # an odd subclass or dtype: its words, cut short
        log.debug("stats of %s failed", name, exc_info=True)
        raise ActionError(cut(f"No statistics for {name}: {cut_error(error)}")) from None
    for tensor, read in zip(shown, values, strict=True):
        read_values.keep(tensor, read)
    return label_shard(computed, found)


def graph_leaves(output: torch.Tensor) -> list[torch.Tensor]:
    """The leaves a backward from ``output`` can write to: the ``variable`` of each
    AccumulateGrad node of its graph (metadata only)."""
    variables = (getattr(node, "variable", None) for node in walk_nodes(output.grad_fn))
    return [variable for variable in variables if isinstance(variable, torch.Tensor)]


def _copy(grad: torch.Tensor | None) -> torch.Tensor | None:
    return None if grad is None else grad.detach().clone()


def _restore_grads(saved) -> None:
    with torch.no_grad():
        for leaf, grad, values in saved:
            if grad is not None:
                grad.copy_(values)  # an in-place accumulation is undone in the same object
            leaf.grad = grad


def _grad_mark(leaf: torch.Tensor) -> tuple[int, int] | None:
    """Which grad object a leaf holds, and its version: changed by a new grad or an in-place
    accumulation, read without touching the values (no device sync)."""
    grad = leaf.grad
    return None if grad is None else (id(grad), grad._version)


def _explain_backward_error(name: str, error: BaseException) -> str:
    text = str(error)
    if not isinstance(error, RuntimeError):
        first = text.splitlines()[0] if text else ""
        return cut(
            f"backward() from {name} failed, and every grad is as it was: "
            f"{type(error).__name__}: {first}"
        )
    if FREED_WORDING in text:
        return (
            f"The graph behind {name} was freed by an earlier backward(). Re-run the cell that "
            f"computes {name}, or tick retain_graph when you call backward() the first time."
        )
    if "does not require grad" in text:
        return f"{name} does not depend on any tensor that requires grad."
    if "Mismatch in shape" in text:
        return f"The gradient's shape does not match {name}: {text.splitlines()[0]}"
    if "only for scalar outputs" in text:
        return f"{name} is not a scalar: give a gradient of its shape, such as ones."
    first = text.splitlines()[0] if text else type(error).__name__
    return cut(f"backward() from {name} failed, and every grad is as it was: {first}")


# zero grad ----------------------------------------------------------------------------------


def zero_grad(namespace: Namespace, name: str | None = None) -> Outcome:
    if name is None:
        leaves = namespace.leaves_requiring_grad()
        cleared = [n for n, leaf in leaves.items() if leaf.grad is not None]
        for leaf_name in cleared:
            leaves[leaf_name].grad = None
        return Outcome(f"Cleared the grads of {', '.join(cleared) or 'no tensor'}.", cleared)
    found = namespace.get(name)
    if isinstance(found, torch.nn.Module):
        found.zero_grad(set_to_none=True)
        return Outcome(f"Cleared the grads of every parameter of {name}.", [name])
    if not found.is_leaf:
        raise ActionError(
            f"{name} is not a leaf (it has grad_fn {type(found.grad_fn).__name__}), so it keeps "
            "no grad. Clear the grads of the tensors it was computed from."
        )
    found.grad = None
    return Outcome(f"Set {name}.grad = None.", [name])
