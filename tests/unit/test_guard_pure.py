"""The guard's pure parts: the device rule, the operator table, the cell check."""

import ast

import pytest

from tensor_inspector.guard.op_table import op_table, parse_native_functions
from tensor_inspector.guard.precheck import Known, canonical_device, precheck
from tensor_inspector.guard.rules import Operand, OpName, mismatch, op_name


def test_two_accelerators_do_not_mix():
    found = mismatch(OpName("add"), [Operand("a", "cuda:0"), Operand("b", "cuda:1")], True)
    assert found is not None and found[1].label == "b"


def test_a_cpu_scalar_joins_elementwise_inputs_but_not_the_inplace_self_or_out():
    scalar = Operand("s", "cpu", zero_dim=True)
    gpu = Operand("g", "cuda:0")
    assert mismatch(OpName("add"), [gpu, scalar], allows_cpu_scalars=True) is None
    assert mismatch(OpName("add"), [scalar, gpu], allows_cpu_scalars=True) is None
    self_scalar = Operand("s", "cpu", zero_dim=True, role="self")
    assert mismatch(OpName("add", inplace=True), [self_scalar, gpu], True) is not None
    out_scalar = Operand("o", "cpu", zero_dim=True, role="out")
    assert mismatch(OpName("add"), [gpu, gpu, out_scalar], True) is not None
    assert mismatch(OpName("mm"), [gpu, scalar], allows_cpu_scalars=False) is not None


def test_transfers_and_assignment_always_pass():
    pair = [Operand("a", "cuda:0"), Operand("b", "cpu")]
    for name in ("to", "copy_", "type_as", "set_", "new_tensor", "__setitem__"):
        assert mismatch(op_name(name), pair, False) is None


def test_indexing_accepts_cpu_indices_only():
    gpu, cpu = Operand("g", "cuda:0"), Operand("c", "cpu")
    assert mismatch(OpName("getitem"), [gpu, Operand("i", "cpu", role="index")], False) is None
    assert mismatch(OpName("getitem"), [cpu, Operand("i", "cuda:0", role="index")], False)


def test_python_operator_names_map_to_operators():
    assert op_name("__radd__") == OpName("add")
    assert op_name("__iadd__") == OpName("add", inplace=True)
    assert op_name("add_") == OpName("add", inplace=True)
    assert op_name("__matmul__") == OpName("matmul")
    assert op_name("__truediv__") == OpName("div")


def test_operator_table_is_read_from_the_wheels_native_functions():
    table = op_table()
    for elementwise in ("add", "mul", "where", "lerp", "pow", "eq", "maximum", "masked_fill"):
        assert table.allows_cpu_scalars(elementwise), elementwise
    for strict in ("mm", "addmm", "cat", "stack", "index_select", "gather", "scatter", "take",
                   "searchsorted", "matmul", "linear", "embedding", "clamp"):  # fmt: skip
        assert table.is_known(strict) and not table.allows_cpu_scalars(strict), strict
    assert len(table.known) > 1000


def test_operator_table_parser_follows_structured_delegates():
    text = """
- func: frob.Tensor(Tensor self, Tensor other) -> Tensor
  structured_delegate: frob.out

- func: frob.out(Tensor self, Tensor other, *, Tensor(a!) out) -> Tensor(a!)
  structured: True
  structured_inherits: TensorIteratorBase

- func: glue(Tensor[] tensors) -> Tensor
  tags: core

- func: shine(Tensor self) -> Tensor
  tags: [core, pointwise]
"""
    table = parse_native_functions(text)
    assert table.known >= {"frob", "glue", "shine"}
    assert table.allows_cpu_scalars("frob") and table.allows_cpu_scalars("shine")
    assert not table.allows_cpu_scalars("glue")


@pytest.mark.parametrize(
    ("text", "device"),
    [
        ("cuda", "cuda:0"),
        ("cuda:1", "cuda:1"),
        ("cpu", "cpu"),
        ("mps", "mps:0"),
        ("cuda:x", None),
        ("", None),
    ],
)
def test_device_names_are_canonical(text, device):
    assert canonical_device(text) == device


KNOWN = {
    "t1": Known("tensor", "cpu", False),
    "t2": Known("tensor", "cuda:0", False),
    "s": Known("tensor", "cpu", True),
    "device": Known("device", "cuda:0"),
    "model": Known("module", "cuda:0"),
}

FLAGGED = [
    ("t1 + t2", "t1"),
    ("x = 1\ny = t2 * t1", "t1"),
    ("t1 += t2", "t1"),
    ("t2.add_(t1)", "t1"),
    ("t1.matmul(t2)", "t1"),
    ("torch.cat([t1, t2])", "t1"),
    ("torch.stack((t2, t1))", "t1"),
    ("torch.mm(t2, s)", "s"),
    ("F.linear(t2, t2, s)", "s"),
    ("model(t1)", "t1"),
    ("print(t1 @ t2)", "t1"),
    ("t3 = torch.ones(3)\nt3 * t2", "t3"),
    ("t3 = t2.cpu()\nt3 - t2", "t3"),
    ("a = t1.to(torch.float64)\na + t2", "a"),
    ("model.cpu()\nmodel(t2)", "model"),
]
NOT_FLAGGED = [
    "t1 = t1.to(device)\nt1 + t2",
    "t1 = t1.cuda()\nt1 + t2",
    "t2 + s",
    "s * t2",
    "torch.where(t2 > 0, t2, s)",
    "model(t1.to(device))",
    "t2[t1.long()]",
    "t3 = torch.ones(3, device=device)\nt3 * t2",
    "z = torch.tensor(2.0)\nt2 * z",
    "try:\n    t1 + t2\nexcept RuntimeError:\n    pass",
    "for _ in range(2):\n    t1 + t2",
    "if t1.sum() > 0:\n    t1 + t2",
    "helper()\nt1 + t2",
    "u = foo(t1)\nu + t2",
    "t1 = make()\nt1 + t2",
    "def f():\n    return t1 + t2",
    "t2.sum() + t1.sum()",
    "unknown + t2",
]


@pytest.mark.parametrize(("source", "culprit"), FLAGGED)
def test_certain_device_mixes_are_flagged_with_the_fix(source, culprit):
    findings = precheck(ast.parse(source), KNOWN, op_table())
    assert findings, source
    first = findings[0]
    assert first.move_name == culprit
    assert f'{culprit} = {culprit}.to("{first.move_to}")' in first.message
    assert f"line {first.line}:" in first.message


@pytest.mark.parametrize("source", NOT_FLAGGED)
def test_uncertain_or_valid_cells_are_not_flagged(source):
    assert precheck(ast.parse(source), KNOWN, op_table()) == []
