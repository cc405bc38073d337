"""The tensors that met in the failing expression, read from its frame without running code.

PyTorch refused one operation; Python knows which (the instruction that raised, with its
source position). Its operands are read here from the frame: names, attributes through the
object's own ``__dict__`` (a module's through its parameter, buffer and submodule tables),
subscripts of exact lists, tuples and dicts. Nothing is called: no property, no
``__getattr__``, no ``__getitem__`` of a user's class. An operand that cannot be read, such
as a call, keeps its source text, and its device where PyTorch's rules give it for certain
(``torch.ones(3)`` without ``device=`` is made on the default device; ``x.float()`` stays on
``x``'s device; a torch layer's output is on its parameters' device).
"""

from __future__ import annotations

import ast
import re
import types
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from tensor_inspector import devices
from tensor_inspector.guard.precheck import (
    FACTORIES,
    LIKE_FACTORIES,
    NEW_FACTORIES,
    SAME_DEVICE,
    SAME_RANK,
    TORCH_NAMESPACES,
    canonical_device,
    dotted_name,
)

MISSING = object()
_MAX_ITEMS = 10_000  # a list longer than this is not looked into
# IPython's own names, never the user's: _, __, ___, _5, _i, _i5, _ii, _iii, _ih, _oh, _dh, In, Out
_IPYTHON_NAME = re.compile(r"^(_+|_\d+|_i+|_i\d+|_ih|_oh|_dh|In|Out|exit|quit|get_ipython)$")
_LEGACY_TYPES = re.compile(
    r"^torch\.(Float|Double|Half|BFloat16|Long|Int|Short|Char|Byte|Bool)Tensor$"
)
_TENSOR_VIEWS = frozenset({"T", "mT", "H", "mH", "data"})


@dataclass
class Scope:
    """A frame's names, and which of them belong to IPython rather than the user."""

    locals: dict
    globals: dict
    is_hidden: Callable[[str], bool] = field(default=lambda name: False)

    def lookup(self, name: str) -> object:
        if _IPYTHON_NAME.match(name) or self.is_hidden(name):
            return MISSING
        if name in self.locals:
            return self.locals[name]
        return self.globals.get(name, MISSING)


@dataclass(frozen=True)
class Piece:
    """One operand of the failing operation.

    origin says where its device comes from: "value" (a tensor read from the frame),
    "parameter" (a module's parameter or buffer), "plain attribute" (a tensor kept in a
    module's ``__dict__``: ``.to()`` does not move it), "module" (a module: its parameters),
    "factory" (made without ``device=``), "tensor call" (``torch.tensor(...)``), "legacy"
    (``torch.FloatTensor(...)``, always on the cpu), "computed" (a result whose device follows
    its operands), "call" (anything else; device unknown).
    """

    node: ast.expr  # the operand as written
    device: str | None  # None: not known
    origin: str
    root: ast.expr  # what to fix: the attribute, the factory call, the name
    value: object = None  # the tensor or module read (root's value), if read
    owner: object = None  # for a plain attribute or a parameter: the module that holds it
    zero_dim: bool | None = None
    role: str = "input"  # "input", "index", "value" (written by index_put), "self"


def failing_node(tree: ast.AST, position) -> ast.AST | None:
    """The expression (or statement) at exactly ``position``: (line, end line, column, end
    column) of the instruction that raised, as ``code.co_positions()`` gives it."""
    if position is None or None in position:
        return None
    line, end_line, column, end_column = position
    found = None
    for node in ast.walk(tree):
        if (
            getattr(node, "lineno", None) == line
            and getattr(node, "end_lineno", None) == end_line
            and getattr(node, "col_offset", None) == column
            and getattr(node, "end_col_offset", None) == end_column
            and isinstance(node, (ast.expr, ast.stmt))
            and (found is None or isinstance(node, ast.expr))
        ):
            found = node
    return found


def parents_of(tree: ast.AST) -> dict[int, ast.AST]:
    return {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def operands(
    node: ast.AST, parents: dict[int, ast.AST], scope: Scope
) -> list[tuple[ast.expr, str]]:
    """The expressions an operation takes, each with its role."""
    if isinstance(node, ast.BinOp):
        return [(node.left, "input"), (node.right, "input")]
    if isinstance(node, ast.Compare):
        return [(node.left, "input")] + [(c, "input") for c in node.comparators]
    if isinstance(node, ast.UnaryOp):
        return [(node.operand, "input")]
    if isinstance(node, ast.AugAssign):
        return [(node.target, "self"), (node.value, "input")]
    if isinstance(node, ast.Subscript):
        found = [(node.value, "input")]
        index = node.slice
        parts = index.elts if isinstance(index, ast.Tuple) else [index]
        found += [(part, "index") for part in parts if not isinstance(part, ast.Slice)]
        parent = parents.get(id(node))
        if isinstance(node.ctx, ast.Store) and isinstance(parent, (ast.Assign, ast.AugAssign)):
            found.append((parent.value, "value"))
        return found
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        if isinstance(target, ast.Subscript):
            return operands(target, {id(target): node}, scope)
        return []
    if isinstance(node, ast.Call):
        found = []
        func = node.func
        if isinstance(read(func, scope), torch.nn.Module):
            found.append((func, "input"))  # layer(x): x meets the layer's parameters
        elif isinstance(func, ast.Attribute) and not _is_torch_namespace(func.value):
            receiver = read(func.value, scope)
            if not isinstance(receiver, (types.ModuleType, type, torch.nn.Module)):
                found.append((func.value, "input"))  # x.add(y): x is an operand
        for arg in node.args:
            value = arg.value if isinstance(arg, ast.Starred) else arg
            if isinstance(value, (ast.List, ast.Tuple)):
                found += [(element, "input") for element in value.elts]
            elif type(read(value, scope)) in (tuple, list):  # an LSTM's (h, c)
                found += [(_item_of(value, i), "input") for i in range(len(read(value, scope)[:8]))]
            else:
                found.append((value, "input"))
        found += [(kw.value, "input") for kw in node.keywords if kw.arg not in (None, "device")]
        return found
    return []


def _item_of(node: ast.expr, index: int) -> ast.Subscript:
    """``node[index]``, placed where ``node`` is written."""
    item = ast.Subscript(value=node, slice=ast.Constant(index), ctx=ast.Load())
    return ast.copy_location(item, node)


# reading ---------------------------------------------------------------------------------------


def read(node: ast.expr, scope: Scope) -> object:
    """The value of a name, attribute or subscript, read without running code; else MISSING."""
    try:
        return _read(node, scope)
    except Exception:  # an odd object: simply not read
        return MISSING


def _read(node: ast.expr, scope: Scope) -> object:
    if isinstance(node, ast.Name):
        return scope.lookup(node.id)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Attribute):
        owner = _read(node.value, scope)
        return MISSING if owner is MISSING else attribute(owner, node.attr)
    if isinstance(node, ast.Subscript):
        base = _read(node.value, scope)
        if base is MISSING or isinstance(node.slice, (ast.Slice, ast.Tuple)):
            return MISSING
        index = _read(node.slice, scope)
        return MISSING if index is MISSING else _item(base, index)
    return MISSING


def attribute(owner: object, name: str) -> object:
    """``owner.name`` as Python would find it, when that runs none of the owner's code."""
    if isinstance(owner, types.ModuleType):
        return owner.__dict__.get(name, MISSING)
    if isinstance(owner, torch.Tensor):
        return MISSING  # computed attributes (.T, .data) have their own reading
    if isinstance(owner, type):
        for klass in owner.__mro__:
            if name in klass.__dict__:
                value = klass.__dict__[name]
                return MISSING if hasattr(type(value), "__get__") else value
        return MISSING
    kind = type(owner)
    if kind.__getattribute__ is not object.__getattribute__:
        return MISSING  # a class that intercepts every read
    for klass in kind.__mro__:
        if name in klass.__dict__ and hasattr(type(klass.__dict__[name]), "__set__"):
            return MISSING  # a property or other data descriptor: reading runs code
    try:
        own = object.__getattribute__(owner, "__dict__")
    except AttributeError:
        return MISSING
    if name in own:
        return own[name]
    if isinstance(owner, torch.nn.Module):
        for table in ("_parameters", "_buffers", "_modules"):
            entries = own.get(table) or {}
            if name in entries:
                return entries[name]
    return MISSING


def _item(base: object, index: object) -> object:
    if type(index) not in (int, str):
        return MISSING
    if type(base) in (list, tuple) and type(index) is int and len(base) <= _MAX_ITEMS:
        return base[index] if -len(base) <= index < len(base) else MISSING
    if type(base) is dict:
        return base.get(index, MISSING)
    if type(base) in (torch.nn.ModuleList, torch.nn.Sequential) and type(index) is int:
        modules = list(object.__getattribute__(base, "_modules").values())
        return modules[index] if -len(modules) <= index < len(modules) else MISSING
    if type(base) is torch.nn.ModuleDict and type(index) is str:
        return object.__getattribute__(base, "_modules").get(index, MISSING)
    return MISSING


# devices ---------------------------------------------------------------------------------------


def module_devices(module: torch.nn.Module) -> list[str]:
    """The devices of a module's parameters and buffers, in order of first appearance."""
    found: list[str] = []
    for tensors in (module.parameters(), module.buffers()):
        for tensor in tensors:
            device = str(tensor.device)
            if device not in found:
                found.append(device)
    return found


def describe(node: ast.expr, scope: Scope, role: str = "input") -> Piece | None:
    """The operand as a Piece; None if it is certainly not a tensor (a number, a string)."""
    value = read(node, scope)
    if value is not MISSING:
        return _described_value(node, value, scope, role)
    if isinstance(node, (ast.Name, ast.Constant)):
        return Piece(node, None, "call", node, role=role)  # a hidden name: never named
    if isinstance(node, ast.Attribute) and node.attr in _TENSOR_VIEWS:
        base = describe(node.value, scope, role)
        return _following(node, base, role) if base is not None else None
    if isinstance(node, ast.Attribute):
        return Piece(node, None, "call", node, role=role)
    if isinstance(node, ast.Subscript):
        base = describe(node.value, scope, role)
        if base is None or base.device is None:
            return Piece(node, None, "call", node, role=role)
        return _following(node, base, role, zero_dim=None)
    if isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.Not):
        operand = describe(node.operand, scope, role)
        return _following(node, operand, role) if operand is not None else None
    if isinstance(node, (ast.BinOp, ast.Compare)):
        return _computed(node, scope, role)
    if isinstance(node, ast.Call):
        return _call(node, scope, role)
    if isinstance(node, (ast.List, ast.Tuple, ast.Dict, ast.JoinedStr, ast.Lambda)):
        return None
    return Piece(node, None, "call", node, role=role)


def _described_value(node, value, scope: Scope, role: str) -> Piece | None:
    if isinstance(value, torch.Tensor):
        origin, owner = "value", None
        if isinstance(node, ast.Attribute):
            holder = read(node.value, scope)
            if isinstance(holder, torch.nn.Module):
                own = object.__getattribute__(holder, "__dict__")
                plain = node.attr in own and own[node.attr] is value
                origin, owner = ("plain attribute" if plain else "parameter"), holder
        return Piece(node, _device(value), origin, node, value, owner, _zero_dim(value), role)
    if isinstance(value, torch.nn.Module):
        found = module_devices(value)
        device = found[0] if len(found) == 1 else None
        return Piece(node, device, "module", node, value, role=role)
    return None  # a number, a string, a device: not an operand that can be on a device


def _device(tensor: torch.Tensor) -> str | None:
    try:
        return str(tensor.device)
    except Exception:
        return None


def _zero_dim(tensor: torch.Tensor) -> bool | None:
    try:
        return tensor.dim() == 0
    except Exception:
        return None


def _following(node, base: Piece, role: str, zero_dim: bool | None = MISSING) -> Piece:
    """A result on its operand's device: what fixes the operand fixes it."""
    return Piece(
        node,
        base.device,
        base.origin,
        base.root,
        base.value,
        base.owner,
        base.zero_dim if zero_dim is MISSING else zero_dim,
        role,
    )


def _computed(node, scope: Scope, role: str) -> Piece:
    sides = (
        [node.left, node.right] if isinstance(node, ast.BinOp) else [node.left, *node.comparators]
    )
    pieces = [describe(side, scope, role) for side in sides]
    tensors = [piece for piece in pieces if piece is not None]
    if any(piece.device is None for piece in tensors) or not tensors:
        return Piece(node, None, "call", node, role=role)
    devices = {piece.device for piece in tensors}
    if len(tensors) == 1:
        return _following(node, tensors[0], role)
    device = next((d for d in devices if d != "cpu"), "cpu")
    return Piece(node, device, "computed", node, role=role)


def _call(node: ast.Call, scope: Scope, role: str) -> Piece:
    func = node.func
    dotted = dotted_name(func)
    keywords = {kw.arg: kw.value for kw in node.keywords if kw.arg}
    unknown = Piece(node, None, "call", node, role=role)
    if dotted is not None and _LEGACY_TYPES.match(_torch_path(dotted) or ""):
        return Piece(node, "cpu", "legacy", node, role=role, zero_dim=False)
    if isinstance(func, ast.Attribute) and _is_torch_namespace(func.value):
        name = func.attr
        if name in FACTORIES:
            if "device" in keywords:
                device = device_of(keywords["device"], scope)
                return Piece(node, device, "computed", node, role=role) if device else unknown
            origin = "tensor call" if name in ("tensor", "as_tensor") else "factory"
            if name == "as_tensor" and node.args:
                return unknown  # as_tensor keeps a tensor's device
            return Piece(node, _default_device(), origin, node, role=role)
        if name in LIKE_FACTORIES and node.args and "device" not in keywords:
            base = describe(node.args[0], scope, role)
            return Piece(node, base.device, "computed", node, role=role) if base else unknown
        if (name in SAME_RANK or name in SAME_DEVICE) and node.args and "device" not in keywords:
            base = describe(node.args[0], scope, role)
            return _following(node, base, role, None) if base is not None else unknown
        return unknown
    callee = read(func, scope)
    if isinstance(callee, torch.nn.Module):
        found = module_devices(callee)
        if len(found) == 1 and type(callee).__module__.startswith("torch.nn."):
            # torch's own layer: its output is where its parameters are
            return Piece(node, found[0], "module", func, callee, role=role)
        return unknown
    if isinstance(func, ast.Attribute):
        method = func.attr
        receiver = read(func.value, scope)
        if isinstance(receiver, (types.ModuleType, type)):
            return unknown
        if isinstance(receiver, torch.nn.Module):
            return unknown  # model.encode(x): the user's method may move anything
        base = describe(func.value, scope, role)
        if base is None or base.origin == "module":
            return unknown
        if method in ("to", "cuda", "cpu", "type_as") or method in NEW_FACTORIES:
            device = _moved_to(method, node, base, scope)
            return Piece(node, device, "computed", node, role=role) if device else unknown
        if method in SAME_RANK or method in SAME_DEVICE or method in ("type", "view_as"):
            if method == "type" and node.args and not _is_dtype_arg(node.args[0]):
                return unknown  # .type(torch.cuda.FloatTensor) moves it
            return _following(node, base, role, None)
        return unknown
    return unknown


def _moved_to(method: str, node: ast.Call, base: Piece, scope: Scope) -> str | None:
    if method == "cpu":
        return "cpu"
    if method == "cuda":
        if not node.args:
            return f"cuda:{_current_index()}"
        return device_of(node.args[0], scope)
    if method == "type_as":
        other = describe(node.args[0], scope) if node.args else None
        return other.device if other is not None else None
    if method in NEW_FACTORIES:
        for kw in node.keywords:
            if kw.arg == "device":
                return device_of(kw.value, scope)
        return base.device
    candidates = list(node.args) + [kw.value for kw in node.keywords if kw.arg == "device"]
    for arg in candidates:
        if _is_dtype_arg(arg):
            continue
        device = device_of(arg, scope)
        return device
    return base.device  # .to(torch.float16) changes the dtype only


def device_of(node: ast.expr, scope: Scope) -> str | None:
    """The device an argument names: 'cuda', torch.device(...), a tensor's .device, a tensor."""
    value = read(node, scope)
    if isinstance(node, ast.Attribute) and node.attr == "device":
        owner = describe(node.value, scope)
        return owner.device if owner is not None else None
    if isinstance(value, torch.Tensor):
        return _device(value)
    if isinstance(value, (torch.device, str)) and len(str(value)) < 32:
        return _index_device(canonical_device(str(value), _current_index()))
    if isinstance(value, int) and not isinstance(value, bool):
        return None
    is_device_call = isinstance(node, ast.Call) and dotted_name(node.func) == "torch.device"
    if is_device_call and node.args and isinstance(node.args[0], ast.Constant):
        return _index_device(canonical_device(str(node.args[0].value), _current_index()))
    return None


def _current_index() -> int:
    """The device a bare 'cuda' means when the cell ran: the current one, as PyTorch reads it."""
    return devices.current_index()


def _index_device(device: str | None) -> str | None:
    """'cuda' means the current device: index 0 unless the user changed it."""
    if device is None or ":" not in device or device.split(":")[0] == "cpu":
        return device
    kind, _, index = device.partition(":")
    if kind == "cuda" and torch.cuda.is_available():
        return f"cuda:{index}"
    return device


def _default_device() -> str:
    try:
        return str(torch.get_default_device())
    except Exception:
        return "cpu"


def _is_dtype_arg(node: ast.expr) -> bool:
    dotted = dotted_name(node)
    return bool(dotted) and isinstance(getattr(torch, dotted.split(".")[-1], None), torch.dtype)


def _is_torch_namespace(node: ast.expr) -> bool:
    return dotted_name(node) in TORCH_NAMESPACES or dotted_name(node) == "torch.nn.functional"


def _torch_path(dotted: str) -> str | None:
    return dotted if dotted.startswith("torch.") else None


def is_pure(node: ast.expr) -> bool:
    """A name, attribute or subscript chain with constant indices: safe to write twice."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, (ast.Constant, ast.Name)):
            return False
        node = node.value
    return isinstance(node, ast.Name) and not _IPYTHON_NAME.match(node.id)


def is_ipython_name(name: str) -> bool:
    return bool(_IPYTHON_NAME.match(name))
