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

    monkeypatch.setattr(tensor_inspector.stats, "tensor_stats", refuse)
    run(ip, "x = torch.tensor([1.0, float('nan')])\ny = x * 2")
    assert {row["name"] for row in inspector.rows} == {"x", "y"}


def test_the_panel_asks_for_stats_by_command(ip, inspector):
    run(ip, "v = torch.tensor([1.0, float('nan'), 0.0])")
    reply = invoke(inspector.panel, "stats", {"name": "v"})
    assert reply["ok"] and reply["stats"]["nan"] == 1 and reply["stats"]["zeros"] == 1
    assert invoke(inspector.panel, "stats", {"name": "gone"})["ok"] is False
    with pytest.raises(ActionError, match="no tensor named gone"):
        inspector.stats("gone")
