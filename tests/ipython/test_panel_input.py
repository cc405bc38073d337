"""What the panel sends is checked before it is used: a refused request changes nothing, and
no message, however odd, can take the kernel down."""

import math

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tensor_inspector.commands import COMMANDS
from tests.conftest import invoke, run


@pytest.fixture
def ins(ip, inspector, sim_device):
    run(
        ip,
        "import torch.nn as nn\n"
        "t5 = torch.tensor([1., 2, 3], requires_grad=True)\ny2 = t5 ** 2\nz = 3 * y2.sum()\n"
        "model = nn.Linear(3, 2)\nopt = torch.optim.Adam(model.parameters())\n"
        "model(torch.ones(2, 3)).sum().backward()\nopt.step()",
    )
    return inspector


def _ask(ins, request) -> dict:
    """``request``: the command's name under "action", and its message."""
    if not isinstance(request, dict) or request.get("action") not in COMMANDS:
        return {"ok": False, "level": "error", "text": "unknown action"}  # no such command
    msg = {key: value for key, value in request.items() if key != "action"}
    return invoke(ins.panel, request["action"], msg)


def _state(ip) -> dict:
    """Every tensor's device, values, grad (object and values) and the optimizer state."""
    state = {}
    for name in ("t5", "y2", "z"):
        tensor = ip.user_ns[name]
        grad = tensor.grad if tensor.is_leaf else None
        state[name] = (
            str(tensor.device),
            id(tensor),
            tensor.detach().cpu().tolist(),
            id(grad),
            None if grad is None else grad.cpu().tolist(),
        )
    for name, param in ip.user_ns["model"].named_parameters():
        grad = param.grad
        state[name] = (str(param.device), id(param), param.detach().cpu().tolist(), id(grad))
        opt_state = ip.user_ns["opt"].state[param]
        state[f"{name}.exp_avg"] = (str(opt_state["exp_avg"].device), opt_state["exp_avg"].tolist())
    return state


REFUSED = [
    ({"action": "backward", "name": "y2", "gradient": "nan"}, "not a finite number"),
    ({"action": "backward", "name": "y2", "gradient": "inf"}, "not a finite number"),
    ({"action": "backward", "name": "y2", "gradient": "True"}, "truth value, not a number"),
    ({"action": "backward", "name": "y2", "gradient": "1e309"}, "not a finite number"),
    ({"action": "backward", "name": "y2", "gradient": "[1, 1, 1]" + " " * 1000}, "more than"),
    ({"action": "backward", "name": "y2", "gradient": "[1, 1, 1]", "retain_graph": "false"},
     "retain_graph must be true or false"),
    ({"action": "zero_grad", "name": ""}, "No tensor name"),
    ({"action": "zero_grad", "name": []}, "No tensor name"),
    ({"action": "zero_grad"}, "No tensor name"),
    ({"action": "backward", "name": "y2", "gradient": ["1"]}, "must be text"),
    ({"action": "move", "name": "t5", "device": ""}, "not a device name"),
    ({"action": "move", "name": "t5", "device": 0}, "must be a name"),
    ({"action": "move", "name": "t5", "device": "x" * 1_000_000}, "is not a device"),
    ({"action": "move", "name": "nope"}, "no tensor named nope"),
]  # fmt: skip


@pytest.mark.parametrize(("request_", "says"), REFUSED, ids=[str(i) for i in range(len(REFUSED))])
def test_bad_input_gets_a_clear_error_and_changes_nothing(ip, ins, request_, says):
    before = _state(ip)
    reply = _ask(ins, request_)
    assert reply["ok"] is False and reply["level"] == "error"
    assert says in reply["text"]
    assert len(reply["text"]) <= 300
    assert _state(ip) == before


def test_a_huge_gradient_text_is_refused_before_it_is_parsed(ip, ins):
    text = "[" + ", ".join(["1"] * 1_000_000) + "]"
    reply = _ask(ins, {"action": "backward", "name": "y2", "gradient": text})
    assert reply["ok"] is False and "more than the output needs" in reply["text"]


def test_clearing_every_grad_takes_the_explicit_action(ip, ins):
    ins.backward("z")
    assert ip.user_ns["t5"].grad is not None
    _ask(ins, {"action": "zero_grad_all"})
    assert ip.user_ns["t5"].grad is None


def test_retain_graph_true_keeps_the_graph(ip, ins):
    reply = _ask(ins, {"action": "backward", "name": "z", "retain_graph": True})
    assert reply["level"] == "info"
    reply = _ask(ins, {"action": "backward", "name": "z"})
    assert reply["level"] == "warning"  # accumulated: 6, 12, 18 -> 12, 24, 36
    assert ip.user_ns["t5"].grad.tolist() == [12.0, 24.0, 36.0]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10,
)  # fmt: skip
NAMES = st.sampled_from(["t5", "y2", "z", "model", "model.weight", "", "nope"]) | JSON
GRADIENTS = (
    st.sampled_from(["ones", "zeros", "[1, 1, 1]", "[1, 2]", "2.5", "nan", "-inf", "t5", "y2"])
    | st.text(max_size=40)
    | JSON
)
MESSAGES = st.fixed_dictionaries(
    {"action": st.sampled_from(sorted(COMMANDS))},
    optional={
        "name": NAMES,
        "device": st.sampled_from(["sim:0", "cpu", "sim:7", "cuda:0", ""]) | JSON,
        "gradient": GRADIENTS,
        "retain_graph": JSON,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(request_=MESSAGES, payload=JSON)
def test_any_message_leaves_the_kernel_alive_and_a_refusal_changes_nothing(
    ip, ins, request_, payload
):
    before = _state(ip)
    reply = _ask(ins, request_)  # never raises
    assert reply["level"] in ("info", "warning", "error") and isinstance(reply["ok"], bool)
    if not reply["ok"]:
        assert _state(ip) == before, (request_, reply)
    for name in sorted(COMMANDS):  # a message that is not a request at all
        if payload is not None and not isinstance(payload, dict):
            assert invoke(ins.panel, name, payload)["ok"] is False
    for value in _state(ip).values():  # nothing non-finite crept into values or grads
        values = value[2] if len(value) > 2 else None
        flat = torch.tensor(values).flatten().tolist() if isinstance(values, list) else []
        assert all(math.isfinite(x) for x in flat)
