"""The same scenarios on a real GPU (`make test-gpu`). Skipped where CUDA is absent."""

import pytest
import torch

from tensor_inspector import ActionError, CrossDeviceError
from tests.conftest import invoke, rows_by_name, run

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]


def refresh_afresh_where_a_sync_raises(inspector) -> None:
    """Describe every row anew, with CUDA raising on any synchronisation."""
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        inspector.tracker = type(inspector.tracker)()
        inspector.refresh()
    finally:
        torch.cuda.set_sync_debug_mode("default")


def test_refresh_never_synchronises_the_gpu(ip, inspector):
    run(
        ip,
        "t5 = torch.tensor([1., 2, 3], requires_grad=True, device='cuda:0')\n"
        "y = (t5**2).sum()\ny.backward()\nbig = torch.ones(1000, 1000, device='cuda:0')\n"
        "model = torch.nn.Linear(8, 4).cuda()",
    )
    refresh_afresh_where_a_sync_raises(inspector)
    rows = {row["name"]: row for row in inspector.rows}
    assert rows["t5"]["device"] == "cuda:0"
    assert rows["t5"]["grad"]["device"] == "cuda:0"
    assert rows["t5"]["preview"] is None


def test_device_header_names_the_gpu(ip, inspector):
    run(ip, "x = torch.ones(1, device='cuda:0')")
    devices = inspector.panel.devices
    assert devices["type"] == "cuda"
    assert devices["count"] == torch.cuda.device_count()
    assert devices["devices"][0]["name"] == torch.cuda.get_device_name(0)
    assert devices["devices"][0]["memory_allocated"] > 0


def test_move_keeps_leaf_grad_parameter_and_optimizer_state(ip, inspector):
    run(
        ip,
        "t5 = torch.tensor([1., 2, 3], requires_grad=True)\n(t5**2).sum().backward()\n"
        "model = torch.nn.Linear(3, 2)\nopt = torch.optim.Adam(model.parameters())\n"
        "model(torch.ones(4, 3)).sum().backward(); opt.step()\nweight = model.weight",
    )
    inspector.move("t5")
    t5 = ip.user_ns["t5"]
    assert t5.device.type == "cuda" and t5.is_leaf and t5.requires_grad
    assert t5.grad.cpu().tolist() == [2.0, 4.0, 6.0]
    inspector.move("model")
    weight = ip.user_ns["model"].weight
    assert weight is ip.user_ns["weight"] and isinstance(weight, torch.nn.Parameter)
    state = ip.user_ns["opt"].state[weight]
    assert state["exp_avg"].device.type == "cuda"
    assert state["step"].device.type == "cpu"
    run(ip, "model(torch.ones(4, 3, device='cuda')).sum().backward(); opt.step()")


def test_backward_on_gpu_with_a_cpu_gradient(ip, inspector):
    run(ip, "t5 = torch.tensor([1., 2, 3], requires_grad=True, device='cuda:0')\ny2 = t5**2")
    inspector.backward("y2", "[1, 1, 1]")
    assert ip.user_ns["t5"].grad.cpu().tolist() == [2.0, 4.0, 6.0]
    with pytest.raises(ActionError, match="freed"):
        inspector.backward("y2", "ones")
    assert rows_by_name(ip)["t5"]["grad"]["device"] == "cuda:0"


@pytest.mark.parametrize("guard", ["block", "strict", "warn", "off"])
def test_everyday_training_code_runs_under_the_guard_without_alarms(ip, inspector, guard):
    run(ip, f"%ti guard {guard}")
    run(
        ip,
        "early = torch.nn.Linear(3, 2)\nweight = early.weight\n"
        "sgd = torch.optim.SGD(early.parameters(), lr=0.1)\nearly = early.to('cuda')\n"
        "early(torch.ones(4, 3, device='cuda')).sum().backward()\nsgd.step()",
    )
    assert ip.user_ns["early"].weight is ip.user_ns["weight"]
    run(
        ip,
        "model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.BatchNorm1d(16), torch.nn.ReLU(),"
        " torch.nn.Linear(16, 3))\n"
        "model.to('cuda')\n"
        "opt = torch.optim.Adam(model.parameters())\n"
        "x = torch.randn(32, 8, device='cuda')\ny = torch.randint(0, 3, (32,), device='cuda')\n"
        "for _ in range(3):\n"
        "    opt.zero_grad()\n"
        "    loss = torch.nn.functional.cross_entropy(model(x), y)\n"
        "    loss.backward()\n"
        "    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n"
        "    opt.step()\n"
        "print(loss, x[:2], model[0].weight.grad[0, :3])\n"
        "scaled = x * torch.tensor(2.0)\nmasked = x.masked_fill(x > 0, torch.tensor(0.0))\n"
        "x.index_put_((torch.tensor([0, 1]),), torch.zeros(2, 8, device='cuda'))\n"
        "model.cpu(); model.cuda()",
    )


def test_mixing_on_cuda_is_stopped_before_it_runs(ip, inspector):
    run(ip, "t1 = torch.ones(3, 5)\nt2 = t1.to('cuda:0')")
    result = ip.run_cell("marker = 1\nt1 + t2")
    assert isinstance(result.error_before_exec, CrossDeviceError)
    assert "marker" not in ip.user_ns
    assert 't1 = t1.to("cuda:0")' in str(result.error_before_exec)


@pytest.mark.parametrize("guard", ["block", "strict"])
def test_pytorchs_own_refusal_on_cuda_is_explained_in_the_users_names(ip, inspector, guard):
    run(ip, f"%ti guard {guard}")
    run(ip, "logits = torch.randn(4, 3, device='cuda')\ntargets = torch.tensor([0, 1, 2, 0])")
    result = ip.run_cell("def loss_of(out, y):\n    return torch.nn.functional.cross_entropy(out, y)\n"
                         "loss = loss_of(logits, targets)")  # fmt: skip
    error = result.error_in_exec
    assert isinstance(error, CrossDeviceError), error
    assert "targets is on cpu" in str(error) and "logits is on cuda:0" in str(error)


two_gpus = pytest.mark.skipif(torch.cuda.device_count() < 2, reason="needs two GPUs")


@two_gpus
def test_two_gpus_mixed_in_a_cell_are_stopped_before_it_runs(ip, inspector):
    run(ip, "a0 = torch.ones(3, device='cuda:0')\na1 = torch.ones(3, device='cuda:1')")
    result = ip.run_cell("marker = 1\ntotal = a0 + a1")
    error = result.error_before_exec
    assert isinstance(error, CrossDeviceError) and "marker" not in ip.user_ns
    assert "a0 is on cuda:0, a1 is on cuda:1" in str(error)
    assert 'a1 = a1.to("cuda:0")' in str(error)


SPLIT_MODEL = (
    "model = torch.nn.Sequential(torch.nn.Linear(4, 8).to('cuda:0'), torch.nn.ReLU(),\n"
    "                            torch.nn.Linear(8, 2).to('cuda:1'))\n"
)
# What device_map's hooks do: each layer after the first moves its input to its device.
MOVE_INPUTS = (
    "for layer in list(model)[1:]:\n"
    "    layer.register_forward_pre_hook(\n"
    "        lambda m, args: tuple(a.to(next(m.parameters(), a).device) for a in args))\n"
)


@two_gpus
@pytest.mark.parametrize("guard", ["block", "strict"])
def test_a_split_model_fed_on_the_wrong_gpu_names_its_first_layer(ip, inspector, guard):
    run(ip, f"%ti guard {guard}")
    run(ip, SPLIT_MODEL + MOVE_INPUTS + "x = torch.rand(3, 4, device='cuda:1')")
    error = ip.run_cell("logits = model(x)").error_in_exec
    assert isinstance(error, CrossDeviceError), error
    assert (
        "model.0 is on cuda:0, its input x is on cuda:1; models split with device_map take "
        "their inputs on the first layer's device" in str(error)
    )
    assert error.fix.run == 'x = x.to("cuda:0")'
    run(ip, error.fix.run)
    run(ip, "logits = model(x)")


@two_gpus
def test_a_model_split_by_hand_names_the_layer_whose_input_stayed_behind(ip, inspector):
    run(ip, SPLIT_MODEL + "x = torch.rand(3, 4, device='cuda:0')")
    error = ip.run_cell("logits = model(x)").error_in_exec
    assert isinstance(error, CrossDeviceError), error
    assert "model.2 is on cuda:1, its input (made inside model" in str(error)
    assert error.fix.run == 'model.to("cuda:0")'


def test_stats_read_a_gpu_tensor_in_one_transfer(ip, inspector):
    import warnings

    run(ip, "x = torch.randn(1000, device='cuda')\nx[3] = float('nan')")
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("warn")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            stats = inspector.stats("x")
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert stats["nan"] == 1 and sum(stats["hist"]) == 999
    assert len([w for w in caught if "synchroniz" in str(w.message).lower()]) <= 1


def test_a_panel_backward_shows_small_gpu_grads_without_a_sync_on_refresh(ip, inspector):
    run(ip, "t5 = torch.tensor([1., 2, 3], requires_grad=True, device='cuda:0')\ny = (t5**2).sum()")
    assert invoke(inspector.panel, "backward", {"name": "y"})["ok"]
    refresh_afresh_where_a_sync_raises(inspector)
    assert rows_by_name(ip)["t5"]["grad"]["preview"] == [2.0, 4.0, 6.0]
