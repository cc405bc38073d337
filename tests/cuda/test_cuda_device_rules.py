"""The device table on a real GPU: PyTorch itself is the oracle (`make test-gpu`)."""

import pytest
import torch

from tensor_inspector.guard.rules import Operand, OpName, mismatch
from tests.guard.corpus import SNIPPETS
from tests.guard.device_cases import (
    CASES,
    TWO_DEVICE_CASES,
    assert_device_verdict,
    assert_guard_verdict,
)
from tests.guard.test_corpus import assert_no_cell_changes_outcome

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_cuda_agrees_with_the_table(case):
    assert_device_verdict(case, "cuda:0")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_guard_agrees_on_cuda(case):
    assert_guard_verdict(case, "cuda:0")


@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="needs two GPUs")
def test_two_gpus_do_not_mix():
    a, b = torch.ones(3, device="cuda:0"), torch.ones(3, device="cuda:1")
    with pytest.raises(RuntimeError):
        a + b
    found = mismatch(OpName("add"), [Operand("a", "cuda:0"), Operand("b", "cuda:1")])
    assert found is not None


two_gpus = pytest.mark.skipif(torch.cuda.device_count() < 2, reason="needs two GPUs")


@two_gpus
@pytest.mark.parametrize("case", TWO_DEVICE_CASES, ids=[case.id for case in TWO_DEVICE_CASES])
def test_two_gpus_agree_with_the_two_device_table(case):
    assert_device_verdict(case, "cuda:0", "cuda:1")


@two_gpus
@pytest.mark.parametrize("case", TWO_DEVICE_CASES, ids=[case.id for case in TWO_DEVICE_CASES])
def test_the_guard_agrees_with_the_two_device_table_on_two_gpus(case):
    assert_guard_verdict(case, "cuda:0", "cuda:1")


@two_gpus
def test_a_cuda1_zero_dim_value_fills_a_cuda0_tensor_and_is_not_flagged():
    # masked_fill reads its 0-dim value with .item(), from any device: the guard leaves it.
    from tensor_inspector.guard.mode import DeviceGuard

    a, value = torch.ones(3, device="cuda:0"), torch.tensor(2.0, device="cuda:1")
    with DeviceGuard(names_of=lambda: {id(a): "a", id(value): "value"}):
        assert a.masked_fill(a > 0, value).tolist() == [2.0, 2.0, 2.0]


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[snippet.name for snippet in SNIPPETS])
def test_everyday_code_runs_unchanged_on_cuda_in_every_mode(snippet):
    assert_no_cell_changes_outcome(snippet, "cuda:0")
