"""Statistics on a real GPU (`make test-gpu`): the same numbers as on the CPU, computed
without reading anything back before the one transfer at the end."""

import math
import warnings

import pytest
import torch

from tensor_inspector.stats import module_stats, reductions, tensor_stats

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]


def sample() -> torch.Tensor:
    torch.manual_seed(0)
    values = torch.randn(3_000_000) * 10
    values[::997] = math.nan
    values[5::1999] = math.inf
    return values


def test_gpu_statistics_match_the_cpus():
    values = sample()
    on_cpu, on_gpu = tensor_stats(values), tensor_stats(values.cuda())
    for key in ("nan", "posinf", "neginf", "zeros", "numel", "hist"):
        assert on_gpu[key] == on_cpu[key], key
    for key in ("min", "max", "mean", "std"):
        assert on_gpu[key] == pytest.approx(on_cpu[key], rel=1e-9), key


def test_the_reductions_on_the_gpu_read_nothing_back():
    values = sample().cuda()
    torch.cuda.synchronize()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.cuda.set_sync_debug_mode("warn")
        try:
            reduced, _ = reductions(values)
        finally:
            torch.cuda.set_sync_debug_mode("default")
    assert reduced.device.type == "cuda"
    assert not [w for w in caught if "synchroniz" in str(w.message)]


def test_a_gpu_grad_norm_with_a_nan_is_marked():
    parameter = torch.nn.Parameter(torch.ones(4, device="cuda"))
    parameter.grad = torch.tensor([math.nan, 1.0, 1.0, 1.0], device="cuda")
    entry = module_stats([("w", parameter)])["parameters"]["w"]
    assert math.isnan(entry["grad_norm"]) and entry["grad_health"] == "nan"
