"""The guard never blocks valid code, costs nothing per operation in `block`, explains
PyTorch's own refusals in the user's names, and never leaks its op-level mode (`strict`)."""

import pytest
import torch

from tensor_inspector import CrossDeviceError
from tests.conftest import run

MODES = ("block", "strict", "warn", "off")


@pytest.fixture(params=MODES)
def mode(request, ip, inspector, sim_device):
    run(ip, f"%ti guard {request.param}\nimport torch.nn as nn\nimport torch.nn.functional as F")
    run(ip, "device = torch.device('sim:0')\nt1 = torch.ones([3, 5])\nt2 = t1.to(device)")
    return request.param


def _mode_stack_depth() -> int:
    return len(torch.overrides._get_current_function_mode_stack())


MODULE_MOVES = [
    "model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).to(device)",
    "net = nn.Linear(3, 2)\nnet.to(device)",
    "layer = nn.Linear(3, 2).to(device)",
    "back = nn.Linear(3, 2).to(device).cpu()",
    "chained = nn.Linear(3, 2)\nchained = chained.float().to(device)",
    "lazy = nn.LazyLinear(2)\nlazy.to(device)",
    "lazy = nn.LazyLinear(2)\nlazy(torch.ones(4, 3))\nlazy.to(device)\nout = lazy(torch.ones(4, 3, device=device))",
]


@pytest.mark.parametrize("source", MODULE_MOVES)
def test_moving_modules_is_never_flagged(ip, mode, source):
    result = ip.run_cell(source)
    assert result.success, result.error_in_exec or result.error_before_exec


def test_a_module_keeps_its_parameter_objects_so_an_earlier_optimizer_trains(ip, mode):
    run(
        ip,
        "model = nn.Linear(3, 1)\nweight = model.weight\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.5)\nmodel.to(device)",
    )
    run(ip, "before = weight.detach().cpu().clone()\n"
            "model(torch.ones(2, 3, device=device)).sum().backward()\nopt.step()")  # fmt: skip
    assert ip.user_ns["model"].weight is ip.user_ns["weight"]
    assert ip.user_ns["weight"].device.type == "sim"
    assert not torch.equal(ip.user_ns["weight"].detach().cpu(), ip.user_ns["before"])


VALID_CELLS = [
    "n = t2.sum().item()\nx = t1 * n",
    "n = t2.sum().item()",
    "y = t1 * t2.size(0)\nz = t1 * t2.numel()",
    "t3 = t2.type_as(t1)\nw = t3 + t1",
    "w = (t3 := t1.to(device)) + t2",
    "torch.set_default_device(device)\nq = torch.ones(3, 5)\nr = q + t2\n"
    "torch.set_default_device(None)",
    "xs = torch.ones(4, 3, device=device)\nv = torch.arange(4.)\npicked = v[xs.sum(1).argmax()]",
    "f = torch.ones(3, device=device)\nf.fill_(torch.tensor(1.5))",
    "xs = torch.ones(4, 3, device=device)\nfull = torch.full_like(xs, torch.tensor(2.))",
    "s = torch.tensor(2.0)\nboth = t2 * s\nalso = torch.where(t2 > 0, t2, s)",
    "idx = torch.tensor([0, 2])\nrows = t2[idx]",
    "g = torch.ones(3, device=device, requires_grad=True)\n(g * 2).sum().backward()",
]


@pytest.mark.parametrize("source", VALID_CELLS)
def test_valid_cells_run_in_every_mode(ip, mode, source):
    result = ip.run_cell(source)
    assert result.success, result.error_in_exec or result.error_before_exec


def test_a_number_read_from_a_device_tensor_in_an_earlier_cell_is_a_number(ip, mode):
    run(ip, "n = t2.sum().item()\nk = t2.size(0)")
    result = ip.run_cell("x = t1 * n\ny = t1 * k")
    assert result.success


def test_cross_entropy_with_cpu_targets_is_explained_with_names(ip, mode):
    run(ip, "logits = torch.randn(4, 3, device=device)\ntargets = torch.tensor([0, 1, 2, 0])")
    result = ip.run_cell("marker = 1\nloss = F.cross_entropy(logits, targets)")
    error = result.error_in_exec or result.error_before_exec
    if mode in ("warn", "off"):
        assert isinstance(error, RuntimeError) and not isinstance(error, CrossDeviceError)
        return
    assert isinstance(error, CrossDeviceError), error
    assert "targets is on cpu" in str(error) and "logits is on sim:0" in str(error)
    assert 'targets = targets.to("sim:0")' in str(error)


def test_addcmul_with_a_cpu_scalar_is_flagged_before_the_cell_runs(ip, mode):
    run(ip, "x = torch.ones(3, device=device)\ncpu_0dim = torch.tensor(2.0)")
    result = ip.run_cell("marker = 1\ntorch.addcmul(x, cpu_0dim, x)")
    if mode == "off":
        assert ip.user_ns["marker"] == 1 and isinstance(result.error_in_exec, RuntimeError)
        return
    if mode == "warn":
        assert ip.user_ns["marker"] == 1
        return
    assert isinstance(result.error_before_exec, CrossDeviceError)
    assert "marker" not in ip.user_ns
    assert "cpu_0dim is on cpu" in str(result.error_before_exec)


def test_the_fix_of_an_expression_is_bracketed(ip, mode):
    run(ip, "xc = torch.ones(3)\nxg = xc.to(device)")
    result = ip.run_cell("(xc > 0) + xg")
    if mode in ("warn", "off"):
        return
    error = result.error_before_exec
    assert isinstance(error, CrossDeviceError)
    assert 'use (xc > 0).to("sim:0")' in str(error)


def test_block_mode_pushes_nothing_per_operation(ip, mode):
    run(ip, "depth = len(torch.overrides._get_current_function_mode_stack())")
    assert ip.user_ns["depth"] == (1 if mode == "strict" else 0)
    assert _mode_stack_depth() == 0


def test_strict_stops_the_operation_before_it_runs_inside_functions(ip, inspector, sim_device):
    run(ip, "%ti guard strict")
    run(ip, "t1 = torch.ones(3)\nt2 = t1.to('sim')\ndef grow(a, b):\n    a.add_(b)")
    result = ip.run_cell("grow(t1, t2)")
    error = result.error_in_exec
    assert isinstance(error, CrossDeviceError) and error.__cause__ is None
    assert "t1 is on cpu" in str(error) and "line 1: grow(t1, t2)" in str(error)
    assert "in grow: a.add_(b)" in str(error) and 't1 = t1.to("sim:0")' in str(error)
    assert torch.equal(ip.user_ns["t1"], torch.ones(3))  # the in-place add never ran


LEAKY_CELLS = [
    "%%capture\nx = t2 * 2",
    "get_ipython().run_cell('y = t2 * 2')",
    "get_ipython().run_cell('%%capture\\nz = t2 * 2')",
    "raise ValueError('a cell that fails')",
    "raise KeyboardInterrupt",
    "t1 + t2",
]


@pytest.mark.parametrize("source", LEAKY_CELLS)
def test_the_op_level_mode_never_leaks(ip, inspector, sim_device, source):
    run(ip, "%ti guard strict\nt1 = torch.ones(3)\nt2 = t1.to('sim')")
    for _ in range(3):
        ip.run_cell(source)
        assert _mode_stack_depth() == 0
    run(ip, "depth = len(torch.overrides._get_current_function_mode_stack())")
    assert ip.user_ns["depth"] == 1
    run(ip, "%ti guard off")
    run(ip, "depth = len(torch.overrides._get_current_function_mode_stack())")
    assert ip.user_ns["depth"] == 0


def test_a_mode_the_user_pushed_in_a_cell_survives_ours(ip, inspector, sim_device):
    run(ip, "%ti guard strict\nfrom torch.overrides import TorchFunctionMode")
    run(
        ip,
        "class Passing(TorchFunctionMode):\n"
        "    def __torch_function__(self, func, types, args=(), kwargs=None):\n"
        "        return func(*args, **(kwargs or {}))",
    )
    run(ip, "mine = Passing()\nmine.__enter__()")
    stack = torch.overrides._get_current_function_mode_stack()
    assert stack == [ip.user_ns["mine"]]
    ip.user_ns["mine"].__exit__(None, None, None)


@pytest.mark.parametrize("guard", ["block", "strict"])
def test_errors_show_the_users_frames_and_one_message(ip, inspector, sim_device, capsys, guard):
    run(ip, f"%ti guard {guard}\nt1 = torch.ones([3, 5])\nt2 = t1.to('sim')")
    run(ip, "def combine(a, b):\n    return a * b")
    capsys.readouterr()
    ip.run_cell("out = combine(t1, t2)")
    printed = capsys.readouterr().out
    assert "CrossDeviceError: " in printed and "mixes devices" in printed
    assert "out = combine(t1, t2)" in printed and "return a * b" in printed
    for internal in ("interactiveshell", "controller.py", "transform_ast", "site-packages"):
        assert internal not in printed
    ip.run_cell("t1 + t2")
    printed = capsys.readouterr().out
    assert "CrossDeviceError: Cell not run. line 1: t1 + t2 mixes devices" in printed
    assert "transform_ast" not in printed and "controller.py" not in printed
