"""Move, backward and zero grad through the Inspector API, in a real IPython shell,
with the simulated accelerator standing in for a GPU."""

import pytest
import torch

from tensor_inspector import ActionError
from tests.conftest import invoke, rows_by_name, run

pytestmark = pytest.mark.usefixtures("sim_device")


def test_move_defaults_to_accelerator_zero_and_every_holder_follows(ip, inspector):
    run(ip, "t1 = torch.ones([3, 5])\nalias = t1\nbatch = [t1]\nd = {'x': t1}")
    outcome = inspector.move("t1")
    ns = ip.user_ns
    assert {str(ns[k].device) for k in ("t1", "alias")} == {"sim:0"}
    assert ns["batch"][0].device.type == ns["d"]["x"].device.type == "sim"
    assert ns["t1"] is ns["alias"] is ns["batch"][0]
    assert "cpu to sim:0" in outcome.message
    assert rows_by_name(ip)["t1"]["device"] == "sim:0"
    assert ns["t1"].cpu().sum().item() == 15.0  # the values came along


def test_a_leaf_that_requires_grad_stays_a_leaf_and_its_grad_moves(ip, inspector):
    run(ip, "t5 = torch.tensor([1., 2, 3], requires_grad=True)\n(t5**2).sum().backward()")
    inspector.move("t5", "sim:0")
    t5 = ip.user_ns["t5"]
    assert t5.is_leaf and t5.requires_grad and t5.grad_fn is None
    assert t5.grad.device.type == "sim"
    assert t5.grad.cpu().tolist() == [2.0, 4.0, 6.0]
    run(ip, "(t5**2).sum().backward()")  # the moved leaf still gathers gradients
    assert ip.user_ns["t5"].grad.cpu().tolist() == [4.0, 8.0, 12.0]


def test_a_parameter_stays_a_parameter(ip, inspector):
    run(ip, "p = torch.nn.Parameter(torch.ones(2))")
    inspector.move("p")
    assert isinstance(ip.user_ns["p"], torch.nn.Parameter)
    assert ip.user_ns["p"].device.type == "sim"


def test_moving_a_module_moves_its_optimizer_state_but_adams_step_stays_on_cpu(ip, inspector):
    run(
        ip,
        "model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))\n"
        "opt = torch.optim.Adam(model.parameters())\n"
        "model(torch.ones(4, 3)).sum().backward(); opt.step()\n"
        "weight = model[0].weight",
    )
    inspector.move("model")
    ns = ip.user_ns
    weight = ns["model"][0].weight
    assert weight is ns["weight"]
    assert isinstance(weight, torch.nn.Parameter)
    assert {t.device.type for t in ns["model"].state_dict().values()} == {"sim"}
    assert weight.grad.device.type == "sim"
    state = ns["opt"].state[weight]
    assert state["exp_avg"].device.type == state["exp_avg_sq"].device.type == "sim"
    assert state["step"].device.type == "cpu"
    run(ip, "model(torch.ones(4, 3, device='sim')).sum().backward(); opt.step()")
    assert ns["opt"].state[weight]["step"].item() == 2


def test_moving_a_computed_tensor_says_it_left_the_graph(ip, inspector):
    run(ip, "a = torch.ones(3, requires_grad=True)\nb = a * 2")
    outcome = inspector.move("b")
    assert "left the autograd graph" in outcome.message
    assert ip.user_ns["b"].is_leaf
    assert ip.user_ns["b"].device.type == "sim"


def test_a_view_is_not_moved_alone(ip, inspector):
    run(ip, "base = torch.zeros(10)\nview = base[2:5]")
    with pytest.raises(ActionError, match="view"):
        inspector.move("view")
    assert ip.user_ns["view"].device.type == "cpu"
    assert ip.user_ns["view"]._base is ip.user_ns["base"]


def test_moving_to_a_device_that_does_not_exist_names_those_that_do(ip, inspector):
    run(ip, "t = torch.ones(2)")
    with pytest.raises(ActionError, match=r"no device sim:3 .* sim:0, cpu"):
        inspector.move("t", "sim:3")
    with pytest.raises(ActionError, match="not a device"):
        inspector.move("t", "warp-drive")
    assert ip.user_ns["t"].device.type == "cpu"


def test_an_action_on_a_deleted_name_says_so(ip, inspector):
    run(ip, "gone = torch.ones(2)")
    run(ip, "del gone")
    for action in (inspector.move, inspector.backward, inspector.zero_grad):
        with pytest.raises(ActionError, match="no tensor named gone"):
            action("gone")


def test_backward_of_a_scalar_fills_the_leaf_grads(ip, inspector):
    run(ip, "t5 = torch.tensor([1., 2, 3], requires_grad=True)\ny = (t5**2).sum()")
    outcome = inspector.backward("y")
    assert outcome.names == ["t5"]
    assert rows_by_name(ip)["t5"]["grad"]["preview"] == [2.0, 4.0, 6.0]


def test_backward_of_a_non_scalar_asks_for_a_gradient(ip, inspector):
    run(ip, "t5 = torch.tensor([1., 2, 3], requires_grad=True)\ny2 = t5**2")
    with pytest.raises(ActionError, match=r"3 elements .* needs a gradient"):
        inspector.backward("y2")
    assert ip.user_ns["t5"].grad is None


@pytest.mark.parametrize("gradient", ["ones", "1", "[1, 1, 1]", "[1., 1., 1.]", "g"])
def test_backward_accepts_each_kind_of_gradient_text(ip, inspector, gradient):
    run(ip, "t5 = torch.tensor([1., 2, 3], requires_grad=True)\ny2 = t5**2\ng = torch.ones(3)")
    inspector.backward("y2", gradient)
    assert ip.user_ns["t5"].grad.tolist() == [2.0, 4.0, 6.0]


def test_a_cpu_gradient_for_an_accelerator_output_is_moved(ip, inspector):
    run(ip, "t5 = torch.tensor([1., 2, 3], requires_grad=True, device='sim')\ny2 = t5**2")
    inspector.backward("y2", torch.ones(3))
    assert ip.user_ns["t5"].grad.cpu().tolist() == [2.0, 4.0, 6.0]


@pytest.mark.parametrize(
    ("gradient", "message"),
    [
        ("[1, 1]", r"shape \[2\] but y2 has shape \[3\]"),
        ("torch.ones(3)", "Could not read"),
        ("__import__('os').system('true')", "Could not read"),
        ("[[1, 1], [1]]", "not a rectangular list"),
        ("no_such_tensor", "no tensor named no_such_tensor"),
        ("ints", "integer type"),
    ],
)
def test_a_malformed_gradient_changes_nothing(ip, inspector, gradient, message):
    run(
        ip,
        "t5 = torch.tensor([1., 2, 3], requires_grad=True)\ny2 = t5**2\nints = torch.ones(3, dtype=torch.int64)",
    )
    with pytest.raises(ActionError, match=message):
        inspector.backward("y2", gradient)
    assert ip.user_ns["t5"].grad is None
    inspector.backward("y2", "ones")  # the graph is still there
    assert ip.user_ns["t5"].grad.tolist() == [2.0, 4.0, 6.0]


def test_a_second_backward_explains_the_freed_graph(ip, inspector):
    run(ip, "t5 = torch.tensor([1., 2, 3], requires_grad=True)\ny = (t5**2).sum()")
    inspector.backward("y")
    with pytest.raises(ActionError, match="freed by an earlier backward"):
        inspector.backward("y")
    assert ip.user_ns["t5"].grad.tolist() == [2.0, 4.0, 6.0]


def test_retain_graph_allows_a_second_backward_and_grads_accumulate(ip, inspector):
    run(ip, "t5 = torch.tensor([1., 2, 3], requires_grad=True)\ny = (t5**2).sum()")
    inspector.backward("y", retain_graph=True)
    outcome = inspector.backward("y")
    assert ip.user_ns["t5"].grad.tolist() == [4.0, 8.0, 12.0]
    assert outcome.accumulated == ["t5"]
    assert "accumulate" in outcome.message


def test_backward_from_something_without_grad_is_explained(ip, inspector):
    run(ip, "plain = torch.ones(3).sum()\nleaf = torch.ones(3, requires_grad=True)")
    with pytest.raises(ActionError, match="does not require grad"):
        inspector.backward("plain")
    with pytest.raises(ActionError, match="is a leaf"):
        inspector.backward("leaf")


def test_zero_grad_of_one_tensor_and_of_all(ip, inspector):
    run(
        ip,
        "a = torch.ones(2, requires_grad=True)\nb = torch.ones(2, requires_grad=True)\n"
        "(a * b).sum().backward()",
    )
    inspector.zero_grad("a")
    assert ip.user_ns["a"].grad is None and ip.user_ns["b"].grad is not None
    assert rows_by_name(ip)["a"]["grad"] is None
    outcome = inspector.zero_grad()
    assert outcome.names == ["b"]
    assert ip.user_ns["b"].grad is None


def test_panel_commands_answer_the_view_that_asked(ip, inspector):
    run(ip, "t5 = torch.tensor([1., 2, 3], requires_grad=True)\ny2 = t5**2")
    panel = inspector.panel
    reply = invoke(panel, "backward", {"name": "y2", "gradient": "[1, 1]"})
    assert reply["ok"] is False and reply["level"] == "error"
    assert "shape [2]" in reply["text"]
    reply = invoke(panel, "backward", {"name": "y2", "gradient": "[1, 1, 1]"})
    assert reply["ok"] is True and reply["level"] == "info"
    assert ip.user_ns["t5"].grad.tolist() == [2.0, 4.0, 6.0]
    assert panel.message == {}  # replies are not broadcast
    rows = invoke(panel, "snapshot")["rows"]
    assert {row["name"] for row in rows} == {"t5", "y2"}
    assert invoke(panel, "snapshot", "not a dict")["ok"] is False
