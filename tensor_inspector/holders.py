"""Every place in the namespace that holds a given object, so an action can rebind them all.

Walks the same ground as tracking.find_tensors (names, module parameters and buffers,
containers two levels deep) but records the holder and key of each reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import torch

from tensor_inspector.tracking import CONTAINER_DEPTH, find_tensors, is_user_name


@dataclass(frozen=True)
class Holder:
    path: str
    container: object  # a dict (the namespace too), list, tuple or module
    key: object
    kind: str  # "item" (dict or list), "tuple", "parameter" or "buffer"

    @property
    def rebindable(self) -> bool:
        return self.kind != "tuple"

    def rebind(self, value: object) -> None:
        if self.kind == "item":
            self.container[self.key] = value
        elif self.kind == "parameter":
            self.container._parameters[self.key] = value
        elif self.kind == "buffer":
            self.container._buffers[self.key] = value
        else:
            raise TypeError(f"{self.path} sits in a tuple, which cannot be changed in place")


def lookup(
    namespace: Mapping[str, object], hidden: Mapping[str, object], name: str
) -> torch.Tensor | torch.nn.Module | None:
    """The tensor shown under ``name`` (a row name or alias), or the module of that name."""
    value = namespace.get(name) if is_user_name(name, hidden) else None
    if isinstance(value, (torch.Tensor, torch.nn.Module)):
        return value
    for tensor, names in find_tensors(namespace, hidden).tensors.values():
        if name in names:
            return tensor
    return None


def holders_of(namespace: dict, hidden: Mapping[str, object], target: object) -> list[Holder]:
    found: list[Holder] = []
    for name, value in list(namespace.items()):
        if is_user_name(name, hidden):
            _walk(found, name, namespace, name, "item", value, target, CONTAINER_DEPTH)
    return found


def _walk(found, path, container, key, kind, value, target, depth) -> None:
    if value is target:
        found.append(Holder(path, container, key, kind))
        return
    if isinstance(value, torch.nn.Module):
        for module_name, module in value.named_modules():
            prefix = f"{path}.{module_name}" if module_name else path
            for param_name, param in module._parameters.items():
                if param is target:
                    found.append(Holder(f"{prefix}.{param_name}", module, param_name, "parameter"))
            for buffer_name, buffer in module._buffers.items():
                if buffer is target:
                    found.append(Holder(f"{prefix}.{buffer_name}", module, buffer_name, "buffer"))
    elif depth > 0 and isinstance(value, dict):
        for item_key, item in list(value.items()):
            _walk(found, f"{path}[{item_key!r}]", value, item_key, "item", item, target, depth - 1)
    elif depth > 0 and isinstance(value, (list, tuple)):
        item_kind = "item" if isinstance(value, list) else "tuple"
        for index, item in enumerate(value):
            _walk(found, f"{path}[{index}]", value, index, item_kind, item, target, depth - 1)
