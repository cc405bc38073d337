"""The simulated device counts its copies between device and host, as tests rely on."""

import pytest
import torch

from tensor_inspector.testing.simulated_device import reset_transfers, transfers


@pytest.fixture
def on_sim(sim_device):
    tensor = torch.arange(6, dtype=torch.float32).to(sim_device)
    reset_transfers()
    return tensor


def test_work_on_the_device_copies_nothing(on_sim):
    (on_sim * 2 + 1).sum().mean()
    on_sim.clone().to(on_sim.device)
    assert transfers() == []


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        (lambda t: t.cpu(), [24]),
        (lambda t: t.to("cpu", torch.float64), [48]),
        (lambda t: torch.empty(6).copy_(t), [24]),
        (lambda t: t.tolist(), [24]),
        (lambda t: repr(t), [24]),
        (lambda t: f"{t[0]:.1f}", [4]),
        (lambda t: t[1].item(), [4]),
        (lambda t: bool(t[1]), [4]),
        (lambda t: bool(torch.isfinite(t).all()), [1]),
        (lambda t: torch.equal(t, t), [1]),
        (lambda t: t.nonzero(), [8]),
    ],
)
def test_each_read_back_to_the_host_is_one_transfer_of_its_bytes(on_sim, read, expected):
    read(on_sim)
    assert transfers() == expected


def test_host_to_device_copies_count_too_and_reset_starts_over(on_sim, sim_device):
    torch.ones(4, dtype=torch.float16).to(sim_device)
    on_sim.copy_(torch.zeros(6))
    assert transfers() == [8, 24]
    reset_transfers()
    assert transfers() == []


def test_the_list_returned_is_a_copy(on_sim):
    on_sim.cpu()
    transfers().clear()
    assert transfers() == [24]
