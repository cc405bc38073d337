"""Every place in the namespace that holds a given object, so an action can rebind them all,
and the optimizer state that belongs with a parameter.

Walks the same ground as tracking.find_tensors (names, module parameters and buffers,
containers two levels deep) but records the holder and key of each reference.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import torch

from tensor_inspector.tracking import CONTAINER_DEPTH, find_tensors, is_user_name

# State that PyTorch's optimizers keep on the cpu whatever the parameters' device.
OPTIMIZER_STATE_KEPT_ON_CPU = frozenset({"step"})


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


def module_slots(
    module: torch.nn.Module,
) -> Iterator[tuple[str, torch.nn.Module, str, str, torch.Tensor]]:
    """(dotted path, owning module, "parameter" or "buffer", key, tensor) for every tensor
    slot of ``module`` and its submodules."""
    for module_name, owner in module.named_modules():
        for kind, table in (("parameter", owner._parameters), ("buffer", owner._buffers)):
            for key, tensor in table.items():
                if tensor is not None:
                    yield (f"{module_name}.{key}" if module_name else key), owner, kind, key, tensor


def optimizer_state(
    optimizer: torch.optim.Optimizer, param: torch.Tensor
) -> Iterator[tuple[dict, str, torch.Tensor]]:
    """(state dict, key, tensor) for the optimizer state that lives with ``param``: the state
    PyTorch keeps on the cpu whatever the parameter's device (Adam's step) is left out."""
    state = optimizer.state.get(param) or {}
    for key, value in state.items():
        if isinstance(value, torch.Tensor) and key not in OPTIMIZER_STATE_KEPT_ON_CPU:
            yield state, key, value


def _walk(found, path, container, key, kind, value, target, depth) -> None:
    if value is target:
        found.append(Holder(path, container, key, kind))
        return
    if isinstance(value, torch.nn.Module):
        for slot_path, owner, slot_kind, slot_key, tensor in module_slots(value):
            if tensor is target:
                found.append(Holder(f"{path}.{slot_path}", owner, slot_key, slot_kind))
    elif depth > 0 and isinstance(value, dict):
        for item_key, item in list(value.items()):
            _walk(found, f"{path}[{item_key!r}]", value, item_key, "item", item, target, depth - 1)
    elif depth > 0 and isinstance(value, (list, tuple)):
        item_kind = "item" if isinstance(value, list) else "tuple"
        for index, item in enumerate(value):
            _walk(found, f"{path}[{index}]", value, index, item_kind, item, target, depth - 1)
