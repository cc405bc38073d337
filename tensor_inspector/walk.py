"""The one walk over a notebook's namespace: every slot that holds a tensor, and the modules.

It runs after every cell, so it is read defensively and cheaply:
- nothing of a user's class runs: objects are typed with ``type()`` (``isinstance`` would
  call a ``__class__`` property), only exact built-in lists, tuples and dicts are iterated,
  and modules are read through their own ``_parameters``/``_buffers``/``_modules`` dicts;
- each container is cut to its first items with ``islice`` before any key is read, and
  copied in one C-level step, so a thread changing it mid-walk cannot break the walk;
- an object that fails to read is skipped and reported (``skipped``), never the walk.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from itertools import islice
from typing import NamedTuple

import torch

log = logging.getLogger("tensor_inspector")

Tensor = torch.Tensor
Module = torch.nn.Module
CONTAINERS = (list, tuple, dict)
SIMPLE_KEYS = (str, int, float, bool)

CONTAINER_DEPTH = 2
ITEMS_PER_CONTAINER = 100

# Names IPython adds to the namespace: output history, input history, helpers.
IPYTHON_NAME = re.compile(r"^(_+|_\d+|_i+\d*|_i[hi]+|_oh|_dh|_sh|In|Out|exit|quit|get_ipython)$")
_IPYTHON_PLAIN_NAMES = frozenset({"In", "Out", "exit", "quit", "get_ipython"})


class Slot(NamedTuple):
    """One place that holds a tensor (or, with kind "module", a module bound to a name)."""

    path: str  # as the panel shows it: t1, batch[0], d['x'], model.0.weight
    container: object  # the namespace dict, a list, tuple or dict, or the owning module
    key: object  # the name, index or key in ``container``
    kind: str  # "name", "item", "tuple", "parameter", "buffer" or "module"
    value: object


def is_user_name(name: object, hidden: Mapping[str, object]) -> bool:
    if type(name) is not str or name in hidden:
        return False
    if name[:1] != "_":  # most names: no pattern to match
        return name not in _IPYTHON_PLAIN_NAMES
    return not IPYTHON_NAME.match(name)


def walk(
    namespace: Mapping[str, object],
    hidden: Mapping[str, object],
    depth: int = CONTAINER_DEPTH,
    items_per_container: int = ITEMS_PER_CONTAINER,
    truncated: dict[str, int] | None = None,
    skipped: dict[str, str] | None = None,
) -> Iterator[Slot]:
    """Tensors bound to names first (so a tensor is named as the user named it), then the
    tensors of modules and containers. ``truncated`` receives, per container holding tensors,
    how many items were not looked at; ``skipped``, per name, why it could not be read."""
    truncated = {} if truncated is None else truncated
    skipped = {} if skipped is None else skipped
    later = []
    for name, value in list(dict.items(namespace)):
        if not is_user_name(name, hidden):
            continue
        kind = type(value)
        if issubclass(kind, Tensor):
            yield Slot(name, namespace, name, "name", value)
        elif kind in CONTAINERS or issubclass(kind, Module):
            later.append((name, value, kind))
    for name, value, kind in later:
        try:
            if kind in CONTAINERS:
                yield from _container(name, value, kind, depth, items_per_container, truncated)
            else:
                yield Slot(name, namespace, name, "module", value)
                yield from module_slots(value, name)
        except Exception as error:  # one odd object skips itself, never the walk
            log.debug("a name could not be read; it is skipped", exc_info=True)
            skipped[name] = _short(error)


def module_slots(module: Module, prefix: str = "") -> Iterator[Slot]:
    """Every parameter, then every buffer, of ``module`` and its submodules (each once), by
    dotted path. Read through the module's own dicts: no user code runs."""
    modules = list(_submodules(module, prefix))
    seen: set[int] = set()
    for table_name, kind in (("_parameters", "parameter"), ("_buffers", "buffer")):
        for path, owner in modules:
            table = _own_dict(owner).get(table_name)
            if type(table) is not dict:
                continue
            for key, tensor in list(dict.items(table)):
                if issubclass(type(tensor), Tensor) and id(tensor) not in seen:
                    seen.add(id(tensor))
                    yield Slot(f"{path}.{key}" if path else key, owner, key, kind, tensor)


def _submodules(module: Module, path: str) -> Iterator[tuple[str, Module]]:
    """Depth first, in the order ``named_modules()`` gives, each module once."""
    stack = [(path, module)]
    seen = {id(module)}
    while stack:
        path, current = stack.pop()
        yield path, current
        children = _own_dict(current).get("_modules")
        if type(children) is not dict:
            continue
        for key, child in reversed(list(dict.items(children))):
            if issubclass(type(child), Module) and id(child) not in seen:
                seen.add(id(child))
                stack.append((f"{path}.{key}" if path else str(key), child))


def _own_dict(value: object) -> dict:
    try:
        attributes = object.__getattribute__(value, "__dict__")
    except Exception:
        log.debug("no __dict__", exc_info=True)
        return {}
    return attributes if type(attributes) is dict else {}


def _container(path, value, kind, depth, limit, truncated) -> Iterator[Slot]:
    if kind is dict:
        items = list(islice(dict.items(value), limit))  # one C-level copy of the first items
        size = dict.__len__(value)
    else:
        items = list(enumerate(islice(value, limit)))
        size = len(value)
    item_kind = "tuple" if kind is tuple else "item"
    holds_tensors = False
    for key, item in items:
        if kind is dict:
            if type(key) not in SIMPLE_KEYS:
                continue
            item_path = f"{path}[{key!r}]"
        else:
            item_path = f"{path}[{key}]"
        item_type = type(item)
        if issubclass(item_type, Tensor):
            holds_tensors = True
            yield Slot(item_path, value, key, item_kind, item)
        elif issubclass(item_type, Module):
            holds_tensors = True
            yield from module_slots(item, item_path)
        elif depth > 1 and item_type in CONTAINERS:
            before = len(truncated)
            for slot in _container(item_path, item, item_type, depth - 1, limit, truncated):
                holds_tensors = True
                yield slot
            holds_tensors = holds_tensors or len(truncated) > before
    if size > limit and holds_tensors:
        truncated[path] = size - limit


def _short(error: BaseException, limit: int = 120) -> str:
    try:
        text = f"{type(error).__name__}: {error}"
    except Exception:
        text = type(error).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
