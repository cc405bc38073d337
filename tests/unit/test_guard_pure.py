"""The guard's pure parts: the device rule and its positive list, the cell check."""

import ast

import pytest
import torch

from tensor_inspector.guard.precheck import Known, canonical_device, precheck
from tensor_inspector.guard.rules import (
    KNOWN_OPERATORS,
    Operand,
    OpName,
    has_rule,
    mismatch,
    op_name,
)


def test_two_accelerators_do_not_mix():
    found = mismatch(OpName("add"), [Operand("a", "cuda:0"), Operand("b", "cuda:1")])
    assert found is not None and found[1].label == "b"


def test_a_cpu_scalar_joins_elementwise_inputs_but_not_the_inplace_self_or_out():
    scalar = Operand("s", "cpu", zero_dim=True)
    gpu = Operand("g", "cuda:0")
    assert mismatch(OpName("add"), [gpu, scalar]) is None
    assert mismatch(OpName("add"), [scalar, gpu]) is None
    self_scalar = Operand("s", "cpu", zero_dim=True, role="self")
    assert mismatch(OpName("add", inplace=True), [self_scalar, gpu]) is not None
    out_scalar = Operand("o", "cpu", zero_dim=True, role="out")
    assert mismatch(OpName("add"), [gpu, gpu, out_scalar]) is not None
    assert mismatch(OpName("stack"), [gpu, scalar]) is not None


def test_a_cpu_tensor_of_unknown_rank_is_flagged_only_where_rank_does_not_matter():
    unknown_rank = Operand("u", "cpu", zero_dim=None)
    gpu = Operand("g", "cuda:0")
    assert mismatch(OpName("add"), [gpu, unknown_rank]) is None
    assert mismatch(OpName("linear"), [gpu, gpu, unknown_rank]) is None
    assert mismatch(OpName("cat"), [gpu, unknown_rank]) is not None


def test_addcmul_refuses_a_cpu_scalar_as_tensor1_only():
    x = Operand("x", "cuda:0", position=0)
    at = {p: Operand("s", "cpu", zero_dim=True, position=p) for p in (1, 2)}
    assert mismatch(OpName("addcmul"), [x, at[1], Operand("y", "cuda:0", position=2)])
    assert mismatch(OpName("addcmul"), [x, Operand("y", "cuda:0", position=1), at[2]]) is None


def test_operators_off_the_list_are_never_flagged():
    pair = [Operand("a", "cuda:0"), Operand("b", "cpu")]
    for name in ("to", "copy_", "type_as", "set_", "new_tensor", "__setitem__", "expand_as",
                 "_has_compatible_shallow_copy_type", "fill_", "frobnicate"):  # fmt: skip
        assert not has_rule(op_name(name)), name
        assert mismatch(op_name(name), pair) is None


def test_the_positive_list_holds_public_torch_operators_only():
    import torch.nn.functional as F

    python_level = {"getitem", "backward"}
    for name in KNOWN_OPERATORS - python_level:
        assert not name.startswith("_"), name
        assert any(hasattr(where, name) for where in (torch, F, torch.Tensor)), name


def test_indexing_accepts_cpu_indices_only():
    gpu, cpu = Operand("g", "cuda:0"), Operand("c", "cpu")
    assert mismatch(OpName("getitem"), [gpu, Operand("i", "cpu", role="index")]) is None
    assert mismatch(OpName("getitem"), [cpu, Operand("i", "cuda:0", role="index")])
    zero_dim_index = Operand("i", "cuda:0", zero_dim=True, role="index")
    assert mismatch(OpName("getitem"), [cpu, zero_dim_index]) is None


def test_python_operator_names_map_to_operators():
    assert op_name("__radd__") == OpName("add")
    assert op_name("__iadd__") == OpName("add", inplace=True)
    assert op_name("add_") == OpName("add", inplace=True)
    assert op_name("__matmul__") == OpName("matmul")
    assert op_name("__truediv__") == OpName("div")


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
    "model": Known("layer", "cuda:0", op="linear"),
    "net": Known("module", "cuda:0"),
    "n": Known("number"),
    "xs": Known("tensor", "cuda:0", False),
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
    ("F.linear(t2, t2, t1)", "t1"),
    ("F.cross_entropy(t2, t1.long())", None),
    ("torch.addcmul(t2, s, t2)", "s"),
    ("model(t1)", "t1"),
    ("t1 * n + t2", None),
    ("print(t1 @ t2)", "t1"),
    ("t3 = torch.ones(3)\nt3 * t2", "t3"),
    ("t3 = t2.cpu()\nt3 - t2", "t3"),
    ("a = t1.to(torch.float64)\na + t2", "a"),
    ("model.cpu()\nmodel(t2)", "model"),
    ("model.float().cpu()\nmodel(t2)", "model"),
    ("t3 = t2.type_as(t1)\nt3 + t2", "t3"),
    ("x = t2.to(t1.device)\nx + t2", "x"),
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
    "F.linear(t2, t2, s)",
    "m = t2.sum().item()\nt1 * m",
    "t1 * t2.size(0)",
    "t1 * t2.numel()",
    "t3 = t2.type_as(t1)\nt3 + t1",
    "w = (t3 := t1.cuda()) + t2",
    "net.float().to('cpu')\nnet(t2)",
    "net(t2)",
    "torch.set_default_device(device)\nq = torch.ones(3)\nq + t2",
    "v = t1[0]\nv[xs.sum(1).argmax()]",
    "t2.fill_(torch.tensor(1.5))",
    "torch.full_like(xs, torch.tensor(2.))",
    "torch.utils.swap_tensors(t1, t2.cpu())\nt1 + t2",
    "t1 = t1.to(xs.device)\nt1 + xs",
]


@pytest.mark.parametrize(("source", "culprit"), FLAGGED)
def test_certain_device_mixes_are_flagged_with_the_fix(source, culprit):
    findings = precheck(ast.parse(source), KNOWN)
    assert findings, source
    first = findings[0]
    assert first.move_name == culprit
    if culprit is not None:
        assert f'{culprit} = {culprit}.to("{first.move_to}")' in first.message
    else:
        assert f'.to("{first.move_to}")' in first.message
    assert f"line {first.line}:" in first.message


@pytest.mark.parametrize("source", NOT_FLAGGED)
def test_uncertain_or_valid_cells_are_not_flagged(source):
    assert precheck(ast.parse(source), KNOWN) == []


def test_factories_are_unknown_while_a_default_device_is_set():
    source = "q = torch.ones(3)\nq + t2"
    assert precheck(ast.parse(source), KNOWN, default_device="cpu")
    assert precheck(ast.parse(source), KNOWN, default_device=None) == []


TWO_GPUS = {
    "a0": Known("tensor", "cuda:0", False),
    "a1": Known("tensor", "cuda:1", False),
    "s1": Known("tensor", "cuda:1", True),
    "i1": Known("tensor", "cuda:1", False),
}


@pytest.mark.parametrize(
    ("source", "culprit"),
    [
        ("a0 + a1", "a1"),
        ("a0 * s1", "s1"),  # only a CPU 0-dim tensor joins as a scalar
        ("torch.cat([a0, a1])", "a1"),
        ("a0 @ a1", "a1"),
        ("a0 += a1", "a1"),
        ("a0 == a1", "a1"),
        ("torch.where(a0 > 0, a0, a1)", "a1"),
        ("torch.add(a0, a0, out=a1)", "a1"),
        ("F.linear(a0, a1)", "a1"),
        ("torch.index_select(a0, 0, i1)", "i1"),
        ("a0[i1]", "a0"),  # moving the indexed tensor makes the whole line work
        ("b = a0.cuda()\nb + a1", "a1"),
    ],
)
def test_two_gpus_mixed_in_a_cell_are_flagged_with_both_indices(source, culprit):
    findings = precheck(ast.parse(source), TWO_GPUS)
    assert len(findings) == 1
    assert findings[0].culprit == culprit
    assert "cuda:0" in findings[0].message and "cuda:1" in findings[0].message


@pytest.mark.parametrize(
    "source",
    [
        "a1.to(a0.device) + a0",
        "a0.copy_(a1)",
        "a0.masked_fill(a0 > 0, s1)",  # its 0-dim value is read with .item(), from any device
        "a0[i1.cpu()]",
    ],
)
def test_what_two_gpus_run_is_not_flagged(source):
    assert precheck(ast.parse(source), TWO_GPUS) == []


def test_a_bare_device_name_is_the_current_device():
    # torch.cuda.set_device(1) made earlier: "cuda" and .cuda() mean cuda:1.
    for source in ("a1 + a0.to('cuda')", "a1 + a0.cuda()"):
        assert precheck(ast.parse(source), TWO_GPUS, current_index=1) == []
        assert precheck(ast.parse(source), TWO_GPUS, current_index=0)
    assert canonical_device("cuda", current_index=1) == "cuda:1"
    assert canonical_device("cuda:0", current_index=1) == "cuda:0"


def test_a_bare_device_name_after_set_device_in_the_cell_is_unknown():
    source = "torch.cuda.set_device(1)\nb = a1 + a0.to('cuda')\nc = a1 + a0.cuda()"
    assert precheck(ast.parse(source), TWO_GPUS) == []
