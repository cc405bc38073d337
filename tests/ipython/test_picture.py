"""inspector.picture() and the panel's picture command in a real IPython shell."""

import json

from tensor_inspector.testing.simulated_device import reset_transfers, transfers
from tests.conftest import invoke, run


def test_a_weight_matrix_of_a_module_by_its_path(ip, inspector):
    run(ip, "torch.manual_seed(0)\nmodel = torch.nn.Sequential(torch.nn.Linear(5, 3))")
    drawn = inspector.picture("model.0.weight")
    weight = ip.user_ns["model"][0].weight
    assert drawn["values"] == weight.tolist() and drawn["shape"] == [3, 5]
    assert drawn["name"] == "model.0.weight" and drawn["of"] == "values"


def test_the_panel_command_answers_with_strict_json(ip, inspector):
    run(ip, "x = torch.tensor([[1.0, float('nan')], [float('inf'), -2.0]])")
    reply = invoke(inspector.panel, "picture", {"name": "x"})
    assert reply["ok"] is True
    assert reply["picture"]["values"] == [[1.0, "nan"], ["inf", -2.0]]
    json.dumps(reply, allow_nan=False)


def test_the_panel_command_reads_at_window_and_grad(ip, inspector):
    run(ip, "w = torch.arange(24.0).reshape(2, 3, 4).requires_grad_()\n(w * 2).sum().backward()")
    msg = {"name": "w", "at": {"0": 1}, "window": [1, 3, 0, 2]}
    reply = invoke(inspector.panel, "picture", msg)
    assert reply["picture"]["values"] == [[16.0, 17.0], [20.0, 21.0]]
    grad = invoke(inspector.panel, "picture", {"name": "w", "of": "grad"})
    assert grad["picture"]["values"] == [[2.0] * 4] * 3


def test_bad_requests_from_the_panel_are_refused_and_change_nothing(ip, inspector):
    run(ip, "x = torch.ones(3, 3)")
    for msg, words in [
        ({"name": "x", "dims": "0,1"}, "dims"),
        ({"name": "x", "window": [0, 5, 0, 1]}, "not inside"),
        ({"name": "x", "image": "yes"}, "true or false"),
        ({"name": "x", "max_side": "64"}, "max_side"),
        ({"name": "nothing"}, "no tensor named nothing"),
        ({"name": "x", "of": "grad"}, "x.grad is None"),
    ]:
        reply = invoke(inspector.panel, "picture", msg)
        assert reply["ok"] is False and words in reply["text"], (msg, reply)
    assert ip.user_ns["x"].tolist() == [[1.0] * 3] * 3


def test_a_device_tensor_is_read_once_and_refreshes_read_nothing(ip, inspector, sim_device):
    run(ip, f"big = torch.randn(512, 512).to('{sim_device}')")
    reset_transfers()
    drawn = inspector.picture("big")
    assert transfers() == [64 * 64 * 4] and drawn["device"] == sim_device
    reset_transfers()
    run(ip, "big.mul_(2);")  # the row changes; its picture is not read again
    inspector.refresh()
    assert transfers() == []


def test_a_picture_s_version_changes_with_the_tensor_and_its_check_reads_nothing(
    ip, inspector, sim_device
):
    run(ip, f"w = torch.ones(100, 100).to('{sim_device}')")
    drawn = inspector.picture("w")
    reset_transfers()
    check = invoke(inspector.panel, "picture", {"name": "w", "check": True})
    assert check == {"ok": True, "level": "info", "version": drawn["version"]}
    run(ip, "w.add_(1);")
    changed = invoke(inspector.panel, "picture", {"name": "w", "check": True})
    assert changed["version"] != drawn["version"]
    run(ip, "w = torch.ones(100, 100)")  # a new tensor under the same name
    assert inspector.picture_version("w") not in (drawn["version"], changed["version"])
    assert transfers() == []
