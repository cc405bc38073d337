"""Pictures of values on a real GPU (`make test-gpu`). Skipped where CUDA is absent."""

import pytest
import torch

from tests.conftest import invoke, run

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]


def test_a_picture_of_a_gpu_tensor_matches_the_same_values_on_the_cpu(ip, inspector):
    run(ip, "torch.manual_seed(0)\nw = torch.randn(4096, 4096)\nw_gpu = w.cuda()")
    on_gpu = inspector.picture("w_gpu", dims=[1, 0], window=[100, 2100, 0, 4096])
    on_cpu = inspector.picture("w", dims=[1, 0], window=[100, 2100, 0, 4096])
    assert on_gpu["values"] == on_cpu["values"] and on_gpu["step"] == [32, 64]
    assert (on_gpu["min"], on_gpu["max"]) == (on_cpu["min"], on_cpu["max"])


def test_checking_whether_a_picture_changed_never_synchronises(ip, inspector):
    run(ip, "x = torch.rand(3, 64, 64, device='cuda:0')")
    drawn = invoke(inspector.panel, "picture", {"name": "x", "image": True})["picture"]
    run(ip, "x.mul_(0.5);")
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        check = invoke(inspector.panel, "picture", {"name": "x", "check": True})
        inspector.refresh()
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert check["ok"] and check["version"] != drawn["version"]
