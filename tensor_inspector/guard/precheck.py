"""Read a cell's source, before it runs, for operations certain to mix devices.

Pure: it takes the parsed cell and what the namespace holds (devices of tensors, modules and
device variables) and returns findings. It follows the cell's top-level straight-line code
in order, so a cell that moves a tensor before using it is not flagged. It flags only what
is certain: an operator whose device rule is known (rules.py), on values whose devices and
ranks it knows exactly. Everything else is unknown and never flagged: Python values read
from tensors (``.item()``, ``.size()``), calls of the user's own code and of modules whose
forward it cannot see, walrus assignments, factories while a default device is set, and
whatever loops, branches, ``try`` and ``with`` blocks bind.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field

from tensor_inspector.guard.rules import (
    ELEMENTWISE,
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
     "eye", "tensor", "as_tensor", "logspace", "randperm"}
)  # fmt: skip
LIKE_FACTORIES = frozenset(
    {"ones_like", "zeros_like", "randn_like", "rand_like", "full_like", "empty_like",
     "randint_like"}
)  # fmt: skip
NEW_FACTORIES = frozenset({"new_tensor", "new_zeros", "new_ones", "new_empty", "new_full"})
# Tensor methods (and torch functions of one tensor) whose result is on that tensor's
# device, keeping its rank...
SAME_RANK = frozenset(
    {"abs", "neg", "exp", "log", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "relu",
     "float", "double", "half", "bfloat16", "long", "int", "bool", "clone", "detach",
     "contiguous", "requires_grad_", "square", "reciprocal", "exp_", "relu_", "abs_",
     "sign", "round", "floor", "ceil", "log_softmax", "softmax", "gelu", "silu", "dropout",
     "zero_", "normal_", "uniform_", "fill_", "clamp_", "tanh_", "sigmoid_", "neg_",
     "detach_", "cpu_", "log1p", "expm1", "erf", "leaky_relu"}
)  # fmt: skip
# ...or with a rank that depends on arguments.
SAME_DEVICE = frozenset(
    {"sum", "mean", "std", "var", "prod", "max", "min", "amax", "amin", "argmax", "argmin",
     "norm", "view", "reshape", "flatten", "squeeze", "unsqueeze", "permute", "transpose",
     "t", "cumsum", "cumprod", "topk", "sort", "argsort", "repeat", "expand", "narrow",
     "chunk", "split", "unbind", "flip", "roll", "tril", "triu", "diag", "exp2", "logsumexp",
     "one_hot", "nonzero", "masked_select", "all", "any", "logical_not", "isnan", "isinf",
     "isfinite", "count_nonzero", "unique", "multinomial", "movedim", "squeeze_", "unsqueeze_",
     "view_as_real", "real", "imag", "angle", "mT", "T", "data"}
)  # fmt: skip
# Module methods that leave its parameters where they are.
MODULE_KEEPS = frozenset(
    {"float", "double", "half", "bfloat16", "train", "eval", "requires_grad_", "zero_grad",
     "load_state_dict", "state_dict", "parameters", "named_parameters", "buffers",
     "named_buffers", "children", "modules", "named_modules", "extra_repr", "__repr__"}
)  # fmt: skip
SAFE_BUILTINS = frozenset(
    {"print", "len", "type", "isinstance", "repr", "str", "display", "range", "int", "float",
     "round", "abs", "bool", "enumerate"}
)  # fmt: skip
TORCH_NAMESPACES = frozenset(
    {"torch", "F", "torch.nn.functional", "torch.special", "torch.linalg", "torch.fft"}
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
KEEP_DEVICE = "same device"
# Calls that change the current device, which a bare 'cuda' means.
_SETS_CURRENT = frozenset({"set_device", "set_device_index", "set_device_idx"})


@dataclass(frozen=True)
class Known:
    """What the check knows of a value.

    kind: "tensor" (on ``device``), "number" (a Python number), "device", "module" (its
    parameters all on ``device``; its forward unknown), or "layer" (a module whose call is
    the operator ``op``: nn.Linear is ``linear``, nn.CrossEntropyLoss ``cross_entropy``).
    """

    kind: str
    device: str = ""
    zero_dim: bool | None = None  # for tensors; None: not known
    op: str | None = None  # for layers


NUMBER = Known("number")


@dataclass(frozen=True)
class Finding:
    line: int  # 1-based, in the cell
    code: str  # the operation, as source
    message: str
    move_name: str | None  # the variable the fix moves, when it is a plain name
    move_to: str
    culprit: str = ""  # the operand on the wrong device, as written
    # Where the culprit is written in the cell: (line, start column, end column).
    culprit_at: tuple[int, int, int] | None = None


@dataclass
class _State:
    known: dict[str, Known]
    default_device: str | None  # where factories put tensors; None: not known
    current_index: int | None = 0  # the device a bare 'cuda' (or .cuda()) means; None: unknown
    findings: list[Finding] = field(default_factory=list)
    understood_calls: set[int] = field(default_factory=set)


def canonical_device(text: str, current_index: int | None = 0) -> str | None:
    """'cuda:1' as it is; a bare 'cuda' is the current device, as PyTorch reads it (None:
    the current device is not known)."""
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
    if not index and current_index is None:
        return None
    return f"{kind}:{index or current_index}"


def precheck(
    tree: ast.Module,
    known: dict[str, Known],
    default_device: str | None = "cpu",
    current_index: int = 0,
) -> list[Finding]:
    """``current_index``: the accelerator's current device, which a bare device name means."""
    state = _State(dict(known), default_device, current_index)
    for statement in tree.body:
        _statement(state, statement)
    return state.findings


# statements ----------------------------------------------------------------------------------


def _statement(state: _State, node: ast.stmt) -> None:
    state.understood_calls.clear()
    inner_nodes = list(ast.walk(node))
    if any(isinstance(n, ast.Attribute) and n.attr == "set_default_device" for n in inner_nodes):
        state.default_device = None
    if any(isinstance(n, ast.Attribute) and n.attr in _SETS_CURRENT for n in inner_nodes):
        state.current_index = None  # torch.cuda.set_device(1): a bare 'cuda' is unknown after
    if any(isinstance(inner, ast.NamedExpr) for inner in inner_nodes):
        _forget_bound_names(state, inner_nodes)  # walrus: what holds what is unclear
        _forget_all_if_unknown_code(state, inner_nodes)
        return
    if isinstance(node, ast.Assign):
        value = _expr(state, node.value)
        _after_calls(state, inner_nodes)
        for target in node.targets:
            _bind(state, target, value)
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        value = _expr(state, node.value)
        _after_calls(state, inner_nodes)
        _bind(state, node.target, value)
    elif isinstance(node, ast.AugAssign):
        target, value = _expr(state, node.target), _expr(state, node.value)
        base = BINARY_OPS.get(type(node.op))
        if base and _is_tensor(target) and value is not None:
            operands = [("self", node.target, target)]
            if _is_tensor(value):
                operands.append(("input", node.value, value))
            _check(state, node, OpName(base, inplace=True), operands)
        _after_calls(state, inner_nodes)
        if not isinstance(node.target, ast.Name) or not _is_tensor(target):
            _forget_bound_names(state, inner_nodes)
    elif isinstance(node, ast.Expr):
        _expr(state, node.value)
        _after_calls(state, inner_nodes)
    elif isinstance(node, ast.Pass):
        pass
    else:
        # Imports, del, branches, loops, try, with, def, class...: not followed; what they
        # bind is unknown, and code they call may change anything.
        _forget_bound_names(state, inner_nodes)
        _forget_all_if_unknown_code(state, inner_nodes)


def _bind(state: _State, target: ast.expr, value: Known | None) -> None:
    if isinstance(target, ast.Name) and value is not None:
        state.known[target.id] = value
    else:
        _forget_bound_names(state, ast.walk(target))


def _forget_bound_names(state: _State, nodes: Iterable[ast.AST]) -> None:
    for inner in nodes:
        if isinstance(inner, ast.Name) and isinstance(inner.ctx, (ast.Store, ast.Del)):
            state.known.pop(inner.id, None)
        elif isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            state.known.pop(inner.name, None)
        elif isinstance(inner, (ast.Import, ast.ImportFrom)):
            for alias in inner.names:
                state.known.pop((alias.asname or alias.name).split(".")[0], None)
        elif isinstance(inner, ast.NamedExpr):
            state.known.pop(inner.target.id, None)


def _after_calls(state: _State, nodes: list[ast.AST]) -> None:
    """Module moves change what the names hold; any call not understood may change anything."""
    for inner in nodes:
        if isinstance(inner, ast.Call):
            _module_method_effect(state, inner)
    _forget_all_if_unknown_code(state, nodes)


def _forget_all_if_unknown_code(state: _State, nodes: Iterable[ast.AST]) -> None:
    for inner in nodes:
        understood = id(inner) in state.understood_calls
        if isinstance(inner, ast.Call) and not understood and not _is_safe_call(state, inner):
            state.known.clear()
            return


def _is_safe_call(state: _State, node: ast.Call) -> bool:
    """Calls that run no code of the user's: torch's namespace, a few builtins, and module
    moves of what those made (``nn.Linear(3, 2).to(device)``)."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in SAFE_BUILTINS
    if not isinstance(func, ast.Attribute):
        return False
    dotted = dotted_name(func)
    if dotted is not None and dotted.split(".")[0] in ("torch", "F", "nn"):
        # torch.utils.swap_tensors changes a tensor in place; set_default_device is followed.
        return ".utils." not in dotted and func.attr != "swap_tensors"
    moves = func.attr in MODULE_KEEPS or func.attr in ("to", "cuda", "cpu")
    return moves and isinstance(func.value, ast.Call) and _is_safe_call(state, func.value)


def _module_method_effect(state: _State, node: ast.Call) -> None:
    """`model.to(device)`, `model.float().cuda()`: follow a module's device through a chain
    of its methods; any other method makes it unknown."""
    links = []
    receiver: ast.expr = node
    while isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute):
        links.append(receiver)
        receiver = receiver.func.value
    if not isinstance(receiver, ast.Name) or not links:
        return
    module = state.known.get(receiver.id)
    if module is None or module.kind not in ("module", "layer"):
        return
    device = module.device
    for call in reversed(links):
        method = call.func.attr
        if method in ("to", "cuda", "cpu"):
            target = _target_device(state, method, call)
            device = device if target == KEEP_DEVICE else target
        elif method not in MODULE_KEEPS:
            device = None
        if device is None:
            state.known.pop(receiver.id, None)
            return
        state.understood_calls.add(id(call))
    state.known[receiver.id] = Known(module.kind, device, op=module.op)


# expressions ---------------------------------------------------------------------------------


def _is_tensor(value: Known | None) -> bool:
    return value is not None and value.kind == "tensor"


def _expr(state: _State, node: ast.expr | None) -> Known | None:
    """What ``node`` evaluates to (None: unknown), recording certain device mixes on the way."""
    if node is None:
        return None
    if isinstance(node, ast.Name):
        return state.known.get(node.id)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            device = canonical_device(node.value, state.current_index)
            return Known("device", device) if device else None
        return NUMBER if isinstance(node.value, (int, float, bool)) else None
    if isinstance(node, ast.UnaryOp):
        operand = _expr(state, node.operand)
        if isinstance(node.op, ast.Not):
            return None
        return operand if operand is not None and operand.kind in ("tensor", "number") else None
    if isinstance(node, ast.BinOp):
        left, right = _expr(state, node.left), _expr(state, node.right)
        base = BINARY_OPS.get(type(node.op))
        operands = [("input", node.left, left), ("input", node.right, right)]
        return _tensor_op(state, node, OpName(base), operands) if base else None
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, right = _expr(state, node.left), _expr(state, node.comparators[0])
        base = COMPARE_OPS.get(type(node.ops[0]))
        operands = [("input", node.left, left), ("input", node.comparators[0], right)]
        return _tensor_op(state, node, OpName(base), operands) if base else None
    if isinstance(node, ast.Attribute):
        owner = _expr(state, node.value)
        if _is_tensor(owner):
            if node.attr == "device":
                return Known("device", owner.device)
            if node.attr in ("T", "mT", "data"):
                return Known("tensor", owner.device, owner.zero_dim)
        return None
    if isinstance(node, ast.Subscript):
        indexed = _expr(state, node.value)
        index = _expr(state, node.slice)
        if not _is_tensor(indexed):
            return None
        if _is_tensor(index):
            _check(
                state,
                node,
                OpName("getitem"),
                [("input", node.value, indexed), ("index", node.slice, index)],
            )
        return Known("tensor", indexed.device, None)
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
        if callee is not None and callee.kind == "layer":
            # model(x) where model is nn.Linear: x meets its weight, as in F.linear(x, weight).
            state.understood_calls.add(id(node))
            operands = [("input", arg, value) for arg, value in args]
            if callee.device:
                operands.insert(1, ("input", func, Known("tensor", callee.device, False)))
            return _tensor_op(state, node, OpName(callee.op), operands)
        return None
    if not isinstance(func, ast.Attribute):
        _expr(state, func)
        return None
    if _is_torch_namespace(func.value):
        return _torch_function(state, node, func.attr, args, kwargs)
    owner = _expr(state, func.value)
    if not _is_tensor(owner):
        return None
    state.understood_calls.add(id(node))  # a tensor's own method runs no user code
    return _tensor_method(state, node, func, owner, args, kwargs)


def _tensor_method(state, node, func, owner: Known, args, kwargs) -> Known | None:
    method = func.attr
    if method in ("to", "cuda", "cpu"):
        device = _target_device(state, method, node)
        if device == KEEP_DEVICE:
            device = owner.device
        return Known("tensor", device, owner.zero_dim) if device else None
    if method == "type_as" and args and _is_tensor(args[0][1]):
        return Known("tensor", args[0][1].device, owner.zero_dim)
    if method in NEW_FACTORIES:
        device = kwargs.get("device", (None, Known("device", owner.device)))[1]
        return Known("tensor", device.device, None) if device and device.device else None
    if method in SAME_RANK:
        if method == "fill_" or method.endswith("_"):
            return owner  # in place: the value holds no other device's data
        return Known("tensor", owner.device, owner.zero_dim)
    if method in SAME_DEVICE:
        return Known("tensor", owner.device, None)
    op = op_name(method)
    role = "self" if op.inplace else "input"
    operands = [(role, func.value, owner)] + [("input", arg, value) for arg, value in args]
    operands += [("input", arg, value) for arg, value in kwargs.values()]
    return _tensor_op(state, node, op, operands)


def _torch_function(state: _State, node: ast.Call, name: str, args, kwargs) -> Known | None:
    device_arg = kwargs.get("device")
    if name in FACTORIES or name in LIKE_FACTORIES:
        if device_arg is not None:
            device = device_arg[1]
            known = device is not None and device.kind in ("device", "tensor")
            return Known("tensor", device.device, None) if known else None
        if name in LIKE_FACTORIES:
            first = args[0][1] if args else None
            return Known("tensor", first.device, first.zero_dim) if _is_tensor(first) else None
        if state.default_device is None:
            return None
        return Known("tensor", state.default_device, _factory_zero_dim(name, node))
    if name in SAME_RANK or name in SAME_DEVICE:
        first = args[0][1] if args else None
        if _is_tensor(first) and device_arg is None:
            zero_dim = first.zero_dim if name in SAME_RANK else None
            return Known("tensor", first.device, zero_dim)
        return None
    operands = []
    for arg, value in args:
        if isinstance(arg, (ast.List, ast.Tuple)):  # torch.cat([a, b]), torch.stack((a, b))
            operands += [("input", element, _expr(state, element)) for element in arg.elts]
        else:
            operands.append(("input", arg, value))
    for key, (arg, value) in kwargs.items():
        if key not in ("dim", "reduction", "alpha", "value", "dtype"):
            operands.append(("out" if key == "out" else "input", arg, value))
    return _tensor_op(state, node, op_name(name), operands)


def _factory_zero_dim(name: str, node: ast.Call) -> bool | None:
    """torch.tensor(2.) and torch.ones([]) are 0-dim; torch.ones(3) and torch.ones([3, 5]) are not."""
    if not node.args or name in ("randint", "full"):
        if name == "full" and node.args and isinstance(node.args[0], (ast.List, ast.Tuple)):
            return len(node.args[0].elts) == 0
        return None
    first = node.args[0]
    if name in ("tensor", "as_tensor"):
        if isinstance(first, ast.Constant) and isinstance(first.value, (int, float, bool)):
            return True
        return False if isinstance(first, (ast.List, ast.Tuple)) and first.elts else None
    if name in ("arange", "linspace", "logspace", "randperm", "eye"):
        return False
    if isinstance(first, (ast.List, ast.Tuple)):
        return len(first.elts) == 0
    if isinstance(first, ast.Constant) and isinstance(first.value, int):
        return False
    return None


def _tensor_op(state: _State, node: ast.AST, op: OpName, operands) -> Known | None:
    """An operator on the rule's list: checked, and its result's device known. Any other
    operator's result is unknown (``.item()`` is a number, ``.size()`` a shape)."""
    if not has_rule(op) or any(value is None for _, _, value in operands):
        return None  # an operand of unknown kind (perhaps a tensor on another device)
    if any(value.kind not in ("tensor", "number") for _, _, value in operands):
        return None
    tensors = [operand for operand in operands if _is_tensor(operand[2])]
    if not tensors:
        return None
    _check(state, node, op, operands)
    device = common_device(value.device for _, _, value in tensors) or "cpu"
    zero_dim = None
    if op.base in ELEMENTWISE:
        ranks = [value.zero_dim for _, _, value in tensors]
        zero_dim = False if False in ranks else (True if all(ranks) else None)
    return Known("tensor", device, zero_dim)


def _check(state: _State, node: ast.AST, op: OpName, operands) -> None:
    """``operands``: (role, expression, Known) in argument order; numbers are skipped."""
    rule_operands = [
        Operand(ast.unparse(expr), value.device, value.zero_dim, role, position)
        for position, (role, expr, value) in enumerate(operands)
        if _is_tensor(value)
    ]
    found = mismatch(op, rule_operands)
    if found is None:
        return
    anchor, stray = found
    code = ast.unparse(node)
    line = getattr(node, "lineno", 0)
    stray_node = next((expr for _, expr, _ in operands if ast.unparse(expr) == stray.label), None)
    at = None
    if stray_node is not None and stray_node.lineno == stray_node.end_lineno:
        at = (stray_node.lineno, stray_node.col_offset, stray_node.end_col_offset)
    state.findings.append(
        Finding(
            line=line,
            code=code,
            message=f"line {line}: {explain(code, anchor, stray)}",
            move_name=stray.label if stray.label.isidentifier() else None,
            move_to=anchor.device,
            culprit=stray.label,
            culprit_at=at,
        )
    )


def _is_torch_namespace(node: ast.expr) -> bool:
    """torch, torch.nn.functional, F, torch.linalg..."""
    return dotted_name(node) in TORCH_NAMESPACES


def dotted_name(node: ast.expr) -> str | None:
    """'torch.nn.functional' for that chain of attributes; None for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _target_device(state: _State, method: str, node: ast.Call) -> str | None:
    """Where `.to(...)`, `.cuda()`, `.cpu()` send a tensor or module (None: not known)."""
    if method == "cpu":
        return "cpu"
    if method == "cuda":
        if not node.args:
            return None if state.current_index is None else f"cuda:{state.current_index}"
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
    return KEEP_DEVICE  # .to(torch.float64) changes the dtype only


def _is_dtype(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "torch"
    )
