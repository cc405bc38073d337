"""The guard's verdicts equal PyTorch's, case by case, on the simulated accelerator.

Each case runs twice: once on the device alone (PyTorch's own check decides), once under the
guard, which must refuse exactly what PyTorch refuses, before the operation runs.
"""

import pytest

from tests.guard.device_cases import CASES, assert_device_verdict, assert_guard_verdict

ACCELERATOR = "sim:0"


def test_the_table_is_large_and_goes_both_ways():
    assert len(CASES) >= 60
    assert sum(case.runs for case in CASES) >= 20
    assert sum(not case.runs for case in CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_device_agrees_with_the_table(case):
    assert_device_verdict(case, ACCELERATOR)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_guard_agrees_with_the_table(case):
    assert_guard_verdict(case, ACCELERATOR)
