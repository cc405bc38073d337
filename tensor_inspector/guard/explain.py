"""PyTorch's own device-mismatch errors, explained in the user's names.

PyTorch refuses a mixed-device operation itself, before its kernel runs, but its message
names no variable. Python knows which operation raised: the instruction of the innermost
frame of the user's code, with its source position. Its operands are read from that frame
(culprit.py, without running code) and the one on the wrong device is named, with what put
it there (a plain tensor attribute of a module, a factory without ``device=``, a
``torch.tensor(...)`` call, a notebook variable, a module's parameters, optimizer state) and
the fix that works on the whole line. Only PyTorch's own errors are explained.
"""

from __future__ import annotations

import ast
import dis
import linecache
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import torch

from tensor_inspector.errors import CrossDeviceError
from tensor_inspector.guard.culprit import (
    Piece,
    Scope,
    describe,
    failing_node,
    is_ipython_name,
    is_pure,
    module_devices,
    operands,
    parents_of,
    read,
)
from tensor_inspector.guard.rules import _atom
from tensor_inspector.guard.wordings import Mismatch, read_mismatch
from tensor_inspector.holders import optimizer_state

log = logging.getLogger("tensor_inspector")

# PyTorch's own code; the simulated accelerator stands in for a device backend's kernels.
_PYTORCH_CODE = (
    str(Path(torch.__file__).resolve().parent),
    str(Path(__file__).resolve().parents[1] / "testing" / "simulated_device.py"),
)
_RAISES = frozenset(dis.opmap[name] for name in ("RAISE_VARARGS", "RERAISE") if name in dis.opmap)
_MAX_MODULES = 100  # notebook modules searched for a module's name
_MAX_SOURCE = 200_000  # characters of a file parsed to find the failing expression


@dataclass(frozen=True)
class UserFrame:
    where: str  # "Cell In[3], line 2" or "model.py, line 7, in forward"
    source: str  # the line, stripped
    function: str  # "<module>" for a cell's top level
    locals: dict
    globals: dict = field(default_factory=dict)
    filename: str = ""
    lineno: int = 0
    position: tuple | None = None  # (line, end line, column, end column) of what raised


@dataclass(frozen=True)
class Fix:
    """What the message's "Fix:" says, in a form a test (or a button) can apply.

    run: a line to run in a new cell (the panel's button does the same); edits: changes to
    the failing ``line`` of ``where``, as (start column, end column, new text)."""

    text: str
    run: str | None = None
    line: str = ""
    where: str = ""
    edits: tuple[tuple[int, int, str], ...] = ()

    def edited_line(self) -> str:
        line = self.line
        for start, end, new in sorted(self.edits, reverse=True):
            line = line[:start] + new + line[end:]
        return line


def raised_by_pytorch(error: BaseException, tb) -> bool:
    """PyTorch's own error: exactly RuntimeError (or one of torch's subclasses), raised inside
    torch, not by a ``raise`` of the notebook's own code."""
    kind = type(error)
    if kind is not RuntimeError and not kind.__module__.startswith("torch"):
        return False
    entries = list(_walk(tb))
    if not entries:
        return False
    frame, _, lasti = entries[-1]
    if str(Path(frame.f_code.co_filename).resolve()).startswith(_PYTORCH_CODE):
        return True
    code = frame.f_code.co_code
    return 0 <= lasti < len(code) and code[lasti] not in _RAISES  # raised by a call into C


def explain_error(
    error: RuntimeError,
    frames: list[UserFrame],
    names_by_id: dict[int, str],
    namespace: dict | None = None,
    is_hidden: Callable[[str], bool] | None = None,
    message: str | None = None,
) -> CrossDeviceError | None:
    """A CrossDeviceError naming the culprit, or None if this is not a mismatch."""
    text = str(error) if message is None else message
    mismatch = read_mismatch(text)
    if mismatch is None:
        return None
    context = _Context(names_by_id, namespace or {}, is_hidden or (lambda name: False))
    found = _optimizer_state_mismatch(frames, context)
    if found is not None:
        message, fix, optimizer, device = found
        return _error(message, frames, error, fix, None, device, optimizer)
    inner = frames[-1] if frames else None
    what = inner.source.removeprefix("return ") if inner is not None else "an operation"
    layer = _failing_layer(error) if _two_accelerators(mismatch) else None
    for frame in reversed(frames):  # the innermost first: it is where they met
        try:
            explained = _explain_in_frame(frame, mismatch, context, what, layer)
        except Exception:
            log.debug("could not read the failing expression", exc_info=True)
            explained = None
        if explained is not None:
            message, fix, culprit, movable, device = explained
            return _error(message, frames, error, fix, movable, device, culprit)
    devices = " and ".join(d for d in (mismatch.anchor, mismatch.stray) if d)
    said = f" ({devices})" if devices else ""
    message = (
        f"{what} mixes devices{said}; the tensors that met could not be read without running "
        "code. Fix: move every tensor of this line to one device (x.to(device))."
    )
    return _error(message, frames, error, None, None, None)


# finding the culprit in one frame --------------------------------------------------------------


@dataclass
class _Context:
    names_by_id: dict[int, str]
    namespace: dict
    is_hidden: Callable[[str], bool]
    _module_names: dict[int, str] | None = None

    def module_name(self, module: torch.nn.Module) -> str | None:
        if self._module_names is None:
            self._module_names = {}
            count = 0
            for name, value in list(self.namespace.items()):
                if not isinstance(value, torch.nn.Module) or not self.user_name(name):
                    continue
                count += 1
                if count > _MAX_MODULES:
                    break
                try:
                    for path, sub in value.named_modules():
                        self._module_names.setdefault(id(sub), f"{name}.{path}" if path else name)
                except Exception:
                    continue
        return self._module_names.get(id(module))

    def user_name(self, name: str) -> bool:
        return name.isidentifier() and not is_ipython_name(name) and not self.is_hidden(name)

    def held_as(self, value: object) -> str | None:
        """The notebook's own name for this very object, when a top-level name holds it."""
        name = self.names_by_id.get(id(value)) if isinstance(value, torch.Tensor) else None
        if name is not None and self.user_name(name) and self.namespace.get(name) is value:
            return name
        for key, held in list(self.namespace.items())[:10_000]:
            if held is value and self.user_name(key):
                return key
        return None


_TREES: dict[tuple[str, int], ast.AST | None] = {}


def _tree(filename: str) -> ast.AST | None:
    lines = linecache.getlines(filename)
    source = "".join(lines)
    key = (filename, hash(source))
    if key not in _TREES:
        if len(_TREES) > 64:
            _TREES.clear()
        try:
            _TREES[key] = ast.parse(source) if 0 < len(source) <= _MAX_SOURCE else None
        except SyntaxError:
            _TREES[key] = None
    return _TREES[key]


def _explain_in_frame(
    frame: UserFrame, mismatch: Mismatch, context: _Context, what: str, layer=None
):
    tree = _tree(frame.filename)
    if tree is None:
        return None
    scope = Scope(frame.locals, frame.globals, context.is_hidden)
    parents = parents_of(tree)
    exact = failing_node(tree, frame.position)
    if exact is not None:
        candidates = [exact]
    else:  # no positions (Python 3.10): each operation of the line, innermost first
        statement = _statement_at(tree, frame.lineno)
        if statement is None:
            return None
        candidates = [n for n in reversed(list(ast.walk(statement))) if _is_operation(n)]
    for node in candidates[:64]:
        pieces = [describe(expr, scope, role) for expr, role in operands(node, parents, scope)]
        pieces = [piece for piece in pieces if piece is not None]
        if layer is not None:
            pieces, inside = _with_failing_layer(pieces, layer)
            if inside is not None:
                return _split_model_message(frame, what, inside, layer, context)
        decided = _decide(pieces, mismatch)
        if decided is None:
            continue
        anchor_device, anchor, culprits = decided
        statement = _enclosing_statement(node, parents)
        return _compose(
            frame, what, anchor_device, anchor, culprits, mismatch, context, scope, statement
        )
    return None


def _is_operation(node: ast.AST) -> bool:
    return isinstance(node, (ast.BinOp, ast.Compare, ast.Call, ast.Subscript, ast.AugAssign))


def _statement_at(tree: ast.AST, line: int) -> ast.stmt | None:
    """The simple statement (not a def, loop or branch) that holds ``line``."""
    for node in ast.walk(tree):
        spans = isinstance(node, ast.stmt) and node.lineno <= line <= (node.end_lineno or 0)
        if spans and not hasattr(node, "body"):
            return node
    return None


def _enclosing_statement(node: ast.AST, parents: dict[int, ast.AST]) -> ast.AST:
    while not isinstance(node, ast.stmt) and id(node) in parents:
        node = parents[id(node)]
    return node


def _matches(device: str | None, said: str | None) -> bool:
    """'cuda:0' matches 'cuda:0', and 'cuda' (a conv message's type names no index)."""
    if device is None or said is None:
        return False
    return device == said or (":" not in said and device.split(":")[0] == said)


def _decide(pieces: list[Piece], mismatch: Mismatch):
    """(the device the operation runs on, a piece there, the pieces off it), or None."""
    known = [piece for piece in pieces if piece.device is not None]
    unknown = [piece for piece in pieces if piece.device is None]
    anchor_device, stray_device = mismatch.anchor, mismatch.stray
    if mismatch.role == "index":
        indices = [p for p in known if p.role == "index" and p.device != "cpu"]
        if not indices:
            return None
        anchor_device = indices[0].device
        culprits = [p for p in known if p.role == "input" and p.device == "cpu"]
        return (anchor_device, indices[0], culprits) if culprits else None
    if anchor_device is None or stray_device is None:
        devices = list(dict.fromkeys(piece.device for piece in known))
        if len(devices) != 2:
            return None
        first, second = devices
        anchor_device, stray_device = (second, first) if first == "cpu" else (first, second)
    if "cpu" not in (anchor_device, stray_device):
        # Two accelerators: a layer stays where it was placed (a model split over devices),
        # so its input is what is on the wrong device.
        layers = [p for p in known if p.origin == "module" and isinstance(p.value, torch.nn.Module)]
        inputs = [p for p in known if p not in layers and layers and p.device != layers[0].device]
        if layers and inputs:
            return layers[0].device, layers[0], inputs
    anchors = [p for p in known if _matches(p.device, anchor_device)]
    strays = [p for p in known if _matches(p.device, stray_device)]
    if anchors:
        anchor_device = anchors[0].device
    if strays and stray_device == "cpu" and (unknown or len(strays) > 1):
        # A CPU 0-dim tensor may sit beside device tensors; one of more dimensions may not.
        sure = [p for p in strays if p.zero_dim is False or p.origin != "value"]
        if sure:
            strays = sure
        elif unknown:
            return None
    if strays:
        return anchor_device, (anchors[0] if anchors else None), strays
    nameable = [p for p in unknown if not isinstance(p.node, (ast.Name, ast.Constant))]
    if len(unknown) == 1 and nameable and anchors:
        return anchor_device, anchors[0], nameable  # described by its text and PyTorch's words
    return None


# models split over devices --------------------------------------------------------------------

_DEVICE_MAP_RULE = "models split with device_map take their inputs on the first layer's device"


def _two_accelerators(mismatch: Mismatch) -> bool:
    said = (mismatch.anchor, mismatch.stray)
    return None not in said and "cpu" not in said and mismatch.role != "index"


def _failing_layer(error: BaseException):
    """(the layer whose forward raised, its input) from the error's frames, innermost
    first, library frames included: ``model(x)`` of a split model fails inside one of its
    layers, which the cell's line does not show. None when no layer on one device took a
    tensor there."""
    found = None
    for frame, _, _ in _walk(getattr(error, "__traceback__", None)):
        code = frame.f_code
        if code.co_name != "forward" or code.co_argcount < 2:
            continue
        layer = frame.f_locals.get(code.co_varnames[0])
        given = frame.f_locals.get(code.co_varnames[1])
        if isinstance(layer, torch.nn.Module) and isinstance(given, torch.Tensor):
            try:
                placed = module_devices(layer)
                if len(placed) == 1 and placed[0] != str(given.device):
                    found = (layer, given)
            except Exception:  # an odd module or tensor: not this one
                continue
    return found


def _with_failing_layer(pieces: list[Piece], layer):
    """The pieces with a module that holds the failing layer replaced by that layer (its one
    device), and, when the layer's input is none of the line's tensors, the module piece: the
    input was made inside the model, between its layers."""
    module, given = layer
    for index, piece in enumerate(pieces):
        value = piece.value
        if piece.origin != "module" or not isinstance(value, torch.nn.Module):
            continue
        if value is not module and not any(sub is module for sub in value.modules()):
            continue
        device = module_devices(module)[0]
        if not any(other.value is given for other in pieces):
            return pieces, piece
        replaced = Piece(piece.node, device, "module", piece.root, module, role=piece.role)
        return [*pieces[:index], replaced, *pieces[index + 1 :]], None
    return pieces, None


def _split_model_message(frame: UserFrame, what: str, piece: Piece, layer, context: _Context):
    """A model whose layers sit on two devices passed a tensor between them without moving it."""
    module, given = layer
    device, input_device = module_devices(module)[0], str(given.device)
    layer_name = context.module_name(module) or "a layer"
    outer = context.module_name(piece.value)
    top = outer.split(".")[0] if outer else None
    message = (
        f"{what} mixes devices: {layer_name} is on {device}, its input (made inside "
        f"{_code(piece.node)}, by the layer before) is on {input_device}; {_DEVICE_MAP_RULE}, "
        "and each layer's input must be moved to its device as it passes (device_map's hooks "
        f"do that). Fix: "
    )
    if top is None:
        fix = Fix(f"move each layer's input to its device in the forward of {_code(piece.node)}")
        return message + fix.text, fix, layer_name, None, input_device
    line = f'{top}.to("{input_device}")'
    fix = Fix(
        f"{line} puts the whole model on one device; or move each layer's input to its device "
        "in its forward",
        run=line,
    )
    return message + fix.text, fix, layer_name, top, input_device


# the message and its fix -----------------------------------------------------------------------


def _compose(frame, what, anchor_device, anchor, culprits, mismatch, context, scope, statement):
    culprit = culprits[0]
    stray_device = culprit.device or mismatch.stray or "another device"
    label = _label(culprit, context, stray_device)
    anchor_label = _label(anchor, context, anchor_device) if anchor is not None else None
    anchor_code = _anchor_code(anchor, anchor_device, scope, statement)
    lead = f"{what} mixes devices: "
    split = (
        anchor is not None
        and anchor.origin == "module"
        and isinstance(anchor.value, torch.nn.Module)
        and "cpu" not in (anchor_device, stray_device)
    )
    if split:
        # A layer stays where it was placed (a model split over devices): its input is what
        # is on the wrong device.
        layer_name = context.module_name(anchor.value) or _code(anchor.node)
        lead += f"{layer_name} is on {anchor_device}, its input "
    elif anchor_label is not None:
        lead += f"{anchor_label} is on {anchor_device}, "
    role = {"hidden": " (the RNN's hidden state)", "cell": " (the LSTM's cell state)"}.get(
        mismatch.role, ""
    )
    lead += f"{label}{role} is on {stray_device}."
    if split:
        lead = f"{lead[:-1]}; {_DEVICE_MAP_RULE}."
    if len(culprits) > 1:
        others = ", ".join(_label(p, context, stray_device) for p in culprits[1:4])
        lead += f" So {'is' if len(culprits) == 2 else 'are'} {others}."
    cause, fix, movable = _cause_and_fix(
        frame, culprits, label, anchor_device, anchor_code, context
    )
    message = f"{lead} {cause}Fix: {fix.text}"
    return message, fix, label, movable, anchor_device


def _label(piece: Piece, context: _Context, device: str | None) -> str:
    """The user's name for what to fix: the notebook's name, a module's path, or the code of
    the expression that made it (the call, not its contents)."""
    value, root = piece.value, piece.root
    if piece.origin == "plain attribute" and isinstance(root, ast.Attribute):
        owner = context.module_name(piece.owner) if piece.owner is not None else None
        if owner is not None:
            return f"{owner}.{root.attr}"
    if isinstance(value, torch.Tensor):
        name = context.names_by_id.get(id(value))
        top = (name or "").split(".")[0].split("[")[0]
        if name is not None and not is_ipython_name(top):
            return name
    if isinstance(piece.node, ast.Call) and piece.origin in ("module", "computed", "call"):
        return _code(piece.node)  # a layer's output, a result: its call, as written
    if isinstance(value, torch.nn.Module) and piece.origin == "module":
        for path, tensor in _module_tensors(value):
            if _matches(str(tensor.device), device):
                name = context.names_by_id.get(id(tensor))
                if name is not None:
                    return name
                owner = context.module_name(value)
                if owner is not None:
                    return f"{owner}.{path}"
                break
    return _code(root)


def _module_tensors(module: torch.nn.Module):
    try:
        return list(module.named_parameters()) + list(module.named_buffers())
    except Exception:
        return []


def _code(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:
        return "an operand"


def _anchor_code(anchor: Piece | None, device: str, scope: Scope, statement) -> str:
    """What names the anchor's device in the fix: `x.device` where the line has such an `x`."""
    if anchor is not None and isinstance(anchor.value, torch.Tensor) and is_pure(anchor.node):
        return f"{_code(anchor.node)}.device"
    layer = anchor is not None and isinstance(anchor.value, torch.nn.Module)
    if layer and isinstance(anchor.node, ast.Name) and is_pure(anchor.node):
        # A layer held by a plain name (``for layer in self.layers``): its own device, right
        # for every layer the name takes.
        return f"next({_code(anchor.node)}.parameters()).device"
    for node in ast.walk(statement):
        if isinstance(node, (ast.Name, ast.Attribute)) and is_pure(node):
            value = read(node, scope)
            if isinstance(value, torch.Tensor) and str(value.device) == device:
                return f"{_code(node)}.device"
    return f'"{device}"'


def _cause_and_fix(frame: UserFrame, culprits, label, device, anchor_code, context):
    """(the cause in words, the Fix, the notebook name a button may move)."""
    culprit = culprits[0]
    held = _held(culprit, context)
    if held is not None and len(culprits) == 1:
        name, kind = held
        if kind == "tensor":
            line = f'{name} = {name}.to("{device}")'
            return "", Fix(line, run=line), name
        line = f'{name}.to("{device}")'
        what = "its parameters" if culprit.origin != "module" else "the module"
        return (
            f"{name}.to() moves {what} and buffers in place. ",
            Fix(line, run=line),
            name,
        )
    edits = []
    for piece in culprits:
        edit = _edit(piece, frame, anchor_code)
        if edit is None:
            edits = []
            break
        edits.append(edit)
    fix = Fix("", line=_physical_line(frame), where=frame.where, edits=tuple(edits))
    in_function = f" (in {frame.function})" if frame.function != "<module>" else ""
    new_line = fix.edited_line().strip() if edits else ""
    code = _code(culprit.root)
    if culprit.origin == "plain attribute":
        attr = culprit.root.attr if isinstance(culprit.root, ast.Attribute) else code
        owner = label.rsplit(".", 1)[0]
        cause = (
            f"{label} is a plain tensor attribute of {owner}, not a parameter or buffer, so "
            f"{owner}.to() did not move it. "
        )
        text = (
            f'self.register_buffer("{attr}", ...) in __init__ instead of self.{attr} = ...; '
            f"or .to() where it is used{in_function}: {new_line}"
            if new_line
            else f'self.register_buffer("{attr}", ...) in __init__ instead of self.{attr} = ...'
        )
        return cause, _with_text(fix, text), None
    if culprit.origin in ("factory", "tensor call"):
        cause = (
            f"{code} makes a new tensor on the {culprit.device}, whatever the device of what it "
            "holds (no device= given). "
            if culprit.origin == "tensor call"
            else f"{code} is made on the {culprit.device} (no device= given). "
        )
        return cause, _with_text(fix, _edit_text(new_line, in_function, "give it device=")), None
    if culprit.origin == "legacy":
        cause = f"{code} always makes a CPU tensor. "
        return cause, _with_text(fix, _edit_text(new_line, in_function, "move it")), None
    if culprit.origin == "call":
        cause = (
            f"{code} gives a tensor on {culprit.device or 'another device'} (PyTorch found "
            f"{culprit.device or 'two devices'} beside {device}). "
        )
        return cause, _with_text(fix, _edit_text(new_line, in_function, "move its result")), None
    if culprit.origin == "parameter" and isinstance(culprit.owner, torch.nn.Module):
        owner = context.module_name(culprit.owner) or _code(culprit.root).rsplit(".", 1)[0]
        return "", _with_text(fix, _edit_text(new_line, in_function, f"move {owner}")), None
    return "", _with_text(fix, _edit_text(new_line, in_function, f"move {label}")), None


def _with_text(fix: Fix, text: str) -> Fix:
    return Fix(text, fix.run, fix.line, fix.where, fix.edits)


def _edit_text(new_line: str, in_function: str, otherwise: str) -> str:
    return f"{new_line}{in_function}" if new_line else f"{otherwise}, on the same device"


def _held(piece: Piece, context: _Context) -> tuple[str, str] | None:
    """(name, 'tensor' or 'module') when the notebook holds the culprit under a plain name."""
    if piece.origin == "plain attribute":
        return None
    value = piece.value
    if piece.origin in ("value",) and isinstance(value, torch.Tensor) and piece.node is piece.root:
        name = context.held_as(value)
        return (name, "tensor") if name is not None else None
    module = piece.owner if piece.origin == "parameter" else value
    if piece.origin in ("parameter", "module") and isinstance(module, torch.nn.Module):
        path = context.module_name(module)
        if path is not None:
            top = path.split(".")[0]
            return top, "module"
    return None


def _edit(piece: Piece, frame: UserFrame, anchor_code: str):
    node = piece.root
    if node.lineno != frame.lineno or node.end_lineno != node.lineno:
        return None  # the fix would be on another line than the one shown
    line = _physical_line(frame)
    segment = line[node.col_offset : node.end_col_offset]
    try:
        if ast.unparse(ast.parse(segment, mode="eval").body) != ast.unparse(node):
            return None  # the expression is not written as such on the line
    except SyntaxError:
        return None
    if piece.origin in ("factory", "tensor call") and segment.endswith(")"):
        inside = segment[segment.index("(") + 1 : -1].strip() if "(" in segment else ""
        new = f"{segment[:-1]}{', ' if inside else ''}device={anchor_code})"
    elif piece.origin == "module":
        new = f"{_atom(segment)}.to({anchor_code})"
    else:
        new = f"{_atom(segment)}.to({anchor_code})"
    return node.col_offset, node.end_col_offset, new


def _physical_line(frame: UserFrame) -> str:
    return linecache.getline(frame.filename, frame.lineno).rstrip("\n")


# optimizer state -------------------------------------------------------------------------------


def _optimizer_state_mismatch(frames: list[UserFrame], context: _Context):
    """optimizer.step() with its state left on another device (the model moved after)."""
    for frame in reversed(frames):
        scope = Scope(frame.locals, frame.globals, context.is_hidden)
        for optimizer, code in _optimizers_on_line(frame, scope):
            found = optimizer_state_on_other_device(optimizer)
            if found is None:
                continue
            param, key, state = found
            label = context.names_by_id.get(id(param), "a parameter")
            held = context.held_as(optimizer)
            message = optimizer_message(code, label, param, key, state)
            device = str(param.device)
            if held is None:
                return message, Fix(_optimizer_fix_text(code)), code, device
            line = f"{held}.load_state_dict({held}.state_dict())"
            return message, Fix(_optimizer_fix_text(code), run=line), code, device
    return None


def _optimizers_on_line(frame: UserFrame, scope: Scope) -> Iterator[tuple[object, str]]:
    try:
        tree = ast.parse(frame.source)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if isinstance(node, (ast.Name, ast.Attribute)):
            value = read(node, scope)
            if isinstance(value, torch.optim.Optimizer):
                yield value, _code(node)


def optimizer_state_on_other_device(optimizer):
    """(parameter, state key, state tensor) for the first state left on another device."""
    for group in optimizer.param_groups:
        for param in group["params"]:
            for _, key, value in optimizer_state(optimizer, param):
                if value.device != param.device and not (key == "step" and value.dim() == 0):
                    return param, key, value
    return None


def optimizer_message(optimizer_name: str, label: str, param, key: str, value) -> str:
    return (
        f"{optimizer_name}.step() mixes devices: {label} is on {param.device}, "
        f"its optimizer state {key!r} is on {value.device}: the model was moved after the "
        f"optimizer had state. Fix: {_optimizer_fix_text(optimizer_name)}"
    )


def _optimizer_fix_text(name: str) -> str:
    return (
        f"{name}.load_state_dict({name}.state_dict()) moves its state to its parameters' "
        "devices (or move the module with the panel, or recreate the optimizer after moving "
        "the model)."
    )


# frames ----------------------------------------------------------------------------------------


def _error(message, frames, cause, fix, name, device, culprit=None) -> CrossDeviceError:
    where = _where(frames)
    error = CrossDeviceError(message + where, name=name, device=device)
    error.__cause__ = cause
    error.frames = tuple((frame.where, frame.source) for frame in frames)
    text = str(cause) if cause is not None else ""
    error.pytorch_message = text.splitlines()[0] if text else ""
    error.fix = fix
    error.culprit = culprit
    return error


def _where(frames: list[UserFrame]) -> str:
    if not frames:
        return ""
    outer, inner = frames[0], frames[-1]
    where = f" ({outer.where}: {outer.source}"
    if inner is not outer:
        where += f"; in {inner.function}: {inner.source}"
    return where + ")"


def user_frames(
    tb, is_user_file: Callable[[str], bool], cell_label: Callable[[str], str | None]
) -> list[UserFrame]:
    """The traceback's frames in the user's code, outermost first."""
    frames = []
    for frame, lineno, lasti in _walk(tb):
        filename = frame.f_code.co_filename
        if not is_user_file(filename):
            continue
        label = cell_label(filename) or filename.rsplit("/", 1)[-1]
        where = f"{label}, line {lineno}"
        if frame.f_code.co_name != "<module>":
            where += f", in {frame.f_code.co_name}"
        source = linecache.getline(filename, lineno).strip()
        frames.append(
            UserFrame(
                where,
                source,
                frame.f_code.co_name,
                dict(frame.f_locals),
                frame.f_globals,
                filename,
                lineno,
                _position(frame.f_code, lasti),
            )
        )
    return frames


def _position(code, lasti: int) -> tuple | None:
    positions = getattr(code, "co_positions", None)
    if positions is None or lasti < 0:
        return None
    for index, position in enumerate(positions()):
        if index == lasti // 2:
            return position
    return None


def _walk(tb) -> Iterator:
    while tb is not None:
        yield tb.tb_frame, tb.tb_lineno, tb.tb_lasti
        tb = tb.tb_next
