"""Statistics of a tensor's values, on request: never on the refresh path."""

import math

import pytest
import torch

from tensor_inspector import ActionError
from tensor_inspector.stats import module_stats, tensor_stats
from tests.conftest import invoke, run


def test_nan_inf_and_zeros_are_counted_and_the_rest_summarised():
    stats = tensor_stats(torch.tensor([1.0, 2.0, math.nan, math.inf, -math.inf, 0.0, 3.0, 0.0]))
    assert (stats["nan"], stats["posinf"], stats["neginf"], stats["zeros"]) == (1, 1, 1, 2)
    assert (stats["min"], stats["max"], stats["numel"]) == (0.0, 3.0, 8)
    finite = torch.tensor([1.0, 2.0, 0.0, 3.0, 0.0], dtype=torch.float64)
    assert stats["mean"] == pytest.approx(finite.mean().item())
    assert stats["std"] == pytest.approx(finite.std().item())


def test_the_histogram_matches_torch_histc_over_the_finite_values():
    torch.manual_seed(0)
    values = torch.randn(10_000)
    values[::97] = math.nan
    stats = tensor_stats(values)
    finite = values[torch.isfinite(values)].double()
    low, high = stats["hist_range"]
    assert (low, high) == (finite.min().item(), finite.max().item())
    assert stats["hist"] == torch.histc(finite, bins=10, min=low, max=high).long().tolist()
    assert sum(stats["hist"]) == finite.numel()


@pytest.mark.parametrize(
    ("tensor", "note"),
    [
        (torch.arange(6), "integers"),
        (torch.tensor([True, False, True]), "bool"),
        (torch.tensor([3 + 4j, 0j]), "magnitude"),
        (torch.tensor([1.0, 2.0]).to(torch.float8_e4m3fn), "float32"),
    ],
)
def test_odd_dtypes_get_what_makes_sense_and_a_note(tensor, note):
    stats = tensor_stats(tensor)
    assert note in stats["note"]
    assert stats["max"] is not None and stats["nan"] == 0


def test_no_finite_value_gives_none_not_a_number():
    stats = tensor_stats(torch.tensor([math.nan, math.inf]))
    assert stats["min"] is None and stats["mean"] is None and stats["hist_range"] is None
    assert sum(stats["hist"]) == 0 and stats["nan"] == 1 and stats["posinf"] == 1
    assert tensor_stats(torch.ones(0))["note"] == "empty"


def test_an_mlps_grad_norms_after_backward(ip, inspector):
    run(
        ip,
        "model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))\n"
        "model(torch.ones(5, 3)).sum().backward()",
    )
    parameters = inspector.stats("model")["parameters"]
    assert set(parameters) == {"model.0.weight", "model.0.bias", "model.2.weight", "model.2.bias"}
    weight = ip.user_ns["model"][2].weight
    assert parameters["model.2.weight"]["grad_norm"] == pytest.approx(weight.grad.norm().item())
    assert parameters["model.2.weight"]["max"] == pytest.approx(weight.max().item())


def test_vanishing_exploding_and_dead_grads_are_marked():
    params = [torch.nn.Parameter(torch.ones(2)) for _ in range(4)]
    for param, scale in zip(params, (0.0, 1e-9, 1e6, 1.0), strict=True):
        param.grad = torch.full((2,), scale)
    described = module_stats(zip("abcd", params, strict=True))["parameters"]
    assert [described[name]["grad_health"] for name in "abcd"] == [
        "dead", "vanishing", "exploding", None]  # fmt: skip


def test_stats_never_run_on_refresh(ip, inspector, monkeypatch):
    import tensor_inspector.stats

    def refuse(*args):
        raise AssertionError("stats on the refresh path")

    monkeypatch.setattr(tensor_inspector.stats, "reductions", refuse)
    run(ip, "x = torch.tensor([1.0, float('nan')])\ny = x * 2")
    assert {row["name"] for row in inspector.rows} == {"x", "y"}


def test_stats_of_a_device_tensor_are_one_transfer_with_the_values_the_table_shows(
    ip, inspector, sim_device
):
    from tensor_inspector.testing.simulated_device import reset_transfers, transfers

    run(ip, f"w = torch.arange(8.0).to('{sim_device}').requires_grad_()\n(w * 2).sum().backward()")
    rows = {row["name"]: row for row in inspector.rows}
    assert rows["w"]["preview"] is None  # the refresh read nothing
    reset_transfers()
    stats = inspector.stats("w")
    assert len(transfers()) == 1
    assert (stats["min"], stats["max"], stats["mean"]) == (0.0, 7.0, 3.5)
    row = {row["name"]: row for row in inspector.rows}["w"]
    assert row["preview"] == [float(i) for i in range(8)] and row["grad"]["preview"] == [2.0] * 8


def test_module_stats_are_one_transfer_per_module(ip, inspector, sim_device):
    from tensor_inspector.testing.simulated_device import reset_transfers, transfers

    run(
        ip,
        "model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))"
        f".to('{sim_device}')\nmodel(torch.ones(5, 3).to('{sim_device}')).sum().backward()",
    )
    reset_transfers()
    parameters = inspector.stats("model")["parameters"]
    assert len(transfers()) == 1 and len(parameters) == 4
    weight = ip.user_ns["model"][1].weight
    expected = weight.grad.cpu().double().norm().item()
    assert parameters["model.1.weight"]["grad_norm"] == pytest.approx(expected)


@pytest.mark.parametrize(
    "values",
    [[1e308, 1e308, -1e308], [1e200, -1e200, 3.0], [1.7e308, 1.7e308], [-1e-300, 2e-300, 0.0]],
)
def test_a_mean_or_spread_that_fits_in_float64_is_never_reported_as_inf(values):
    stats = tensor_stats(torch.tensor(values, dtype=torch.float64))
    exact = [float(v) for v in values]
    mean = math.fsum(v / len(exact) for v in exact)
    assert stats["mean"] == pytest.approx(mean, rel=1e-12, abs=1e-310)
    scale = max(abs(v) for v in exact)
    spread = math.sqrt(math.fsum(((v - mean) / scale) ** 2 for v in exact) / (len(exact) - 1))
    assert stats["std"] == pytest.approx(spread * scale, rel=1e-9)


def test_chunks_merge_to_the_statistics_of_the_whole(sim_device):
    torch.manual_seed(1)
    values = torch.randn(300_000) * 50 + 3
    values[::1013] = math.nan
    values[5::2029] = math.inf
    values[7::4099] = -math.inf
    finite = values[torch.isfinite(values)].double()
    for tensor in (values, values.to(sim_device)):  # the CPU's short path, the device's masked one
        stats = tensor_stats(tensor)
        assert stats["mean"] == pytest.approx(finite.mean().item(), rel=1e-12)
        assert stats["std"] == pytest.approx(finite.std().item(), rel=1e-12)
        low, high = stats["hist_range"]
        assert stats["hist"] == torch.histc(finite, bins=10, min=low, max=high).long().tolist()
        assert stats["nan"] == int(torch.isnan(values).sum()) > 0
        assert stats["posinf"] == int(torch.isposinf(values).sum()) > 0
        assert stats["neginf"] == int(torch.isneginf(values).sum()) > 0


def test_a_nan_grad_norm_is_marked_and_its_reply_is_strict_json(ip, inspector):
    import json

    run(
        ip,
        "model = torch.nn.Sequential(torch.nn.Linear(3, 2))\n"
        "model(torch.tensor([[float('nan'), 1., 1.]])).sum().backward()",
    )
    reply = invoke(inspector.panel, "stats", {"name": "model"})
    json.dumps(reply, allow_nan=False)
    weight = reply["stats"]["parameters"]["model.0.weight"]
    assert weight["grad_norm"] == "nan" and weight["grad_health"] == "nan"


def test_the_panel_asks_for_stats_by_command(ip, inspector):
    run(ip, "v = torch.tensor([1.0, float('nan'), 0.0])")
    reply = invoke(inspector.panel, "stats", {"name": "v"})
    assert reply["ok"] and reply["stats"]["nan"] == 1 and reply["stats"]["zeros"] == 1
    assert invoke(inspector.panel, "stats", {"name": "gone"})["ok"] is False
    with pytest.raises(ActionError, match="no tensor named gone"):
        inspector.stats("gone")
