"""PyTorch's device rule, as a pure function over devices: is this operation certain to fail?

The guard speaks only when it is certain, so the rule knows a positive list of public
operators (below) and nothing else: an operator not on the list is never flagged, and
PyTorch's own error, explained, covers the rest. The lists follow ATen's checks:

- element-wise (TensorIterator) operators take a CPU 0-dim tensor as an input beside
  accelerator tensors, never as the in-place target or ``out=``;
- strict operators take no CPU tensor at all beside accelerator tensors, 0-dim included;
- the others on the list refuse a CPU tensor of one or more dimensions, but may take a CPU
  0-dim one on some paths (``F.linear`` with a 0-dim bias and a 1-D input runs), so only
  the first is certain;
- indexing an accelerator tensor with CPU indices runs; a CPU tensor indexed with
  accelerator indices of one or more dimensions does not.

The common device is the first non-CPU device among the tensors; cuda:0 and cuda:1 never mix.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

ELEMENTWISE = frozenset(
    {"add", "sub", "rsub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod",
     "pow", "eq", "ne", "lt", "le", "gt", "ge", "maximum", "minimum", "fmax", "fmin", "atan2",
     "hypot", "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or",
     "bitwise_xor", "where", "lerp", "masked_fill", "addcmul", "copysign", "xlogy"}
)  # fmt: skip
STRICT = frozenset(
    {"mm", "bmm", "mv", "dot", "cat", "concat", "concatenate", "stack", "hstack", "vstack",
     "index_select", "gather", "clamp", "clamp_min", "clamp_max", "clip", "addcdiv"}
)  # fmt: skip
NOT_ON_CPU_ABOVE_0DIM = frozenset(
    {"matmul", "linear", "addmm", "baddbmm", "addmv", "bilinear", "conv1d", "conv2d", "conv3d",
     "embedding", "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss",
     "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
     "cosine_similarity", "pairwise_distance"}
)  # fmt: skip
INDEXING = frozenset({"getitem", "index", "index_put"})
# Element-wise operators whose kernel still refuses a CPU 0-dim tensor at these positions:
# addcmul's kernel reads ``tensor1`` on the device.
CPU_SCALAR_REFUSED_AT = {"addcmul": frozenset({1})}
# Positions where a 0-dim tensor is read as a number (``.item()``) whatever its device, so a
# 0-dim tensor on another accelerator is taken too: masked_fill's value (CUDA's kernel).
ANY_DEVICE_SCALAR_AT = {"masked_fill": frozenset({2})}

KNOWN_OPERATORS = ELEMENTWISE | STRICT | NOT_ON_CPU_ABOVE_0DIM | INDEXING | {"backward"}

# Python operator names and the operator they run.
DUNDER_TO_OP = {
    "add": "add", "radd": "add", "iadd": "add",
    "sub": "sub", "rsub": "sub", "isub": "sub",
    "mul": "mul", "rmul": "mul", "imul": "mul",
    "truediv": "div", "rtruediv": "div", "itruediv": "div", "div": "div", "rdiv": "div",
    "floordiv": "floor_divide", "rfloordiv": "floor_divide", "ifloordiv": "floor_divide",
    "mod": "remainder", "rmod": "remainder", "imod": "remainder",
    "pow": "pow", "rpow": "pow", "ipow": "pow",
    "matmul": "matmul", "rmatmul": "matmul", "imatmul": "matmul",
    "and": "bitwise_and", "rand": "bitwise_and", "iand": "bitwise_and",
    "or": "bitwise_or", "ror": "bitwise_or", "ior": "bitwise_or",
    "xor": "bitwise_xor", "rxor": "bitwise_xor", "ixor": "bitwise_xor",
    "eq": "eq", "ne": "ne", "lt": "lt", "le": "le", "gt": "gt", "ge": "ge",
    "getitem": "getitem", "setitem": "setitem",
}  # fmt: skip
INPLACE_DUNDERS = frozenset(name for name in DUNDER_TO_OP if name.startswith("i"))


@dataclass(frozen=True)
class Operand:
    """One tensor given to an operation, as the rule sees it."""

    label: str  # the user's name for it where known, else its position ("argument 2")
    device: str  # 'cpu', 'cuda:0', 'sim:0'
    zero_dim: bool | None = False  # None: not known
    role: str = "input"  # "input", "self" (in-place target), "out" or "index"
    position: int | None = None  # its position among the call's arguments


@dataclass(frozen=True)
class OpName:
    base: str  # the operator: 'add', 'matmul', 'getitem'
    inplace: bool = False


def op_name(python_name: str) -> OpName:
    """'__iadd__' -> add (in place); 'add_' -> add (in place); 'add' -> add."""
    if python_name.startswith("__") and python_name.endswith("__"):
        core = python_name[2:-2]
        return OpName(DUNDER_TO_OP.get(core, core), core in INPLACE_DUNDERS)
    if python_name.endswith("_") and not python_name.startswith("_"):
        return OpName(python_name[:-1], True)
    return OpName(python_name)


def has_rule(op: OpName) -> bool:
    """Whether the rule of ``op`` is known: anything else is never flagged."""
    return op.base in KNOWN_OPERATORS


def common_device(devices: Iterable[str]) -> str | None:
    """PyTorch's common device: the first one that is not the cpu."""
    return next((device for device in devices if device != "cpu"), None)


def mismatch(op: OpName, operands: list[Operand]) -> tuple[Operand, Operand] | None:
    """The first pair (on the common device, off it) certain to be refused, or None."""
    if not has_rule(op):
        return None
    if op.base in INDEXING:
        return _indexing_mismatch(operands)
    device = common_device(operand.device for operand in operands)
    if device is None:
        return None
    anchor = next(o for o in operands if o.device == device)
    for operand in operands:
        if operand.device != device and _certainly_refused(op, operand):
            return anchor, operand
    return None


def _certainly_refused(op: OpName, operand: Operand) -> bool:
    if operand.position in ANY_DEVICE_SCALAR_AT.get(op.base, ()) and operand.zero_dim is not False:
        return False
    if operand.device != "cpu" or operand.role in ("self", "out"):
        return True  # another accelerator, or a CPU tensor written to
    if operand.zero_dim is False:
        return True  # a CPU tensor of one or more dimensions joins nothing
    if op.base in STRICT:
        return True
    refused_at = CPU_SCALAR_REFUSED_AT.get(op.base, ())
    return operand.zero_dim is True and operand.position in refused_at


def _indexing_mismatch(operands: list[Operand]) -> tuple[Operand, Operand] | None:
    # Only the indices are checked against the indexed tensor; values written by index_put
    # follow element-wise rules that are PyTorch's to enforce.
    indexed = next((o for o in operands if o.role != "index"), None)
    if indexed is None:
        return None
    for operand in operands:
        if (
            operand.role == "index"
            and operand.device not in ("cpu", indexed.device)
            and operand.zero_dim is False
        ):
            # Moving the indexed tensor to the indices' device fixes the whole line; moving
            # the indices to the cpu leaves a CPU result beside the line's other tensors.
            moved = Operand(operand.label, operand.device, operand.zero_dim, "input")
            return moved, Operand(indexed.label, indexed.device, indexed.zero_dim, "input")
    return None


def fix_for(anchor: Operand, stray: Operand) -> str:
    """The line that makes the operation valid, in the user's names."""
    if stray.role == "index":
        return f'index with {_atom(stray.label)}.to("{anchor.device}")'
    if stray.label.startswith("a tensor"):
        return f'move that tensor with .to("{anchor.device}")'
    owner = stray.label.split(".")[0]
    if "." in stray.label and _is_dotted_name(stray.label):
        return f'{owner}.to("{anchor.device}")'  # a module's parameter: move the module
    if not stray.label.isidentifier():
        return f'use {_atom(stray.label)}.to("{anchor.device}")'
    return f'{stray.label} = {stray.label}.to("{anchor.device}")'


def _is_dotted_name(text: str) -> bool:
    return all(part.isidentifier() or part.isdigit() for part in text.split("."))


def _atom(code: str) -> str:
    """``code`` as something a method can be called on: ``xc > 0`` -> ``(xc > 0)``."""
    try:
        node = ast.parse(code, mode="eval").body
    except SyntaxError:
        return f"({code})"
    atomic = isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript))
    return code if atomic else f"({code})"


def explain(what: str, anchor: Operand, stray: Operand) -> str:
    return (
        f"{what} mixes devices: {anchor.label} is on {anchor.device}, {stray.label} is on "
        f"{stray.device}. Fix: {fix_for(anchor, stray)}"
    )
