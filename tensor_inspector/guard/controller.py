"""Wires the device checks into IPython.

- block (the default): the cell check (an AST transformer) stops a cell certain to mix
  devices before any line runs; PyTorch's own refusal of a mixed-device operation is shown
  as a CrossDeviceError in the user's names. Nothing runs per operation.
- strict: block, plus the op-level guard (a TorchFunctionMode) around each cell, and the
  optimizer check before every ``step()``.
- warn: the cell check warns and lets the cell run.
- off: no checks.
"""

from __future__ import annotations

import ast
import logging
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import torch
from torch.optim.optimizer import register_optimizer_step_pre_hook

from tensor_inspector import devices
from tensor_inspector.errors import CrossDeviceError, CrossDeviceWarning
from tensor_inspector.guard.explain import (
    Fix,
    explain_error,
    optimizer_message,
    optimizer_state_on_other_device,
    raised_by_pytorch,
    user_frames,
)
from tensor_inspector.guard.mode import DeviceGuard
from tensor_inspector.guard.precheck import NUMBER, Finding, Known, canonical_device, precheck
from tensor_inspector.guard.rules import _atom
from tensor_inspector.settings import GUARD_MODES
from tensor_inspector.tracking import find_tensors, is_user_name

MODES = GUARD_MODES
_DEVICE_TYPES = frozenset({"cpu", "cuda", "mps", "xpu", "meta", "hpu", "mtia"})
_LIBRARY_DIRS = tuple(
    str(Path(path).resolve())
    for path in {sys.prefix, sys.base_prefix, sys.exec_prefix, Path(__file__).parents[1]}
)
log = logging.getLogger("tensor_inspector")

# Modules whose call is one operator with a known device rule.
_LAYER_OPS = {
    "Linear": "linear", "Bilinear": "bilinear", "Conv1d": "conv1d", "Conv2d": "conv2d",
    "Conv3d": "conv3d", "Embedding": "embedding", "CrossEntropyLoss": "cross_entropy",
    "NLLLoss": "nll_loss", "MSELoss": "mse_loss", "L1Loss": "l1_loss",
    "SmoothL1Loss": "smooth_l1_loss", "HuberLoss": "huber_loss", "BCELoss": "binary_cross_entropy",
    "BCEWithLogitsLoss": "binary_cross_entropy_with_logits",
}  # fmt: skip


def known_values(namespace: dict, hidden: dict, names: set[str]) -> dict[str, Known]:
    """What the cell check may rely on, for the names the cell uses: tensors, Python numbers,
    modules on one device, devices."""
    accelerator = devices.accelerator_type()
    device_types = _DEVICE_TYPES | ({accelerator} if accelerator else set())
    known: dict[str, Known] = {}
    for name in names:
        if name not in namespace or not is_user_name(name, hidden):
            continue
        try:
            value = _known(namespace[name], device_types)
        except Exception:  # an odd object is simply unknown
            value = None
        if value is not None:
            known[name] = value
    return known


def _known(value: object, device_types: frozenset[str]) -> Known | None:
    if isinstance(value, torch.Tensor):
        if type(value) not in (torch.Tensor, torch.nn.Parameter) and not _is_simulated(value):
            return None  # a subclass may place its data anywhere
        return Known("tensor", str(value.device), value.dim() == 0)
    if type(value) in (int, float, bool):
        return NUMBER
    if isinstance(value, torch.nn.Module):
        module_devices = {str(t.device) for t in value.parameters()}
        op = _layer_op(value)
        if op is not None and len(module_devices) <= 1:
            return Known("layer", next(iter(module_devices), ""), op=op)
        if len(module_devices) == 1:
            return Known("module", module_devices.pop())
        return None
    if isinstance(value, (torch.device, str)):
        text = str(value)
        device = canonical_device(text, devices.current_index()) if len(text) < 16 else None
        if device is not None and device.split(":")[0] in device_types:
            return Known("device", device)
    return None


def _layer_op(module: torch.nn.Module) -> str | None:
    """nn.Linear, nn.CrossEntropyLoss...: torch's own class, not a user's subclass."""
    kind = type(module)
    if kind.__module__.startswith("torch.nn.modules.") and kind.__name__ in _LAYER_OPS:
        return _LAYER_OPS[kind.__name__]
    if kind is torch.nn.Sequential and len(module) and type(module[0]) is torch.nn.Linear:
        return "linear"
    return None


def _is_simulated(value: torch.Tensor) -> bool:
    return type(value).__name__ == "SimulatedTensor"


class CellGuard:
    def __init__(self, shell, on_flag: Callable[[dict | None], None]) -> None:
        self.shell = shell
        self.mode = "block"
        self._on_flag = on_flag
        self.flagged: dict | None = None
        self._guard: DeviceGuard | None = None
        self._cells_running = 0
        self._optimizer_hook = None
        self._transformer = _PrecheckTransformer(self)
        self._explained: tuple[BaseException, CrossDeviceError] | None = None
        self._previous_custom_exc = None
        self._custom_tb = None
        self._cell_source = ""

    # lifecycle --------------------------------------------------------------------------

    def install(self) -> None:
        self.shell.events.register("pre_run_cell", self.before_cell)
        self.shell.ast_transformers.append(self._transformer)
        self._previous_custom_exc = (self.shell.custom_exceptions, self.shell.CustomTB)
        previous_types = tuple(self.shell.custom_exceptions)
        self.shell.set_custom_exc((*previous_types, RuntimeError), self._show_error)
        self._custom_tb = self.shell.CustomTB

    def uninstall(self) -> None:
        self._cells_running = 1
        self.after_cell(None)
        self.shell.events.unregister("pre_run_cell", self.before_cell)
        if self._transformer in self.shell.ast_transformers:
            self.shell.ast_transformers.remove(self._transformer)
        if self.shell.CustomTB is self._custom_tb:
            self.shell.custom_exceptions, self.shell.CustomTB = self._previous_custom_exc

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"guard mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.mode = mode

    # around each cell -------------------------------------------------------------------

    def before_cell(self, info=None) -> None:
        # %%capture and a nested run_cell fire pre_run_cell again before the outer cell ends:
        # one guard serves them all, and it is popped when the outermost cell ends.
        self._cells_running += 1
        self._cell_source = getattr(info, "raw_cell", "") or ""
        if self._guard is not None or self.mode != "strict":
            return
        try:
            if devices.accelerator_type() is None:
                return  # nothing can mix devices: the guard costs nothing
            guard = DeviceGuard(self._names_by_id, self._is_cell_file)
            guard.__enter__()
            self._guard = guard
            self._optimizer_hook = register_optimizer_step_pre_hook(self._check_optimizer)
        except Exception:  # never fail the user's cell (and post_run_cell would not fire)
            log.exception("could not push the op-level guard")
            self._pop_guard()

    def after_cell(self, result) -> None:
        self._cells_running = max(0, self._cells_running - 1)
        if self._cells_running == 0:
            self._pop_guard()
        error = getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec", None)
        explained = self._explained
        self._explained = None
        if explained is not None and error is explained[0]:
            result.error_in_exec = error = explained[1]
        if isinstance(error, CrossDeviceError):
            self._flag(str(error), error.name, error.device)
        elif result is not None and getattr(result, "success", False) and self._flag_resolved():
            self._on_flag(None)

    def _pop_guard(self) -> None:
        """Take our mode off the stack by identity, wherever the cell left it."""
        guard, self._guard = self._guard, None
        if self._optimizer_hook is not None:
            self._optimizer_hook.remove()
            self._optimizer_hook = None
        if guard is None:
            return
        guard.active = False
        above = []
        try:
            while torch.overrides._get_current_function_mode_stack():
                mode = torch._C._pop_torch_function_stack()
                if mode is guard:
                    break
                above.append(mode)
        finally:
            for mode in reversed(above):
                torch._C._push_on_torch_function_stack(mode)

    # checks -----------------------------------------------------------------------------

    def check_cell(self, tree: ast.Module) -> None:
        if self.mode == "off" or devices.accelerator_type() is None:
            return
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        known = known_values(self.shell.user_ns, self.shell.user_ns_hidden, names)
        default = str(torch.get_default_device())
        findings = precheck(
            tree, known, default if default == "cpu" else None, devices.current_index()
        )
        if not findings:
            return
        first = findings[0]
        if self.mode == "warn":  # shown at the cell's line, not at ours
            warnings.warn_explicit(first.message, CrossDeviceWarning, "<cell>", first.line)
            return
        error = CrossDeviceError(
            f"Cell not run. {first.message}", name=self._movable(first), device=first.move_to
        )
        error.culprit = first.culprit
        error.fix = self._precheck_fix(first)
        raise error

    def _precheck_fix(self, finding: Finding) -> Fix:
        """The finding's fix in a form that can be applied: its line, or its edit."""
        text = finding.message.split(" Fix: ", 1)[-1]
        name = self._movable(finding)
        if name is not None:
            return Fix(text, run=text if "=" in text or ".to(" in text else None)
        if finding.culprit_at is None:
            return Fix(text)
        line_number, start, end = finding.culprit_at
        lines = self.shell.transform_cell(self._cell_source).splitlines()
        if not 0 < line_number <= len(lines):
            return Fix(text)
        line = lines[line_number - 1]
        new = f'{_atom(line[start:end])}.to("{finding.move_to}")'
        return Fix(text, line=line, where=f"line {line_number}", edits=((start, end, new),))

    def _show_error(self, shell, etype, value, tb, tb_offset=None):
        """IPython's handler for RuntimeError: PyTorch's device mismatch becomes a
        CrossDeviceError in the user's names; anything else is shown as IPython would."""
        explained = None
        ours = isinstance(value, CrossDeviceError)
        if self.mode in ("block", "strict") and (ours or raised_by_pytorch(value, tb)):
            try:
                explained = self._explain(value, tb)
            except Exception:
                log.exception("could not explain %r", value)
        if explained is None:
            previous_types, previous_handler = self._previous_custom_exc
            if previous_types and isinstance(value, previous_types):
                return previous_handler(etype, value, tb, tb_offset=tb_offset)
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
            return None
        self._explained = (value, explained)
        shell.showtraceback((CrossDeviceError, explained, tb))
        return None

    def _explain(self, error, tb) -> CrossDeviceError | None:
        frames = user_frames(tb, self._is_user_file, self._cell_label)
        if isinstance(error, CrossDeviceError):  # the op-level guard's own
            return self._explain_strict(error, frames)
        return explain_error(
            error, frames, self._names_by_id(), self.shell.user_ns, self._is_hidden
        )

    def _explain_strict(self, error: CrossDeviceError, frames) -> CrossDeviceError | None:
        """The op-level guard saw only the operator's arguments: find the culprit in the
        failing expression, as for PyTorch's own error, and keep the guard's words if none."""
        devices = getattr(error, "devices", None)
        explained = None
        if devices is not None:
            anchor, stray, role = devices
            words = (
                "indices should be either on cpu or on the same device as the indexed tensor"
                if role == "index"
                else "Expected all tensors to be on the same device, but found at least two "
                f"devices, {anchor} and {stray}!"
            )
            explained = explain_error(
                error, frames, self._names_by_id(), self.shell.user_ns, self._is_hidden, words
            )
        if explained is None or getattr(explained, "culprit", None) is None:
            error.frames = tuple((frame.where, frame.source) for frame in frames)
            return None
        explained.__cause__ = None  # stopped by the check: PyTorch did not run it
        explained.pytorch_message = ""
        return explained

    def _is_hidden(self, name: str) -> bool:
        return not is_user_name(name, self.shell.user_ns_hidden)

    def _movable(self, finding: Finding) -> str | None:
        name = finding.move_name
        value = self.shell.user_ns.get(name) if name else None
        return name if isinstance(value, (torch.Tensor, torch.nn.Module)) else None

    def _check_optimizer(self, optimizer, _args, _kwargs) -> None:
        found = optimizer_state_on_other_device(optimizer)
        if found is None:
            return
        param, key, value = found
        label = self._names_by_id().get(id(param), "a parameter")
        name = self._name_of(optimizer) or "the optimizer"
        error = CrossDeviceError(optimizer_message(name, label, param, key, value))
        error.culprit = name
        error.device = str(param.device)
        line = f"{name}.load_state_dict({name}.state_dict())"
        error.fix = Fix(line, run=line if name.isidentifier() else None)
        raise error

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

    def _cell_label(self, filename: str) -> str | None:
        number = getattr(self.shell.compile, "_filename_map", {}).get(filename)
        return f"Cell In[{number}]" if number is not None else None

    def _is_user_file(self, filename: str) -> bool:
        if self._is_cell_file(filename):
            return True
        if filename.startswith("<"):
            return False
        resolved = str(Path(filename).resolve())
        return not resolved.startswith(_LIBRARY_DIRS)


class _PrecheckTransformer(ast.NodeTransformer):
    """IPython runs every cell's AST through this before executing any of it."""

    def __init__(self, guard: CellGuard) -> None:
        self.guard = guard

    def visit(self, node):
        try:
            self.guard.check_cell(node)
        except CrossDeviceError:
            raise  # IPython rejects the cell; the error renders without our frames
        except Exception:
            log.exception("the cell check failed; the cell runs unchecked")
        return node
