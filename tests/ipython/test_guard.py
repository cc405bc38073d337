"""Cross-device operations flagged before they run, in a real IPython shell,
with the simulated accelerator standing in for a GPU."""

import sys
import warnings

import pytest
import torch

from tensor_inspector import CrossDeviceError, CrossDeviceWarning
from tests.conftest import invoke, run


@pytest.fixture
def inspector(inspector, ip, sim_device):
    run(ip, "t1 = torch.ones([3, 5])\nt2 = t1.to('sim')")
    return inspector


def test_the_notebooks_t1_plus_t2_is_stopped_before_any_line_runs(ip, inspector):
    result = ip.run_cell("marker = 'ran'\nt1 + t2")
    assert isinstance(result.error_before_exec, CrossDeviceError)
    assert "marker" not in ip.user_ns  # the first line did not run either
    message = str(result.error_before_exec)
    assert "line 2: t1 + t2" in message
    assert "t2 is on sim:0, t1 is on cpu" in message
    assert 't1 = t1.to("sim:0")' in message
    flag = inspector.panel.flag
    assert flag["name"] == "t1" and flag["device"] == "sim:0"
    assert "t1 + t2" in flag["text"]


def test_the_flags_fix_runs_its_line_and_the_cell_runs_again(ip, inspector):
    run(ip, "flat = t1.flatten()")  # a view of t1: the fix rebinds t1 as the line would
    ip.run_cell("marker = 'ran'\nt1 + t2")
    flag = inspector.panel.flag
    panel = inspector.panel
    reply = invoke(panel, "apply_fix", {"name": flag["name"], "device": flag["device"]})
    assert ip.user_ns["t1"].device.type == "sim"
    assert ip.user_ns["flat"].device.type == "cpu"
    assert 'Ran t1 = t1.to("sim:0")' in reply["text"]
    assert "flat still holds the tensor on cpu" in reply["text"]
    assert inspector.panel.flag == {}
    result = ip.run_cell("marker = 'ran'\nt1 + t2")
    assert result.success and ip.user_ns["marker"] == "ran"


def test_a_cell_that_moves_first_is_not_flagged(ip, inspector):
    result = ip.run_cell("t1 = t1.to('sim')\ntotal = t1 + t2")
    assert result.success
    assert ip.user_ns["total"].device.type == "sim"


def test_pytorchs_refusal_in_a_function_is_explained_with_names_and_lines(ip, inspector):
    run(ip, "def combine(a, b):\n    return a * b")
    result = ip.run_cell("before = 1\nout = combine(t1, t2)")
    error = result.error_in_exec
    assert isinstance(error, CrossDeviceError) and isinstance(error, RuntimeError)
    text = str(error)
    assert text.startswith("a * b mixes devices")
    assert "t1 is on cpu" in text and "t2 is on sim:0" in text
    assert "line 2: out = combine(t1, t2)" in text and "in combine: return a * b" in text
    assert 't1 = t1.to("sim:0")' in text
    assert "Expected all tensors to be on the same device" in str(error.__cause__)
    assert "out" not in ip.user_ns
    assert inspector.panel.flag["name"] == "t1"


def test_the_guard_names_module_parameters_by_path(ip, inspector):
    run(
        ip, "model = torch.nn.Sequential(torch.nn.Linear(5, 2))\nx = torch.ones(1, 5, device='sim')"
    )
    result = ip.run_cell("def forward(m, x):\n    return m(x)\nforward(model, x)")
    text = str(result.error_in_exec)
    assert "model.0.weight is on cpu" in text
    assert 'model.to("sim:0")' in text


def test_loops_and_try_blocks_are_left_to_pytorch_and_explained(ip, inspector):
    result = ip.run_cell("count = 0\nfor _ in range(2):\n    count += 1\n    t1 + t2")
    assert isinstance(result.error_in_exec, CrossDeviceError)
    assert ip.user_ns["count"] == 1  # the pre-check was unsure, so the cell ran until the op
    result = ip.run_cell(
        "try:\n    t1 + t2\nexcept RuntimeError as e:\n    caught = type(e).__name__"
    )
    assert result.success and ip.user_ns["caught"] == "RuntimeError"  # the user's own except


def test_a_cpu_scalar_with_an_accelerator_tensor_runs(ip, inspector):
    result = ip.run_cell("s = torch.tensor(2.0)\nboth = t2 * s\nalso = torch.where(t2 > 0, t2, s)")
    assert result.success
    assert ip.user_ns["both"].device.type == "sim"


def test_backward_with_a_gradient_on_another_device_is_flagged(ip, inspector):
    run(
        ip,
        "w = torch.ones(3, device='sim', requires_grad=True)\ny = w * 2\ng = torch.ones(3, device='sim')",
    )
    run(ip, "g_cpu = torch.ones(3)")
    result = ip.run_cell("def go(out, grad):\n    out.backward(grad)\ngo(y, g_cpu)")
    error = result.error_in_exec
    assert isinstance(error, CrossDeviceError), error
    assert "g_cpu is on cpu" in str(error)
    assert ip.user_ns["w"].grad is None


@pytest.fixture
def optimizer_left_behind(ip, inspector):
    run(
        ip,
        "lin = torch.nn.Linear(3, 1)\nopt = torch.optim.Adam(lin.parameters())\n"
        "lin(torch.ones(2, 3)).sum().backward()\nopt.step()",
    )
    # Move the weight behind the optimizer's back: its state stays on the cpu.
    run(
        ip,
        "torch.utils.swap_tensors(lin.weight, torch.nn.Parameter(lin.weight.detach().to('sim')))\n"
        "lin.weight.grad = torch.ones_like(lin.weight)",
    )
    return inspector


def test_optimizer_state_left_on_another_device_is_explained(ip, optimizer_left_behind):
    result = ip.run_cell("opt.step()")
    error = result.error_in_exec
    assert isinstance(error, CrossDeviceError), error
    assert "opt.step() mixes devices: lin.weight is on sim:0" in str(error)
    assert "'exp_avg' is on cpu" in str(error)


def test_strict_mode_checks_the_optimizer_before_the_step(ip, optimizer_left_behind):
    run(ip, "%ti guard strict")
    before = ip.user_ns["lin"].weight.detach().cpu().clone()
    result = ip.run_cell("opt.step()")
    error = result.error_in_exec
    assert isinstance(error, CrossDeviceError), error
    assert "opt.step() mixes devices: lin.weight is on sim:0" in str(error)
    assert error.__cause__ is None  # stopped by the check, not by PyTorch
    assert torch.equal(ip.user_ns["lin"].weight.detach().cpu(), before)


def test_warn_mode_warns_then_pytorch_raises_its_own_error(ip, inspector):
    run(ip, "%tensor_inspector guard warn")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = ip.run_cell("marker = 1\nt1 + t2")
    assert any(issubclass(w.category, CrossDeviceWarning) for w in caught)
    assert ip.user_ns["marker"] == 1
    error = result.error_in_exec
    assert isinstance(error, RuntimeError) and not isinstance(error, CrossDeviceError)
    assert "Expected all tensors to be on the same device" in str(error)


def test_off_mode_checks_nothing(ip, inspector):
    run(ip, "%ti guard off")
    result = ip.run_cell("marker = 1\nt1 + t2")
    assert ip.user_ns["marker"] == 1
    assert not isinstance(result.error_in_exec, CrossDeviceError)
    assert torch.overrides._get_current_function_mode_stack() == []


def test_a_bad_mode_is_a_usage_error_that_changes_nothing(ip, inspector):
    ip.run_cell("%ti guard sometimes")
    assert inspector.guard.mode == "block"


def test_no_mode_is_left_on_the_stack_after_a_cell(ip, inspector):
    ip.run_cell("t1 + t2")
    run(ip, "x = t2 * 2")
    assert torch.overrides._get_current_function_mode_stack() == []


def test_unload_removes_the_checks(ip, inspector):
    run(ip, "%unload_ext tensor_inspector")
    assert not any("Precheck" in type(t).__name__ for t in ip.ast_transformers)
    result = ip.run_cell("marker = 1\nt1 + t2")
    assert ip.user_ns["marker"] == 1
    assert not isinstance(result.error_in_exec, CrossDeviceError)


def test_assigning_data_or_grad_is_left_to_pytorch(ip, inspector):
    run(ip, "p = torch.nn.Parameter(torch.ones(3))")
    result = ip.run_cell("p.data = torch.zeros(3, device='sim')")
    assert not isinstance(result.error_in_exec, CrossDeviceError)
    result = ip.run_cell(
        "q = torch.ones(3, device='sim', requires_grad=True)\nq.grad = torch.zeros(3, device='sim')"
    )
    assert result.success


def test_the_notebooks_own_runtime_errors_are_left_alone(ip, inspector):
    words = "Expected all tensors to be on the same device, but found at least two devices"
    result = ip.run_cell(f"raise RuntimeError('{words}, sim:0 and cpu!')")
    assert type(result.error_in_exec) is RuntimeError
    run(ip, "class ConfigError(RuntimeError):\n    pass")
    result = ip.run_cell(f"def check():\n    raise ConfigError('{words}')\ncheck()")
    assert type(result.error_in_exec).__name__ == "ConfigError"
    assert inspector.panel.flag in ({}, None)


def test_a_local_of_the_same_name_as_a_global_is_never_moved_by_the_button(ip, inspector):
    run(
        ip,
        "u = torch.ones(3)\nsim_t = torch.ones(3, device='sim')\ndef mix(u, v):\n    return u + v",
    )
    error = ip.run_cell("mix(torch.ones(3), sim_t)").error_in_exec
    assert isinstance(error, CrossDeviceError)
    assert error.name is None  # the cpu tensor is a temporary: no notebook name holds it
    assert "return u.to(v.device) + v" in str(error)


def test_ipythons_hidden_names_are_never_blamed(ip, inspector):
    run(
        ip,
        "class Rope(torch.nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.lin = torch.nn.Linear(4, 4)\n"
        "        self.cos_cached = torch.ones(10, 4)\n"
        "    def forward(self, x):\n"
        "        return self.lin(x) * self.cos_cached[:x.shape[0]]\n"
        "rope = Rope().to('sim')",
    )
    run(ip, "torch.ones(2)")  # IPython's _ now holds a cpu tensor
    error = ip.run_cell("_\nrope(torch.ones(5, 4, device='sim'))").error_in_exec
    text = str(error)
    assert "rope.cos_cached is on cpu" in text and "plain tensor attribute" in text
    assert "_ is on" not in text and 'register_buffer("cos_cached"' in text


def test_strict_mode_names_the_same_culprit_as_block(ip, inspector):
    run(ip, "t1 = torch.ones(3)\nt2 = t1.to('sim')\ndef combine(a, b):\n    return a * b")
    texts = []
    for mode in ("block", "strict"):
        run(ip, f"%ti guard {mode}")
        error = ip.run_cell("combine(t1, t2)").error_in_exec
        texts.append(str(error).split(" (Cell")[0])
    assert texts[0] == texts[1] and "t1 is on cpu" in texts[0]


FAILED_FORWARD = (
    "model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))\n"
    "x = torch.randn(3, 4, device='sim')\n"
    "def predict(m, x):\n"
    "    return m(x)"
)


@pytest.mark.parametrize("result_read_whole", [False, True])
def test_the_flags_fix_moves_a_model_after_its_forward_failed(ip, inspector, result_read_whole):
    run(ip, FAILED_FORWARD)
    failed = ip.run_cell("y = predict(model, x)")
    assert isinstance(failed.error_in_exec, CrossDeviceError)
    if result_read_whole:  # as a front end or a log that reads the result's attributes does
        assert vars(failed)["error_in_exec"] is failed.error_in_exec
    del failed
    flag = inspector.panel.flag
    assert flag["name"] == "model" and flag["device"] == "sim:0"
    reply = invoke(inspector.panel, "apply_fix", {"name": "model", "device": "sim:0"})
    assert reply["ok"], reply["text"]
    assert "Moved model (4 tensors) from cpu to sim:0" in reply["text"]
    assert "traceback" in reply["text"] and "released" in reply["text"]
    assert {p.device.type for p in ip.user_ns["model"].parameters()} == {"sim"}
    assert inspector.panel.flag == {}
    result = ip.run_cell("y = predict(model, x)")
    assert result.success and ip.user_ns["y"].device.type == "sim"


def test_a_model_that_a_named_result_still_holds_is_not_moved_and_the_error_is_kept(ip, inspector):
    run(ip, FAILED_FORWARD + "\nkept = model(torch.ones(1, 4)).sum()")  # its graph holds model
    error = ip.run_cell("y = predict(model, x)").error_in_exec
    assert isinstance(error, CrossDeviceError)
    reply = invoke(inspector.panel, "apply_fix", {"name": "model", "device": "sim:0"})
    assert not reply["ok"]
    assert "model was not moved, and nothing changed" in reply["text"]
    assert "kept (its autograd graph" in reply["text"]
    assert {p.device.type for p in ip.user_ns["model"].parameters()} == {"cpu"}
    assert getattr(sys, "last_value", None) is error or getattr(sys, "last_exc", None) is error


def test_an_error_the_notebook_keeps_is_not_released_and_the_model_stays(ip, inspector):
    run(ip, FAILED_FORWARD)
    error = ip.run_cell("y = predict(model, x)").error_in_exec
    assert isinstance(error, CrossDeviceError)
    del error
    run(ip, "import sys\nkept = sys.last_value")  # its frames stay alive whatever is released
    reply = invoke(inspector.panel, "apply_fix", {"name": "model", "device": "sim:0"})
    assert not reply["ok"] and "model was not moved, and nothing changed" in reply["text"]
    assert "released" not in reply["text"]
    assert {p.device.type for p in ip.user_ns["model"].parameters()} == {"cpu"}
    assert sys.last_value is ip.user_ns["kept"]
