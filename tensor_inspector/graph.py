"""The autograd graph behind a tensor, as plain data: metadata only, no tensor kept.

Read from ``grad_fn.next_functions`` and the ``variable`` of each ``AccumulateGrad`` node, so it
never synchronises a GPU. Nodes are named the way the panel names tensors: an op node after
the named tensor whose ``grad_fn`` it is (``y`` on ``PowBackward0``), a leaf after its name or
module path (``t5``, ``model.0.weight``).

Also the traced backward's values: the gradient flowing into each node, read after backward.
"""

from __future__ import annotations

import functools
import math
from collections import deque
from collections.abc import Iterable, Iterator, Mapping

import torch

from tensor_inspector.sharding import is_dtensor
from tensor_inspector.stats import tensor_stats
from tensor_inspector.values import SHOWN_WHOLE, as_lists

MAX_NODES = 200
COUNT_LIMIT = 100_000  # nodes counted (not drawn) beyond the cap, to say "+N more"


def node_id(node) -> str:
    return f"n{id(node)}"


def graph_of(
    tensor: torch.Tensor,
    names: Mapping[int, str],
    results: Mapping[int, tuple[str, torch.Tensor]],
    max_nodes: int = MAX_NODES,
    expand: Iterable[str] = (),
) -> dict:
    """The backward graph from ``tensor`` down to its leaves.

    ``names`` maps ``id(tensor)`` to the panel's name of every named tensor; ``results``
    (see ``with_results``) which named tensor each op node produced. Breadth first from the
    root, at most ``max_nodes`` nodes; a node id in ``expand`` (a branch the user opened)
    has its children drawn beyond the cap.
    """
    root = tensor.grad_fn
    if root is None:  # a leaf that requires grad: its graph is itself
        leaf = _leaf_node(f"t{id(tensor)}", tensor, names)
        return {"root": leaf["id"], "nodes": [leaf], "edges": [], "truncated": 0, "cut": [],
                "freed": False}  # fmt: skip
    expanded = set(expand)
    nodes, edges, seen, cut = [], [], {id(root)}, set()
    # Each opened branch gets a budget of its own: its nodes count apart from the rest.
    queue = deque([(root, None)])
    drawn_in = {None: 1}
    inputs_seen: set[str] = set()
    while queue:
        node, branch = queue.popleft()
        nodes.append(_node(node, names, results))
        identifier = node_id(node)
        for input_node in _named_inputs(node, names):  # inputs that do not require grad
            if input_node["id"] not in inputs_seen:
                inputs_seen.add(input_node["id"])
                nodes.append(input_node)
            edges.append({"source": identifier, "target": input_node["id"]})
        if identifier in expanded and identifier not in drawn_in:
            drawn_in[identifier] = 0
        child_branch = identifier if identifier in expanded else branch
        for child, _ in node.next_functions:
            if child is None:
                continue
            if id(child) not in seen:
                if drawn_in[child_branch] >= max_nodes:
                    cut.add(identifier)
                    continue
                drawn_in[child_branch] += 1
                seen.add(id(child))
                queue.append((child, child_branch))
            edges.append({"source": identifier, "target": node_id(child)})
    return {
        "root": node_id(root),
        "nodes": nodes,
        "edges": edges,
        "truncated": _count_all(root) - len(nodes),
        "cut": sorted(cut),  # nodes with children left out: the view offers to expand them
        "freed": graph_freed(root),
    }


def with_results(names_and_tensors: Iterable[tuple[str, torch.Tensor]]) -> dict:
    """id(grad_fn) -> (name, tensor): which named tensor each op node produced."""
    found = {}
    for name, tensor in names_and_tensors:
        try:
            grad_fn = tensor.grad_fn
        except Exception:  # an odd subclass whose reads raise: it names no node
            continue
        if grad_fn is not None and id(grad_fn) not in found:
            found[id(grad_fn)] = (name, tensor)
    return found


def _node(node, names: Mapping[int, str], results: Mapping[int, tuple]) -> dict:
    variable = getattr(node, "variable", None)
    if isinstance(variable, torch.Tensor):  # AccumulateGrad: a leaf that receives .grad
        return _leaf_node(node_id(node), variable, names)
    name, tensor = results.get(id(node), (None, None))
    return {
        "id": node_id(node),
        "label": type(node).__name__,
        "kind": "op",
        "name": name,
        "receives_grad": False,
        "shape": list(tensor.shape) if tensor is not None else None,
        "device": str(tensor.device) if tensor is not None else None,
    }


def _named_inputs(node, names: Mapping[int, str]) -> list[dict]:
    """The named tensors an op saved that do not require grad (a model's input ``x``): they
    are not in ``next_functions``, but their names tell the reader what met the weights."""
    found = []
    for _, value in raw_saved(node):
        if isinstance(value, torch.Tensor) and not value.requires_grad and id(value) in names:
            leaf = _leaf_node(f"i{id(value)}", value, names)
            leaf["label"], leaf["receives_grad"] = "input", False
            found.append(leaf)
    return found


def _leaf_node(identifier: str, variable: torch.Tensor, names: Mapping[int, str]) -> dict:
    return {
        "id": identifier,
        "label": "AccumulateGrad",
        "kind": "leaf",
        "name": names.get(id(variable)),
        "receives_grad": bool(variable.requires_grad),
        "shape": list(variable.shape),
        "device": str(variable.device),
    }


def _count_all(root) -> int:
    """How many nodes the graph has (counted up to COUNT_LIMIT)."""
    return sum(1 for _ in walk_nodes(root, COUNT_LIMIT))


# PyTorch's words when a saved tensor was freed by backward() (any other error says nothing).
FREED_WORDING = "backward through the graph a second time"


def graph_freed(root, limit: int = 50) -> bool:
    """Whether backward() freed the graph below ``root`` (it ran without retain_graph), so a
    second backward() can only fail.

    Reads the raw saved tensors, which never calls a saved-tensor unpack hook (``save_on_cpu``
    would copy back to the device): a live graph holds data in at least one. A raw saved
    tensor without data is either an optional input left out (a layer norm without weight) or
    freed; only the unpacked read tells them apart, and it raises without unpacking once freed.
    Says True only when that read said so: a graph that saved no tensor is never "freed"."""
    for node in walk_nodes(root, limit):
        for name, data in raw_saved(node):
            if data is not None:
                return False
            try:
                getattr(node, "_saved_" + name)
            except RuntimeError as error:
                if FREED_WORDING in str(error):
                    return True
            except Exception:  # an odd node: it tells nothing
                continue
    return False


def raw_saved(node) -> Iterator[tuple[str, object]]:
    """Each tensor ``node`` saved for its backward, as kept: (its name, its data: the tensor,
    what a saved-tensor pack hook made of it, or None when left out or freed by backward()).
    Read raw, so no unpack hook runs (``save_on_cpu``'s copies back to the device); a saved
    tensor whose read raises is left out."""
    for attribute in _raw_saved_attributes(type(node)):
        try:
            data = getattr(node, attribute).data
        except Exception:  # an odd node: it tells nothing
            continue
        yield attribute.removeprefix("_raw_saved_"), data


@functools.cache
def _raw_saved_attributes(node_type: type) -> tuple[str, ...]:
    """The ``_raw_saved_*`` attributes of a node type: its saved tensors, still packed."""
    return tuple(name for name in dir(node_type) if name.startswith("_raw_saved_"))


# traced backward -----------------------------------------------------------------------------


def trace_hooks(graph: dict, root) -> tuple[dict, list]:
    """Prehooks on the drawn nodes that record the gradient flowing into each; returns
    (node id -> recorded gradients, handles to remove afterwards)."""
    recorded: dict[str, tuple] = {}
    handles = []
    drawn = {node["id"] for node in graph["nodes"]}
    for node in walk_nodes(root):
        identifier = node_id(node)
        if identifier not in drawn:
            continue

        def record(grad_outputs, identifier=identifier):
            recorded[identifier] = tuple(None if g is None else g.detach() for g in grad_outputs)

        handles.append(node.register_prehook(record))
    return recorded, handles


def walk_nodes(root, limit: int | None = None) -> Iterator:
    """Every node of the graph below ``root``, each once, breadth first (at most ``limit``).
    Metadata only: ``next_functions``."""
    if root is None:
        return
    queue, seen = deque([root]), {id(root)}
    while queue:
        node = queue.popleft()
        yield node
        for child, _ in node.next_functions:
            if child is not None and id(child) not in seen:
                if limit is not None and len(seen) >= limit:
                    return
                seen.add(id(child))
                queue.append(child)


def values_of(gradients: tuple) -> object:
    """The gradient flowing into a node, for display: whole when small, else a summary.
    Read once, after backward, on request."""
    present = [g for g in gradients if g is not None]
    if not present:
        return None
    grad = present[0]
    if is_dtensor(grad):  # reading it whole would gather it from every rank
        return None
    if grad.numel() <= SHOWN_WHOLE:
        return as_lists(grad.cpu())
    stats = tensor_stats(grad)  # one transfer, in float64, chunk by chunk
    # Over every value, not the finite ones alone: an inf or a nan is what the reader seeks.
    nan, posinf, neginf = stats["nan"], stats["posinf"], stats["neginf"]
    low = -math.inf if neginf else _first(stats["min"], math.inf if posinf else math.nan)
    high = math.inf if posinf else _first(stats["max"], -math.inf if neginf else math.nan)
    if nan or (posinf and neginf):
        mean = math.nan
    else:
        mean = math.inf if posinf else (-math.inf if neginf else stats["mean"])
    return {"shape": list(grad.shape), "min": low, "max": high, "mean": mean}


def _first(value, otherwise):
    return otherwise if value is None else value
