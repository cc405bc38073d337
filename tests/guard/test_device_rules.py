"""The guard's verdicts equal PyTorch's, case by case, on the simulated accelerator.

Each case runs twice: once on the device alone (PyTorch's own check decides), once under the
guard, which must refuse exactly what PyTorch refuses, before the operation runs.
"""

import pytest

from tests.guard.device_cases import (
    CASES,
    TWO_DEVICE_CASES,
    assert_device_verdict,
    assert_guard_verdict,
)

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


@pytest.fixture
def two_devices():
    from tensor_inspector.testing import simulated_device

    simulated_device.install(devices=2)
    yield "sim:0", "sim:1"
    simulated_device.install()


def test_the_two_device_table_goes_both_ways():
    assert len(TWO_DEVICE_CASES) >= 40
    assert sum(case.runs for case in TWO_DEVICE_CASES) >= 3


@pytest.mark.parametrize("case", TWO_DEVICE_CASES, ids=[case.id for case in TWO_DEVICE_CASES])
def test_two_devices_agree_with_the_table(two_devices, case):
    assert_device_verdict(case, *two_devices)


@pytest.mark.parametrize("case", TWO_DEVICE_CASES, ids=[case.id for case in TWO_DEVICE_CASES])
def test_the_guard_agrees_with_the_two_device_table(two_devices, case):
    assert_guard_verdict(case, *two_devices)
