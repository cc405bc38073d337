"""Memory held without a name: tensors alive in the kernel that no name of the user's reaches,
and what keeps each one alive, in words. On request only: it asks the garbage collector.

Three kinds of holders matter in a notebook:
- IPython's output history (``Out[7]``, ``_``) keeps every displayed result;
- a failed cell's traceback keeps its frames' locals (``sys.last_*``, the last result);
- an autograd graph keeps the tensors its backward needs (``losses = [loss, ...]``).
"""

from __future__ import annotations

import gc
import logging
import sys
import types
from collections.abc import Iterable, Mapping

import torch

from tensor_inspector.errors import ActionError, cut
from tensor_inspector.graph import raw_saved, walk_nodes
from tensor_inspector.sharding import is_dtensor, local_shard

RELEASABLE = ("output history", "last error")
EXAMINED = 50  # storages whose holders are looked up, largest first
log = logging.getLogger("tensor_inspector")
GRAPH_NODES = 20_000  # nodes visited per named graph


def storage_key(tensor: torch.Tensor) -> tuple:
    """Tensors sharing memory share this: their storage's device and address."""
    try:
        return (str(tensor.device), tensor.untyped_storage().data_ptr())
    except Exception:
        try:
            return (str(tensor.device), id(tensor))
        except Exception:  # a subclass whose every read raises: itself alone
            return ("?", id(tensor))


def unnamed(shell, named: Iterable[tuple[str, torch.Tensor]]) -> list[dict]:
    """Tensors that no name reaches, each storage once, largest first: plain data."""
    named = list(named)
    named_storages = {storage_key(tensor) for _, tensor in named}
    for _, tensor in named:  # its grad, and a tensor subclass's inner tensors, are part of it
        try:
            grad = tensor.grad if tensor.is_leaf else None
        except Exception:  # an odd subclass whose reads raise
            grad = None
        for part in [
            *_inner_tensors(tensor),
            *([grad, *_inner_tensors(grad)] if grad is not None else []),
        ]:
            named_storages.add(storage_key(part))
    gc.collect()  # garbage waiting in reference cycles is not held by anything
    entries: dict[tuple, dict] = {}
    candidates: dict[int, torch.Tensor] = {}
    objects = gc.get_objects()
    for obj in objects:
        if issubclass(type(obj), torch.Tensor):
            key = storage_key(obj)
            if key not in named_storages:
                if key not in entries:
                    entries[key] = _entry(obj)
                candidates[id(obj)] = obj
    for key in [key for key, entry in entries.items() if entry is None]:
        del entries[key]  # an odd tensor (nested, meta...) that could not be described
    # gc.get_referrers compares every object of the heap with each target: ask about the
    # largest storages only, which are the ones worth freeing.
    largest = sorted(
        candidates.values(), key=lambda t: -(entries.get(storage_key(t)) or {}).get("nbytes", 0)
    )
    asked = {id(tensor): tensor for tensor in largest[:EXAMINED]}
    holders = _describe_holders(shell, candidates, asked, ignore={id(objects), id(largest)})
    for key_id, tensor in candidates.items():
        entry = entries.get(storage_key(tensor))
        if entry is not None:
            entry["held_by"] += holders.get(key_id, [])
    del objects, candidates
    for name, tensor in named:
        for saved in _saved_tensors(tensor):
            key = storage_key(saved)
            if key in named_storages:
                continue
            entry = entries.get(key) or _entry(saved)
            if entry is not None:
                entries[key] = entry
                entry["held_by"].append(f"graph of {name}")
    for entry in entries.values():
        entry["held_by"] = sorted(set(entry["held_by"])) or ["unknown"]
    return sorted(entries.values(), key=lambda entry: entry["nbytes"], reverse=True)


def _describe_holders(
    shell, candidates: dict[int, torch.Tensor], asked: dict[int, torch.Tensor], ignore: set[int]
) -> dict:
    """id(tensor) -> what holds it, in words: the output history for every candidate, the
    referrers (one scan of the heap) for those ``asked`` about."""
    history = _output_history(shell)
    error_frames = _error_frames()
    optimizer_states = _optimizer_states(shell)
    out = shell.user_ns.get("Out")
    ignore = ignore | {id(candidates), id(asked), id(shell.user_ns), id(out), id(sys._getframe())}
    ignore.add(id(shell.user_ns_hidden))  # IPython's copy of _, __ and ___: the output history
    held: dict[int, list[str]] = {key: [history[key]] for key in candidates if key in history}
    for frame in error_frames.values():  # the last error's frames, read directly
        if frame.f_globals is shell.user_ns and frame.f_code.co_name == "<module>":
            continue  # the cell's own frame: its "locals" are the notebook's names
        frame_locals = frame.f_locals
        ignore.add(id(frame_locals))  # the frame's own snapshot of its locals: said here
        for local, value in list(frame_locals.items()):
            if id(value) in candidates:
                held.setdefault(id(value), []).append(
                    f"{local}, a local of {frame.f_code.co_name}() kept by the last error"
                )
    if not asked:
        return held
    found = []  # (id of an asked tensor, what refers to it)
    for referrer in gc.get_referrers(*asked.values()):
        if id(referrer) in ignore:
            continue
        if isinstance(referrer, types.FrameType):
            continue  # the last error's frames are read above; others are running frames
        found += [
            (id(value), referrer) for value in gc.get_referents(referrer) if id(value) in asked
        ]
    owners = _owners_of([referrer for _, referrer in found if type(referrer) is dict])
    for key, referrer in found:
        held.setdefault(key, []).append(
            _holder_text(referrer, optimizer_states, shell.user_ns, owners)
        )
    return held


# IPython's own objects that keep outputs, in words ("release output history" frees them).
IPYTHON_HOLDERS = {
    "DisplayHook": "IPython's output history",
    "ExecutionResult": "the result of the last cell",
}


def _holder_text(referrer, optimizer_states, namespace: dict, owners: dict[int, object]) -> str:
    """What holds a tensor, in words a learner reads: whose optimizer state, or which
    container, by the name that reaches it ("a dict held by obj.cache")."""
    if id(referrer) in optimizer_states:
        return f"optimizer state of {optimizer_states[id(referrer)]}"
    kind = type(referrer).__name__
    if kind in IPYTHON_HOLDERS and type(referrer).__module__.startswith("IPython."):
        return IPYTHON_HOLDERS[kind]
    if type(referrer) is dict and referrer and all(type(key) is int for key in referrer):
        return IPYTHON_HOLDERS["DisplayHook"]  # a copy of Out, by cell number
    path = _path_to(referrer, namespace)
    if path is None and kind == "dict":
        owner = owners.get(id(referrer))  # the object whose attributes these are, if any
        if owner is not None and type(owner).__module__.startswith(("IPython.", "ipykernel.")):
            return IPYTHON_HOLDERS.get(type(owner).__name__, IPYTHON_HOLDERS["DisplayHook"])
    if path is None:
        return f"a {kind} no name holds directly"
    if kind == "dict" and path.endswith(".__dict__"):
        return f"an attribute of {path.removesuffix('.__dict__')}"
    return f"a {kind} held by {path}"


def _path_to(container, namespace: dict) -> str | None:
    """The user's name for ``container``, one attribute or item deep: ``cache``,
    ``obj.cache``, ``obj.__dict__``, ``d['k']``. Reads plain attributes only, never a property."""
    for name, value in list(namespace.items()):
        if name.startswith("_"):
            continue
        if value is container:
            return name
        attributes = getattr(type(value), "__dictoffset__", 0) and _instance_dict(value)
        if attributes is container:
            return f"{name}.__dict__"
        if type(value) is dict:
            for key, item in list(value.items())[:100]:
                if item is container:
                    return f"{name}[{key!r}]"
        for attribute, item in list((attributes or {}).items())[:100]:
            if item is container:
                return f"{name}.{attribute}"
    return None


def _owners_of(dicts: list[dict]) -> dict[int, object]:
    """id(dict) -> the object whose ``__dict__`` it is, for each of ``dicts`` that is one.
    One scan of the heap for them all: gc.get_referrers compares every object with each."""
    if not dicts:
        return {}
    wanted = {id(attributes) for attributes in dicts}
    owners = {}
    for owner in gc.get_referrers(*dicts):
        attributes = _instance_dict(owner)
        if attributes is not None and id(attributes) in wanted:
            owners[id(attributes)] = owner
    return owners


def _instance_dict(value) -> dict | None:
    try:
        attributes = object.__getattribute__(value, "__dict__")
    except Exception:  # no __dict__, or an odd object
        return None
    return attributes if type(attributes) is dict else None


def _optimizer_states(shell) -> dict[int, str]:
    """id(per-parameter state dict) -> the name of the optimizer that keeps it."""
    found = {}
    for name, value in list(shell.user_ns.items()):
        if isinstance(value, torch.optim.Optimizer):
            for state in value.state.values():
                found[id(state)] = name
    return found


def totals(entries: Iterable[dict]) -> dict[str, int]:
    """Bytes held without a name, per device."""
    per_device: dict[str, int] = {}
    for entry in entries:
        per_device[entry["device"]] = per_device.get(entry["device"], 0) + entry["nbytes"]
    return per_device


def release(shell, kind: str) -> str:
    """Drop what IPython and sys keep: "output history" or "last error"."""
    if kind == "output history":
        return _release_output_history(shell)
    if kind == "last error":
        return _release_last_error(shell)
    raise ActionError(
        f"release takes {' or '.join(repr(k) for k in RELEASABLE)}, not {cut(repr(kind), 60)}."
    )


def _release_output_history(shell) -> str:
    """Out, _oh, _N, the displayhook's _, __, ___ and the last result, each dropped; a _ the
    user bound (``_, idx = torch.max(x, 1)``) is theirs and stays."""
    hook = shell.displayhook
    unders = ("_", "__", "___")
    own = [n for n in unders if n in shell.user_ns and shell.user_ns[n] is not getattr(hook, n, "")]
    kept = {name: shell.user_ns[name] for name in own}
    if getattr(hook, "do_full_cache", False):
        hook.flush()  # clears Out, _oh, _N and the displayhook's _, __, ___
    else:  # cache_size=0: IPython keeps no numbered history, and flush() would refuse
        hook._, hook.__, hook.___ = "", "", ""
        out = shell.user_ns.get("_oh")
        if isinstance(out, dict):
            out.clear()
        for name in unders:
            if name in shell.user_ns:
                shell.user_ns[name] = ""
    for name in unders:
        if name in shell.user_ns_hidden:
            shell.user_ns_hidden[name] = ""
    shell.user_ns.update(kept)
    last = getattr(shell, "last_execution_result", None)
    if last is not None and getattr(last, "result", None) is not None:
        last.result = None  # it holds the last displayed output too
    gc.collect()
    text = "Released the output history: Out, _oh, every _N and the last result"
    if kept:
        names = ", ".join(kept)
        return f"{text}. Kept {names}: you assigned {'it' if len(kept) == 1 else 'them'}."
    return f"{text}, and _, __, ___."


def _release_last_error(shell) -> str:
    """The failed cell's traceback and frames, wherever IPython and sys keep them."""
    held = [
        name for name in ("last_value", "last_traceback", "last_exc") if getattr(sys, name, None)
    ]
    formatters = _traceback_formatters(shell)
    held += [
        attribute
        for formatter in formatters
        for attribute in ("tb", "_tb")
        if getattr(formatter, attribute, None) is not None
    ]
    debuggers = [f for f in formatters if getattr(f, "pdb", None) is not None]
    last = getattr(shell, "last_execution_result", None)
    failed = last is not None and last.error_in_exec is not None
    if not held and not failed and not debuggers:
        return "No cell has failed since the last release: there is no error to release."
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            setattr(sys, name, None)
    if failed:
        shell.last_execution_result = None
    for formatter in formatters:
        for attribute in ("tb", "_tb"):
            if getattr(formatter, attribute, None) is not None:
                setattr(formatter, attribute, None)
    for formatter in debuggers:
        formatter.pdb = None  # %debug's debugger keeps the frames it walked
    gc.collect()
    text = "Released the last error: its traceback and every frame it kept"
    if debuggers:
        return f"{text}, and the debugger (%debug) that still held them."
    return f"{text}."


def _entry(tensor: torch.Tensor) -> dict | None:
    """Plain data about one unnamed tensor; None for one that cannot be read (nested, a
    subclass whose attributes raise)."""
    try:
        try:
            nbytes = tensor.untyped_storage().nbytes()
        except Exception:
            nbytes = tensor.numel() * tensor.element_size()
        try:
            shape = list(tensor.shape)
        except Exception:  # nested tensors have no single shape
            shape = None
        return {
            "shape": shape,
            "dtype": str(tensor.dtype),
            "device": str(tensor.device),
            "nbytes": int(nbytes),
            "held_by": [],
        }
    except Exception:
        log.debug("an unnamed tensor could not be described", exc_info=True)
        return None


def _output_history(shell) -> Mapping[int, str]:
    """id(value) -> how IPython's output history names it."""
    names: dict[int, list[str]] = {}
    out = shell.user_ns.get("Out")
    if isinstance(out, dict):
        for number, value in list(out.items()):
            names.setdefault(id(value), []).append(f"Out[{number}]")
    for name in ("_", "__", "___"):
        value = shell.user_ns.get(name)
        # By type and identity: == on an array or a tensor compares element by element.
        if value is not None and not (type(value) is str and value == ""):
            names.setdefault(id(value), []).append(name)
    return {key: _history_text(value) for key, value in names.items()}


def _history_text(names: list[str]) -> str:
    """ "the output of cell 11 (Out[11], _)": IPython's names, after what they mean."""
    cells = [name[4:-1] for name in names if name.startswith("Out[")]
    if len(cells) == 1:
        meaning = f"the output of cell {cells[0]}"
    elif cells:
        meaning = f"the outputs of cells {', '.join(cells)}"
    else:
        meaning = "the last outputs"
    return f"{meaning} ({', '.join(names)})"


def _error_frames() -> dict[int, types.FrameType]:
    tb = getattr(sys, "last_traceback", None)
    value = getattr(sys, "last_value", None) or getattr(sys, "last_exc", None)
    if tb is None and value is not None:
        tb = value.__traceback__
    frames = {}
    while tb is not None:
        frames[id(tb.tb_frame)] = tb.tb_frame
        tb = tb.tb_next
    return frames


def _inner_tensors(tensor: torch.Tensor) -> list[torch.Tensor]:
    if type(tensor) in (torch.Tensor, torch.nn.Parameter):
        return []
    attributes = getattr(tensor, "__dict__", None)
    found = [] if not isinstance(attributes, dict) else list(attributes.values())
    if is_dtensor(tensor):  # its local shard lives in a slot, not in __dict__
        found.append(local_shard(tensor))
    return [value for value in found if isinstance(value, torch.Tensor)]


def _saved_tensors(tensor: torch.Tensor) -> Iterable[torch.Tensor]:
    """The tensors a named result's graph keeps for its backward, as kept (graph.raw_saved):
    a tensor packed by a saved-tensor hook counts where the hook put it, and freed ones hold
    nothing."""
    try:
        root = tensor.grad_fn
    except Exception:  # an odd subclass whose reads raise
        return
    for node in walk_nodes(root, GRAPH_NODES):
        for _, value in raw_saved(node):
            if isinstance(value, torch.Tensor):
                yield value


def _traceback_formatters(shell) -> list:
    formatter = getattr(shell, "InteractiveTB", None)
    found = [formatter] if formatter is not None else []
    for attribute in ("verbose_tb", "plain_tb", "color_toggle"):
        inner = getattr(formatter, attribute, None)
        if inner is not None and not callable(inner):
            found.append(inner)
    return found
