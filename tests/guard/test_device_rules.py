"""The guard's verdicts equal PyTorch's, case by case, on the simulated accelerator.

Each case runs twice: once on the device alone (PyTorch's own check decides), once under the
guard, which must refuse exactly what PyTorch refuses, before the operation runs.
"""

import pytest
import torch

from tensor_inspector import CrossDeviceError
from tensor_inspector.guard.mode import DeviceGuard
from tests.guard.device_cases import CASES

ACCELERATOR = "sim:0"


def test_the_table_is_large_and_goes_both_ways():
    assert len(CASES) >= 60
    assert sum(case.runs for case in CASES) >= 20
    assert sum(not case.runs for case in CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_device_agrees_with_the_table(case):
    a, b = case.tensors(ACCELERATOR)
    if case.runs:
        case.run(a, b)
    else:
        with pytest.raises(RuntimeError):
            case.run(a, b)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_guard_agrees_with_the_table(case):
    a, b = case.tensors(ACCELERATOR)
    before = (a.cpu().clone(), b.cpu().clone())
    with DeviceGuard(names_of=lambda: {id(a): "a", id(b): "b"}):
        if case.runs:
            case.run(a, b)
            return
        with pytest.raises(CrossDeviceError) as raised:
            case.run(a, b)
    assert "mixes devices" in str(raised.value)
    # Stopped before it ran: in-place targets and out= are untouched.
    assert torch.equal(a.cpu(), before[0]) and torch.equal(b.cpu(), before[1])
