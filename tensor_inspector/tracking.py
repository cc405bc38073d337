"""Which tensors the notebook can reach, under which names, and what changed since last time.

The tracker holds no reference to any tensor, not even a weak one: deleting a tensor in the
notebook frees it, and torch.utils.swap_tensors (which refuses tensors that have weak
references) keeps working on every tensor the panel shows. It remembers ids and cheap
metadata (describe.fingerprint) to tell what changed.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import torch

from tensor_inspector.compact import (
    Packed,
    needs_values,
    pack,
    same_content,
    unpack,
    with_status,
)
from tensor_inspector.describe import describe, error_row, fingerprint, preview
from tensor_inspector.sharding import sharded_module
from tensor_inspector.walk import (
    CONTAINER_DEPTH,
    ITEMS_PER_CONTAINER,
    is_user_name,
    walk,
)

log = logging.getLogger("tensor_inspector")

__all__ = ["CONTAINER_DEPTH", "Reachable", "Tracker", "find_tensors", "is_user_name"]

MAX_NAMES = 9  # a row's name and up to 8 aliases: `[t] * 150` is one row, not 150 names


@dataclass
class Reachable:
    """Tensors found in a namespace: each once, with every name that reaches it."""

    tensors: dict[int, tuple[torch.Tensor, list[str]]] = field(default_factory=dict)
    # container path -> how many of its items were not looked at
    truncated: dict[str, int] = field(default_factory=dict)
    # name -> why it could not be read
    skipped: dict[str, str] = field(default_factory=dict)
    # top-level name -> the module bound to it
    modules: dict[str, torch.nn.Module] = field(default_factory=dict)
    # top-level module name -> ids of its tensors
    module_tensors: dict[str, list[int]] = field(default_factory=dict)

    def add(self, path: str, tensor: torch.Tensor) -> None:
        entry = self.tensors.get(id(tensor))
        if entry is None:
            self.tensors[id(tensor)] = (tensor, [path])
        elif len(entry[1]) < MAX_NAMES:
            entry[1].append(path)


def find_tensors(
    namespace: Mapping[str, object],
    hidden: Mapping[str, object] | None = None,
    depth: int = CONTAINER_DEPTH,
    items_per_container: int = ITEMS_PER_CONTAINER,
) -> Reachable:
    """Tensors reachable from ``namespace``: names, module parameters and buffers, containers."""
    found = Reachable()
    tensors = found.tensors
    module_ids: list[int] = []
    module_prefix = None  # "model." while the walk is inside top-level module "model"
    slots = walk(
        namespace, hidden or {}, depth, items_per_container, found.truncated, found.skipped
    )
    for path, _, _, kind, value in slots:
        if kind == "module":
            found.modules[path] = value
            module_ids = found.module_tensors[path] = []
            module_prefix = path + "."
            continue
        if module_prefix is not None and path.startswith(module_prefix):
            module_ids.append(id(value))
        entry = tensors.get(id(value))
        if entry is None:
            tensors[id(value)] = (value, [path])
        elif len(entry[1]) < MAX_NAMES:
            entry[1].append(path)
    return found


def module_lines(reachable: Reachable, rows: Mapping[str, Packed]) -> list[dict]:
    """Top-level nn.Modules, with the devices their tensors are on and how many on each (a
    model split with device_map spans several; the panel moves them whole), and whether
    fully_shard sharded it. Read from the rows just made, so no tensor is read twice."""
    described = []
    for name, module in reachable.modules.items():
        ids = reachable.module_tensors.get(name, [])
        counts: dict[str, int] = {}
        for key in ids:
            entry = reachable.tensors.get(key)
            row = rows.get(entry[1][0]) if entry is not None else None
            if row is not None and row.device is not None:
                counts[row.device] = counts.get(row.device, 0) + 1
        described.append({
            "name": name,
            "type": type(module).__name__,
            "devices": sorted(counts),
            "device_counts": dict(sorted(counts.items())),
            "tensors": len(ids),
            "fully_shard": sharded_module(module),
        })  # fmt: skip
    return described


@dataclass
class Changes:
    """What one scan found, against the scan before it."""

    upserted: list[dict]
    removed: list[str]
    modules: list[dict] = field(default_factory=list)


class Tracker:
    """Remembers the last scan's rows (plain data), and of each tensor its id and fingerprint."""

    def __init__(self) -> None:
        self._seen: dict[str, Packed] = {}
        self.truncated: dict[str, int] = {}
        self.skipped: dict[str, str] = {}
        # device -> bytes of the tracked tensors' storages (a view counts at its base), and
        # how much the last scan found added (+) or freed (-) per device.
        self.memory: dict[str, int] = {}
        self.last_cell: dict[str, int] = {}

    @property
    def rows(self) -> list[dict]:
        """The rows of the last scan; small CPU tensors' previews are left out (see rows_in)."""
        return [unpack(packed) for packed in self._seen.values()]

    def rows_in(
        self, namespace: Mapping[str, object], hidden: Mapping[str, object] | None = None
    ) -> list[dict]:
        """The rows of the last scan, with previews read from the namespace's tensors."""
        by_name = {}
        if any(needs_values(packed) for packed in self._seen.values()):
            for tensor, names in find_tensors(namespace, hidden).tensors.values():
                by_name[names[0]] = tensor
        return [_sendable(packed, by_name.get(name)) for name, packed in self._seen.items()]

    def scan(
        self,
        namespace: Mapping[str, object],
        hidden: Mapping[str, object] | None = None,
        continues_last_cell: bool = False,
    ) -> Changes:
        """Rows that changed since the last scan. ``continues_last_cell``: this scan follows
        code run on the user's behalf, not a cell of theirs (a front end's hidden request):
        unchanged rows keep their "new" or "changed", and what it adds or frees counts with
        the last cell's."""
        # A refresh allocates many short-lived objects; a full collection triggered midway
        # would cost more than the scan itself, so the collector waits until it is done.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._scan(namespace, hidden, continues_last_cell)
        finally:
            if collecting:
                gc.enable()

    def _scan(
        self,
        namespace: Mapping[str, object],
        hidden: Mapping[str, object] | None,
        continues_last_cell: bool,
    ) -> Changes:
        reachable = find_tensors(namespace, hidden)
        previous = self._seen
        before_memory = self.memory
        if continues_last_cell:  # counted from where the last cell started
            before_memory = dict(self.memory)
            for device, change in self.last_cell.items():
                before_memory[device] = before_memory.get(device, 0) - change
        memory = dict(self.memory)
        current: dict[str, Packed] = {}
        upserted: list[dict] = []
        for key, (tensor, names) in reachable.tensors.items():
            name = names[0]
            before = previous.get(name)
            mark = hash((key, fingerprint(tensor)))  # equal marks: an unchanged row
            # Fast path, the common case: one name, nothing changed since a settled row.
            if (
                before is not None
                and len(names) == 1
                and before.status == ""
                and not before.aliases
                and mark is not None
                and before.mark == mark
            ):
                current[name] = before
                continue
            seen = _describe_if_changed(before, tensor, mark, name, names[1:], continues_last_cell)
            current[name] = seen
            if seen is not before:  # what the tracked tensors hold, kept up to date by change
                _count(memory, before, -1)
                _count(memory, seen, +1)
            if seen is not before and (before is None or before != seen):
                upserted.append(_sendable(seen, tensor))
        self._seen = current
        self.truncated = reachable.truncated
        self.skipped = reachable.skipped
        removed = [name for name in previous if name not in current]
        for name in removed:
            _count(memory, previous[name], -1)
        self.memory = {device: held for device, held in memory.items() if held}
        self.last_cell = {device: change for device, change in (
            (device, self.memory.get(device, 0) - before_memory.get(device, 0))
            for device in set(self.memory) | set(before_memory)) if change}  # fmt: skip
        return Changes(upserted=upserted, removed=removed, modules=module_lines(reachable, current))

    def reread(self, name: str, tensor: torch.Tensor) -> dict | None:
        """Describe ``name``'s row again, as it stands, keeping its status: for values an
        action has just read, which change no metadata the next scan would notice."""
        before = self._seen.get(name)
        if before is None or before.status == "error":
            return None
        try:
            row = with_status(
                pack(describe(tensor, name, before.aliases), before.mark), before.status
            )
        except Exception:
            log.debug("a tensor could not be described again", exc_info=True)
            return None
        self._seen[name] = row
        return _sendable(row, tensor)


def _sendable(packed: Packed, tensor: torch.Tensor | None) -> dict:
    """The row as a panel gets it: the values packing dropped are read again from the tensor."""
    row = unpack(packed)
    if tensor is not None and needs_values(packed):
        row["preview"] = preview(tensor)
    return row


def _count(memory: dict[str, int], row: Packed | None, sign: int) -> None:
    if row is None or row.is_view or row.device is None:
        return
    held = row.storage_nbytes if row.storage_nbytes is not None else row.nbytes
    if held:
        memory[row.device] = memory.get(row.device, 0) + sign * held


def _describe_if_changed(
    before: Packed | None,
    tensor: torch.Tensor,
    mark: int | None,
    name: str,
    aliases: list[str],
    keep_status: bool = False,
) -> Packed:
    if before is not None and mark is not None and mark == before.mark:
        # Unchanged: "new" and "changed" were the last cell's news (kept while that cell's
        # view holds); an error row stays one.
        status = before.status if keep_status or before.status == "error" else ""
        if before.aliases == tuple(aliases) and before.status == status:
            return before
        return with_status(before, status, tuple(aliases))
    try:
        row = pack(describe(tensor, name, aliases), mark)
    except Exception as error:  # an odd tensor must not break the refresh
        log.debug("a tensor could not be described", exc_info=True)
        row = pack(error_row(name, aliases, error), mark)
    if row.status != "error":
        changed = before is None or not same_content(before, row)
        row = with_status(row, "new" if before is None else ("changed" if changed else ""))
    return row
