"""Every reply, every row and the synced state are strict JSON, whatever the tensors hold:
non-finite numbers travel as "nan", "inf" and "-inf". Random tensors (hypothesis), every
command of the panel."""

import json
import math

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tensor_inspector.commands import COMMANDS, PANEL_COMMANDS
from tests.conftest import invoke, run

FLOATING = [torch.float32, torch.float64, torch.float16, torch.bfloat16]
DTYPES = [*FLOATING, torch.complex64, torch.int64, torch.bool]

values = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 1e308, -1e308, 3e38, 7e4]),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
)


@st.composite
def tensors(draw):
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(
        st.sampled_from([(), (1,), (3,), (2, 3), (0,), (70,), (4, 1, 2)])
    )  # (70,): summarised, beyond the 64 shown whole
    count = math.prod(shape)
    numbers = draw(st.lists(values, min_size=count, max_size=count))
    base = torch.tensor(numbers, dtype=torch.float64).reshape(shape)
    if dtype == torch.bool:
        return base.nan_to_num(0.0) != 0
    if dtype == torch.int64:
        return base.nan_to_num(0.0, posinf=0.0, neginf=0.0).clamp(-1e15, 1e15).to(dtype)
    if dtype.is_complex:
        return torch.complex(base.float(), base.flip(list(range(base.dim()))).float())
    return base.to(dtype)  # out-of-range values become ±inf, as they would in a notebook


def messages_for(name: str, sim_device: str) -> list[dict]:
    """The requests a view sends for command ``name``, against the tensors of the cell."""
    return {
        "snapshot": [{}],
        "move": [{"name": "t", "device": sim_device}, {"name": "y"}],
        "apply_fix": [{"name": "t", "device": sim_device}],
        "backward": [
            {"name": "y", "trace": True, "retain_graph": True},
            {"name": "y", "gradient": "ones"},
        ],
        "graph": [{"name": "y"}, {"name": "t", "expand": None}],
        "stats": [{"name": "t"}, {"name": "y"}, {"name": "model"}],
        "picture": [{"name": "t"}],
        "unnamed": [{}],
        "release": [{"kind": "output history"}, {"kind": "last error"}],
        "zero_grad": [{"name": "t"}, {"name": "model"}],
        "zero_grad_all": [{}],
        "dock": [{"here": False}],
    }.get(name, [{"name": "t"}])


def assert_strict(payload) -> None:
    json.dumps(payload, allow_nan=False)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tensor=tensors(), grad_scale=values)
def test_every_command_replies_in_strict_json_whatever_the_values(
    ip, inspector, sim_device, tensor, grad_scale
):
    panel = inspector.panel
    sent = []
    original = type(panel).send
    panel_send = lambda content, buffers=None: sent.append(content)  # noqa: E731
    ip.user_ns["t"] = tensor
    run(ip, "model = torch.nn.Linear(2, 1)")
    if tensor.dtype in FLOATING and tensor.numel():
        tensor.requires_grad_(True)
        ip.user_ns["grad_scale"] = grad_scale
        run(ip, "y = (t.float() * grad_scale).sum() + t.float().exp().mean()")
        run(ip, "model(torch.tensor([[grad_scale] * 2]).float()).sum().backward()")
    else:
        run(ip, "y = t")
    for name in [*COMMANDS, *PANEL_COMMANDS]:
        for msg in messages_for(name, sim_device):
            reply = invoke(panel, name, msg)
            assert_strict(reply)
            assert isinstance(reply.get("ok"), bool), (name, reply)
    panel.send = panel_send
    try:
        run(ip, "t2 = t")  # a refresh, its rows broadcast
        inspector.refresh()
    finally:
        del panel.send
    assert type(panel).send is original
    for content in sent:
        assert_strict(content)
    assert_strict(panel.get_state())


def test_a_non_finite_value_reaches_the_view_as_its_string(ip, inspector):
    run(ip, "w = torch.tensor([float('nan'), float('inf'), -float('inf'), 1.0])")
    reply = invoke(inspector.panel, "snapshot", {})
    row = {row["name"]: row for row in reply["rows"]}["w"]
    assert row["preview"] == ["nan", "inf", "-inf", 1.0]


@pytest.mark.parametrize(
    "envelope",
    [
        {"kind": "anywidget-command", "id": "a", "name": "no_such_command", "msg": {}},
        {"kind": "anywidget-command", "id": "b", "name": ["stats"], "msg": {}},
        {"kind": "anywidget-command", "name": "stats", "msg": {"name": "t"}},
        {"kind": "anywidget-command", "id": "c", "name": "stats"},
    ],
    ids=["unknown_name", "name_not_text", "no_id", "no_msg"],
)
def test_every_request_gets_a_reply_even_a_malformed_one(ip, inspector, envelope):
    panel = inspector.panel
    sent = []
    panel.send = lambda content, buffers=None: sent.append(content)
    try:
        panel._handle_custom_msg(envelope, [])
    finally:
        del panel.send
    assert len(sent) == 1 and sent[0]["kind"] == "anywidget-command-response"
    assert sent[0]["id"] == envelope.get("id") and sent[0]["response"]["ok"] is False
    assert_strict(sent)
