"""Wires the device checks into IPython: the cell check as an AST transformer, the op-level
guard pushed around each cell, and the optimizer check. Modes: block, warn, off."""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable

import torch
from torch.optim.optimizer import register_optimizer_step_pre_hook

from tensor_inspector import devices
from tensor_inspector.errors import CrossDeviceError, CrossDeviceWarning
from tensor_inspector.guard.mode import DeviceGuard
from tensor_inspector.guard.op_table import op_table
from tensor_inspector.guard.precheck import Finding, Known, canonical_device, precheck
from tensor_inspector.holders import optimizer_state
from tensor_inspector.tracking import find_tensors, is_user_name

MODES = ("block", "warn", "off")
_DEVICE_TYPES = frozenset({"cpu", "cuda", "mps", "xpu", "meta", "hpu", "mtia"})


def known_values(namespace: dict, hidden: dict) -> dict[str, Known]:
    """What the cell check may rely on: top-level tensors, modules on one device, devices."""
    accelerator = devices.accelerator_type()
    device_types = _DEVICE_TYPES | ({accelerator} if accelerator else set())
    known: dict[str, Known] = {}
    for name, value in list(namespace.items()):
        if not is_user_name(name, hidden):
            continue
        if isinstance(value, torch.Tensor):
            try:
                known[name] = Known("tensor", str(value.device), value.dim() == 0)
            except Exception:
                continue
        elif isinstance(value, torch.nn.Module):
            module_devices = {str(t.device) for t in value.parameters()}
            if len(module_devices) == 1:
                known[name] = Known("module", module_devices.pop())
        elif isinstance(value, (torch.device, str)):
            device = canonical_device(str(value)) if len(str(value)) < 16 else None
            if device is not None and device.split(":")[0] in device_types:
                known[name] = Known("device", device)
    return known


class CellGuard:
    def __init__(self, shell, on_flag: Callable[[dict | None], None]) -> None:
        self.shell = shell
        self.mode = "block"
        self._on_flag = on_flag
        self.flagged: dict | None = None
        self._guard: DeviceGuard | None = None
        self._optimizer_hook = None
        self._transformer = _PrecheckTransformer(self)

    # lifecycle --------------------------------------------------------------------------

    def install(self) -> None:
        self.shell.events.register("pre_run_cell", self.before_cell)
        self.shell.ast_transformers.append(self._transformer)

    def uninstall(self) -> None:
        self.after_cell(None)
        self.shell.events.unregister("pre_run_cell", self.before_cell)
        if self._transformer in self.shell.ast_transformers:
            self.shell.ast_transformers.remove(self._transformer)

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"guard mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.mode = mode

    # around each cell -------------------------------------------------------------------

    def before_cell(self, _info=None) -> None:
        try:
            if self.mode == "off" or devices.accelerator_type() is None:
                return  # nothing can mix devices: the guard costs nothing
            self._optimizer_hook = register_optimizer_step_pre_hook(self._check_optimizer)
            guard = DeviceGuard(self.mode, self._names_by_id, self._is_cell_file)
            guard.__enter__()
            self._guard = guard
        except Exception:  # never fail the user's cell (and post_run_cell would not fire)
            self.after_cell(None)

    def after_cell(self, result) -> None:
        guard, self._guard = self._guard, None
        if guard is not None:
            stack = torch.overrides._get_current_function_mode_stack()
            if stack and stack[-1] is guard:
                guard.__exit__(None, None, None)
            else:
                guard.active = False  # the cell left another mode on top of ours
        if self._optimizer_hook is not None:
            self._optimizer_hook.remove()
            self._optimizer_hook = None
        error = getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec", None)
        if isinstance(error, CrossDeviceError):
            self._flag(str(error), error.name, error.device)
        elif result is not None and getattr(result, "success", False) and self._flag_resolved():
            self._on_flag(None)

    # checks -----------------------------------------------------------------------------

    def check_cell(self, tree: ast.Module) -> None:
        if self.mode == "off" or devices.accelerator_type() is None:
            return
        known = known_values(self.shell.user_ns, self.shell.user_ns_hidden)
        findings = precheck(tree, known, op_table())
        if not findings:
            return
        first = findings[0]
        if self.mode == "warn":
            warnings.warn(first.message, CrossDeviceWarning, stacklevel=2)
            return
        raise CrossDeviceError(
            f"Cell not run. {first.message}", name=self._movable(first), device=first.move_to
        )

    def _movable(self, finding: Finding) -> str | None:
        name = finding.move_name
        value = self.shell.user_ns.get(name) if name else None
        return name if isinstance(value, (torch.Tensor, torch.nn.Module)) else None

    def _check_optimizer(self, optimizer, _args, _kwargs) -> None:
        for group in optimizer.param_groups:
            for param in group["params"]:
                for _, key, value in optimizer_state(optimizer, param):
                    if value.device != param.device:
                        self._report_optimizer(optimizer, param, key, value)
                        return

    def _report_optimizer(self, optimizer, param, key: str, value) -> None:
        label = self._names_by_id().get(id(param), "a parameter")
        optimizer_name = self._name_of(optimizer) or "the optimizer"
        message = (
            f"{optimizer_name}.step() mixes devices: {label} is on {param.device}, "
            f"its optimizer state {key!r} is on {value.device}. Fix: move the "
            "module with the panel (its optimizer state follows), or recreate "
            "the optimizer after moving the model."
        )
        if self.mode == "warn":
            warnings.warn(message, CrossDeviceWarning, stacklevel=3)
            return
        raise CrossDeviceError(message)

    def _flag(self, text: str, name: str | None, device: str | None) -> None:
        self.flagged = {"text": text, "name": name, "device": device}
        self._on_flag(self.flagged)

    def _flag_resolved(self) -> bool:
        """The flag stays up until its tensor is on the device it needed (or is gone)."""
        name = (self.flagged or {}).get("name")
        value = self.shell.user_ns.get(name) if name else None
        if isinstance(value, torch.nn.Module):
            value = next(value.parameters(), None)
        if isinstance(value, torch.Tensor) and str(value.device) != self.flagged["device"]:
            return False
        self.flagged = None
        return True

    def _names_by_id(self) -> dict[int, str]:
        found = find_tensors(self.shell.user_ns, self.shell.user_ns_hidden)
        return {key: names[0] for key, (_, names) in found.tensors.items()}

    def _name_of(self, value: object) -> str | None:
        for name, candidate in self.shell.user_ns.items():
            if candidate is value and is_user_name(name, self.shell.user_ns_hidden):
                return name
        return None

    def _is_cell_file(self, filename: str) -> bool:
        return filename in getattr(self.shell.compile, "_filename_map", {})


class _PrecheckTransformer(ast.NodeTransformer):
    """IPython runs every cell's AST through this before executing any of it."""

    def __init__(self, guard: CellGuard) -> None:
        self.guard = guard

    def visit(self, node):
        try:
            self.guard.check_cell(node)
        except CrossDeviceError:
            raise
        except Exception:
            pass  # a bug in the check must never stop a cell (IPython would drop us)
        return node
