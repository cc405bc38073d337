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
Parameter = torch.nn.Parameter
Module = torch.nn.Module
CONTAINERS = (list, tuple, dict)
SIMPLE_KEYS = (str, int, float, bool)

CONTAINER_DEPTH = 2
ITEMS_PER_CONTAINER = 100

# Names IPython adds to the namespace: output history, input history, helpers.
IPYTHON_NAME = re.compile(r"^(_+|_\d+|_i+\d*|_i[hi]+|_oh|_dh|_sh|In|Out|exit|quit|get_ipython)$")
_IPYTHON_PLAIN_NAMES = frozenset({"In", "Out", "exit", "quit", "get_ipython"})


class Slot(NamedTuple):
    """One place that holds a tensor (or, with kind "module", a module bound to a name).

    ``walk`` yields plain tuples in this order (it runs after every cell over thousands of
    tensors, and a tuple costs a tenth of a named one); ``Slot._make`` names the fields.
    """

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
) -> list[tuple]:
    """The slots: tensors bound to names first (so a tensor is named as the user named it),
    then the tensors of modules and containers. ``truncated`` receives, per container holding
    tensors, how many items were not looked at; ``skipped``, per name, why it could not be
    read. A list rather than a generator: on the refresh path a generator's frames cost more
    than the list."""
    truncated = {} if truncated is None else truncated
    skipped = {} if skipped is None else skipped
    slots: list[tuple] = []
    add = slots.append
    later = []
    for name, value in list(dict.items(namespace)):
        kind = type(value)
        if kind is Tensor or kind is Parameter or issubclass(kind, Tensor):
            if is_user_name(name, hidden):
                add((name, namespace, name, "name", value))
        elif (kind in CONTAINERS or issubclass(kind, Module)) and is_user_name(name, hidden):
            later.append((name, value, kind))
    for name, value, kind in later:
        size = len(slots)
        try:
            if kind in CONTAINERS:
                _container(add, name, value, kind, depth, items_per_container, truncated)
            else:
                add((name, namespace, name, "module", value))
                _module(add, value, name)
        except Exception as error:  # one odd object skips itself, never the walk
            log.debug("a name could not be read; it is skipped", exc_info=True)
            del slots[size:]
            skipped[name] = _short(error)
    return slots


def module_slots(module: Module, prefix: str = "") -> list[tuple]:
    """Every parameter, then every buffer, of ``module`` and its submodules (each once), by
    dotted path. Read through the module's own dicts: no user code runs."""
    slots: list[tuple] = []
    _module(slots.append, module, prefix)
    return slots


def _module(add, module: Module, prefix: str) -> None:
    attributes = _own_dict(module)
    if not attributes.get("_modules"):  # a leaf layer, the common case: its two tables
        for table_name, kind in (("_parameters", "parameter"), ("_buffers", "buffer")):
            table = attributes.get(table_name)
            if type(table) is dict:
                for key, tensor in list(dict.items(table)):
                    if issubclass(type(tensor), Tensor):
                        add((f"{prefix}.{key}" if prefix else key, module, key, kind, tensor))
        return
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
                    add((f"{path}.{key}" if path else key, owner, key, kind, tensor))


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


def _container(add, path, value, kind, depth, limit, truncated) -> bool:
    """Adds the slots of a list, tuple or dict; says whether it holds tensors."""
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
            add((item_path, value, key, item_kind, item))
        elif issubclass(item_type, Module):
            holds_tensors = True
            _module(add, item, item_path)
        elif depth > 1 and item_type in CONTAINERS:
            inner = _container(add, item_path, item, item_type, depth - 1, limit, truncated)
            holds_tensors = holds_tensors or inner
    if size > limit and holds_tensors:
        truncated[path] = size - limit
    return holds_tensors


def _short(error: BaseException, limit: int = 120) -> str:
    try:
        text = f"{type(error).__name__}: {error}"
    except Exception:
        text = type(error).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
