"""PyTorch's device rule, as a pure function over devices: would this operation run?

The common device is the first non-CPU device among the tensors. Every other tensor must be
on it, except a CPU 0-dim tensor given as an input (not the in-place self, not out=) to an
operator whose kernel takes CPU scalars (see op_table). Transfers always pass; indexing an
accelerator tensor with CPU indices passes, the reverse does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tensor_inspector.guard.op_table import OpTable

# Operations whose whole point is to cross devices.
TRANSFERS = frozenset(
    {"to", "cuda", "cpu", "copy_", "copy", "type", "type_as", "set_", "new_tensor", "mps", "xpu"}
)

# Operators that read only the other tensor's shape or dtype, never its data.
SHAPE_ONLY = frozenset(
    {"expand_as", "view_as", "reshape_as", "resize_as", "is_same_size", "is_set_to",
     "broadcast_tensors", "result_type", "can_cast", "promote_types"}
)  # fmt: skip

# Operators that take index tensors, which may stay on the CPU for an accelerator tensor.
INDEXING = frozenset({"getitem", "index", "index_put", "_index_put_impl"})

# Attribute reads and writes (t.data = x, t.grad = g) reach the guard too; PyTorch checks them.
ATTRIBUTE_ACCESS = frozenset({"get", "set", "delete"})

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
    "lshift": "bitwise_left_shift", "rlshift": "bitwise_left_shift",
    "rshift": "bitwise_right_shift", "rrshift": "bitwise_right_shift",
    "eq": "eq", "ne": "ne", "lt": "lt", "le": "le", "gt": "gt", "ge": "ge",
    "getitem": "getitem", "setitem": "setitem",
}  # fmt: skip
INPLACE_DUNDERS = frozenset(
    name for name in DUNDER_TO_OP if name.startswith("i") and name != "index"
)


@dataclass(frozen=True)
class Operand:
    """One tensor given to an operation, as the rule sees it."""

    label: str  # the user's name for it where known, else its position ("argument 2")
    device: str  # 'cpu', 'cuda:0', 'sim:0'
    zero_dim: bool = False
    role: str = "input"  # "input", "self" (in-place target), "out" or "index"


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


# Python-level operations the rules know although native_functions.yaml does not list them.
PYTHON_ONLY = frozenset({"getitem", "setitem", "backward"})


def has_rule(op: OpName, table: OpTable) -> bool:
    """Whether the rule is known for ``op``: anything else is never flagged."""
    return table.is_known(op.base) or op.base in PYTHON_ONLY


def common_device(devices: Iterable[str]) -> str | None:
    """PyTorch's common device: the first one that is not the cpu."""
    return next((device for device in devices if device != "cpu"), None)


def mismatch(
    op: OpName, operands: list[Operand], allows_cpu_scalars: bool
) -> tuple[Operand, Operand] | None:
    """The first pair (on the common device, off it) that PyTorch would refuse, or None."""
    if op.base in TRANSFERS or (op.inplace and f"{op.base}_" in TRANSFERS):
        return None
    if op.base == "setitem" or op.base in ATTRIBUTE_ACCESS or op.base in SHAPE_ONLY:
        return None  # assignment into a tensor copies across devices
    if op.base in INDEXING:
        return _indexing_mismatch(operands)
    device = common_device(operand.device for operand in operands)
    if device is None:
        return None
    anchor = next(o for o in operands if o.device == device)
    for operand in operands:
        if operand.device == device:
            continue
        exempt = (
            allows_cpu_scalars
            and operand.device == "cpu"
            and operand.zero_dim
            and operand.role == "input"
        )
        if not exempt:
            return anchor, operand
    return None


def _indexing_mismatch(operands: list[Operand]) -> tuple[Operand, Operand] | None:
    # Only the indices are checked against the indexed tensor; values written by index_put
    # follow element-wise rules that are PyTorch's to enforce.
    indexed = next((o for o in operands if o.role != "index"), None)
    if indexed is None:
        return None
    for operand in operands:
        if operand.role == "index" and operand.device not in ("cpu", indexed.device):
            return indexed, operand
    return None


def fix_for(anchor: Operand, stray: Operand) -> str:
    """The line that makes the operation valid, in the user's names."""
    if stray.role == "index":
        return f'index with {stray.label}.to("{anchor.device}")'
    if stray.label.startswith("a tensor"):
        return f'move that tensor with .to("{anchor.device}")'
    owner = stray.label.split(".")[0]
    if "." in stray.label and owner.isidentifier() and "(" not in stray.label:
        return f'{owner}.to("{anchor.device}")'  # a module's parameter: move the module
    if not stray.label.isidentifier():
        return f'use {stray.label}.to("{anchor.device}")'
    return f'{stray.label} = {stray.label}.to("{anchor.device}")'


def explain(what: str, anchor: Operand, stray: Operand) -> str:
    return (
        f"{what} mixes devices: {anchor.label} is on {anchor.device}, {stray.label} is on "
        f"{stray.device}. Fix: {fix_for(anchor, stray)}"
    )
