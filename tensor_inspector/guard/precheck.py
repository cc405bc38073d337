"""Read a cell's source, before it runs, for operations certain to mix devices.

Pure: it takes the parsed cell and what the namespace holds (devices of tensors, modules and
device variables) and returns findings. It follows assignments in order, so a cell that
moves a tensor before using it is not flagged. It only flags what is certain: every operand
known, in the cell's top-level straight-line code (not in loops, branches, try/except or
functions). Anything it does not understand makes the names involved unknown.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from tensor_inspector.guard.op_table import OpTable
from tensor_inspector.guard.rules import (
    Operand,
    OpName,
    common_device,
    explain,
    has_rule,
    mismatch,
    op_name,
)

FACTORIES = frozenset(
    {"ones", "zeros", "empty", "full", "rand", "randn", "randint", "arange", "linspace",
     "eye", "tensor", "as_tensor", "ones_like", "zeros_like", "randn_like", "rand_like",
     "full_like", "empty_like", "logspace"}
)  # fmt: skip
LIKE_FACTORIES = frozenset(
    {"ones_like", "zeros_like", "randn_like", "rand_like", "full_like", "empty_like"}
)
BINARY_OPS = {
    ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.FloorDiv: "floor_divide",
    ast.Mod: "remainder", ast.Pow: "pow", ast.MatMult: "matmul", ast.BitAnd: "bitwise_and",
    ast.BitOr: "bitwise_or", ast.BitXor: "bitwise_xor",
}  # fmt: skip
COMPARE_OPS = {
    ast.Eq: "eq",
    ast.NotEq: "ne",
    ast.Lt: "lt",
    ast.LtE: "le",
    ast.Gt: "gt",
    ast.GtE: "ge",
}
SAME_DEVICE = "same device"
SAFE_CALLS = frozenset({"print", "len", "type", "isinstance", "repr", "str", "display"})


@dataclass(frozen=True)
class Known:
    """What the check knows of a value: a tensor on a device, a module, or a device."""

    kind: str  # "tensor", "module" or "device"
    device: str
    zero_dim: bool | None = None  # None: not known


@dataclass(frozen=True)
class Finding:
    line: int  # 1-based, in the cell
    code: str  # the operation, as source
    message: str
    move_name: str | None  # the variable the fix moves, when it is a plain name
    move_to: str


@dataclass
class _State:
    known: dict[str, Known]
    table: OpTable
    findings: list[Finding] = field(default_factory=list)


def canonical_device(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    kind, _, index = text.partition(":")
    if not kind.isidentifier():
        return None
    if kind in ("cpu", "meta"):
        return kind
    if index and not index.isdigit():
        return None
    return f"{kind}:{index or 0}"


def precheck(tree: ast.Module, known: dict[str, Known], table: OpTable) -> list[Finding]:
    state = _State(dict(known), table)
    for statement in tree.body:
        _statement(state, statement)
    return state.findings


def _statement(state: _State, node: ast.stmt) -> None:
    if isinstance(node, ast.Assign):
        value = _expr(state, node.value)
        if _calls_unknown_code(state, node.value):
            state.known.clear()
        for target in node.targets:
            _bind(state, target, value)
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        _bind(state, node.target, _expr(state, node.value))
    elif isinstance(node, ast.AugAssign):
        target = _expr(state, node.target)
        value = _expr(state, node.value)
        base = BINARY_OPS.get(type(node.op))
        if base and target and value:
            _check(
                state,
                node,
                OpName(base, inplace=True),
                [("self", node.target, target), ("input", node.value, value)],
            )
    elif isinstance(node, ast.Expr):
        _expr(state, node.value)
        _effects_of_call(state, node.value)
    elif isinstance(node, (ast.Import, ast.ImportFrom, ast.Pass)):
        for alias in getattr(node, "names", []):
            state.known.pop((alias.asname or alias.name).split(".")[0], None)
    else:
        # Branches, loops, try, with, def, class, del...: not followed; what they bind is unknown.
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and isinstance(inner.ctx, (ast.Store, ast.Del)):
                state.known.pop(inner.id, None)
        if _calls_unknown_code(state, node):
            state.known.clear()


def _bind(state: _State, target: ast.expr, value: Known | None) -> None:
    if isinstance(target, ast.Name):
        if value is None:
            state.known.pop(target.id, None)
        else:
            state.known[target.id] = value
    else:
        for inner in ast.walk(target):
            if isinstance(inner, ast.Name):
                state.known.pop(inner.id, None)


def _effects_of_call(state: _State, node: ast.expr) -> None:
    """`model.to(device)` and `model.cuda()` move a module; an unknown call may do anything."""
    if not isinstance(node, ast.Call):
        return
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        owner = state.known.get(func.value.id)
        if owner is not None and owner.kind == "module" and func.attr in ("to", "cuda", "cpu"):
            device = _target_device(state, func.attr, node)
            if device is None:
                state.known.pop(func.value.id)
            else:
                state.known[func.value.id] = Known("module", device)
            return
    if _calls_unknown_code(state, node):
        state.known.clear()


def _calls_unknown_code(state: _State, node: ast.AST) -> bool:
    """A call of the user's own code (anything but torch, builtins that print, and methods of
    known tensors and modules) could rebind or move any tensor: after it nothing is certain."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call):
            root = _root_name(inner.func)
            if root is None:
                return True
            if root in ("torch", "F", "nn") or root in SAFE_CALLS:
                continue
            if root not in state.known:
                return True
    return False


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


# expressions ---------------------------------------------------------------------------------


def _expr(state: _State, node: ast.expr | None) -> Known | None:
    """What ``node`` evaluates to (None: unknown), recording certain device mixes on the way."""
    if node is None:
        return None
    if isinstance(node, ast.Name):
        return state.known.get(node.id)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            device = canonical_device(node.value)
            return Known("device", device) if device else None
        return None
    if isinstance(node, ast.BinOp):
        left, right = _expr(state, node.left), _expr(state, node.right)
        base = BINARY_OPS.get(type(node.op))
        if base is None:
            return None
        return _tensor_op(
            state, node, OpName(base), [("input", node.left, left), ("input", node.right, right)]
        )
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, right = _expr(state, node.left), _expr(state, node.comparators[0])
        base = COMPARE_OPS.get(type(node.ops[0]))
        if base is None:
            return None
        return _tensor_op(
            state,
            node,
            OpName(base),
            [("input", node.left, left), ("input", node.comparators[0], right)],
        )
    if isinstance(node, ast.Subscript):
        indexed = _expr(state, node.value)
        index = _expr(state, node.slice)
        if indexed is not None and indexed.kind == "tensor":
            if index is not None and index.kind == "tensor":
                _check(
                    state,
                    node,
                    OpName("getitem"),
                    [("input", node.value, indexed), ("index", node.slice, index)],
                )
            return Known("tensor", indexed.device, None)
        return None
    if isinstance(node, ast.Call):
        return _call(state, node)
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr):
            _expr(state, child)
    return None


def _call(state: _State, node: ast.Call) -> Known | None:
    func = node.func
    args = [(arg, _expr(state, arg)) for arg in node.args]
    kwargs = {kw.arg: (kw.value, _expr(state, kw.value)) for kw in node.keywords}
    if isinstance(func, ast.Name):
        callee = state.known.get(func.id)
        if callee is not None and callee.kind == "module":
            # model(x): x meets the module's parameters (a linear layer at heart: strict).
            operands = [("input", func, Known("tensor", callee.device, False))]
            operands += [("input", arg, value) for arg, value in args]
            return _tensor_op(state, node, OpName("linear"), operands)
        return None
    if not isinstance(func, ast.Attribute):
        _expr(state, func)
        return None
    if _is_torch_namespace(func.value):
        return _torch_function(state, node, func.attr, args, kwargs)
    owner = _expr(state, func.value)
    if owner is None or owner.kind != "tensor":
        return None
    if func.attr in ("to", "cuda", "cpu"):
        device = _target_device(state, func.attr, node)
        if device == SAME_DEVICE:
            device = owner.device
        return Known("tensor", device, owner.zero_dim) if device else None
    op = op_name(func.attr)
    role = "self" if op.inplace else "input"
    operands = [(role, func.value, owner)] + [("input", arg, value) for arg, value in args]
    return _tensor_op(state, node, op, operands)


def _torch_function(state: _State, node: ast.Call, name: str, args, kwargs) -> Known | None:
    if name in FACTORIES:
        device_arg = kwargs.get("device")
        if device_arg is not None:
            device = device_arg[1]
            if device is None or device.kind not in ("device", "tensor"):
                return None
            return Known("tensor", device.device, None)
        if name in LIKE_FACTORIES and args and args[0][1] is not None:
            return Known("tensor", args[0][1].device, args[0][1].zero_dim)
        return Known("tensor", "cpu", _factory_zero_dim(name, node))
    operands = []
    for arg, value in args:
        if isinstance(arg, (ast.List, ast.Tuple)):  # torch.cat([a, b]), torch.stack((a, b))
            operands += [("input", element, _expr(state, element)) for element in arg.elts]
        else:
            operands.append(("input", arg, value))
    for key, (arg, value) in kwargs.items():
        operands.append(("out" if key == "out" else "input", arg, value))
    return _tensor_op(state, node, op_name(name), operands)


def _factory_zero_dim(name: str, node: ast.Call) -> bool | None:
    """torch.tensor(2.) and torch.ones([]) are 0-dim; torch.ones(3) and torch.ones([3, 5]) are not."""
    if not node.args:
        return None
    first = node.args[0]
    if name in ("tensor", "as_tensor"):
        if isinstance(first, ast.Constant):
            return True
        return False if isinstance(first, (ast.List, ast.Tuple)) else None
    if isinstance(first, (ast.List, ast.Tuple)):
        return len(first.elts) == 0
    if isinstance(first, ast.Constant) and isinstance(first.value, int):
        return False
    return None


def _tensor_op(state: _State, node: ast.expr, op: OpName, operands) -> Known | None:
    tensors = [
        (role, expr, value)
        for role, expr, value in operands
        if value is not None and value.kind == "tensor"
    ]
    unknown = any(
        value is None and not isinstance(expr, ast.Constant) for _, expr, value in operands
    )
    if not tensors:
        return None
    if not unknown:
        _check(state, node, op, tensors)
    device = common_device(value.device for _, _, value in tensors) or "cpu"
    zero_dims = [value.zero_dim for _, _, value in tensors]
    zero_dim = (
        True
        if all(z is True for z in zero_dims)
        else (False if any(z is False for z in zero_dims) else None)
    )
    if op.base in ("sum", "mean", "item", "max", "min", "norm", "dot"):
        zero_dim = None
    return Known("tensor", device, zero_dim)


def _check(state: _State, node: ast.AST, op: OpName, operands) -> None:
    if not has_rule(op, state.table):
        return
    maybe_scalar = any(
        value.kind == "tensor" and value.zero_dim is None and value.device == "cpu"
        for _, _, value in operands
    )
    if maybe_scalar and state.table.allows_cpu_scalars(op.base):
        return  # a CPU tensor of unknown rank might be a 0-dim scalar, which PyTorch accepts
    rule_operands = [
        Operand(ast.unparse(expr), value.device, bool(value.zero_dim), role)
        for role, expr, value in operands
    ]
    found = mismatch(op, rule_operands, state.table.allows_cpu_scalars(op.base))
    if found is None:
        return
    anchor, stray = found
    code = ast.unparse(node)
    move_name = stray.label if stray.label.isidentifier() else None
    state.findings.append(
        Finding(
            line=getattr(node, "lineno", 0),
            code=code,
            message=f"line {getattr(node, 'lineno', 0)}: {explain(code, anchor, stray)}",
            move_name=move_name,
            move_to=anchor.device,
        )
    )


def _is_torch_namespace(node: ast.expr) -> bool:
    """torch, torch.nn.functional, F."""
    if isinstance(node, ast.Name):
        return node.id in ("torch", "F")
    return isinstance(node, ast.Attribute) and ast.unparse(node) in (
        "torch.nn.functional",
        "torch.special",
        "torch.linalg",
    )


def _target_device(state: _State, method: str, node: ast.Call) -> str | None:
    if method == "cpu":
        return "cpu"
    if method == "cuda":
        if not node.args:
            return "cuda:0"
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, int):
            return f"cuda:{first.value}"
        value = _expr(state, first)
        return value.device if value is not None and value.kind == "device" else None
    candidates = list(node.args) + [kw.value for kw in node.keywords if kw.arg == "device"]
    for arg in candidates:
        value = _expr(state, arg)
        if value is not None and value.kind in ("device", "tensor"):
            return value.device
        if _is_dtype(arg):
            continue
        return None
    return SAME_DEVICE  # .to(torch.float64) changes the dtype only


def _is_dtype(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "torch"
    )
