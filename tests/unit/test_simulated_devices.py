"""The simulated accelerator with two devices, sim:0 and sim:1, as a machine with two GPUs
has cuda:0 and cuda:1: PyTorch's count, CUDA's refusal to mix them, memory per device."""

from __future__ import annotations

import pytest
import torch

from tensor_inspector.testing import simulated_device


@pytest.fixture
def two_devices():
    simulated_device.install(devices=2)
    yield
    simulated_device.install()


def test_install_alone_keeps_one_device():
    assert simulated_device.install() == "sim:0"
    assert torch.accelerator.device_count() == 1
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        torch.ones(2, device="sim:1")


def test_two_devices_are_counted_and_named(two_devices):
    assert torch.accelerator.device_count() == 2
    a0 = torch.ones(3, device="sim:0")
    a1 = torch.ones(3, device="sim:1")
    assert (str(a0.device), str(a1.device)) == ("sim:0", "sim:1")
    # Results stay where their inputs are, views and reductions included.
    assert {str(t.device) for t in (a1 * 2, a1[1:], a1.sum(), torch.zeros_like(a1))} == {"sim:1"}
    assert str(a0.to("sim:1").device) == "sim:1"
    assert str(a1.to("sim:0").device) == "sim:0"
    assert str(a1.cpu().device) == "cpu"
    assert "device='sim:1'" in repr(a1)


def test_mixing_the_two_devices_is_refused_with_cudas_words(two_devices):
    a0 = torch.ones(3, device="sim:0")
    a1 = torch.ones(3, device="sim:1")
    wording = "Expected all tensors to be on the same device, but found at least two devices, "
    with pytest.raises(RuntimeError, match=wording + "sim:0 and sim:1!"):
        a0 + a1
    layer = torch.nn.Linear(3, 2).to("sim:1")
    with pytest.raises(RuntimeError, match=wording + "sim:0 and sim:1!"):
        layer(a0)
    with pytest.raises(RuntimeError, match=wording + "sim:1 and cpu!"):
        a1 + torch.ones(3)
    a0.add_(a1.to("sim:0"))  # a copy between devices is a transfer, always allowed
    assert a0.tolist() == [2.0, 2.0, 2.0]


def test_memory_is_counted_per_device(two_devices):
    before = [simulated_device.memory_allocated(i) for i in (0, 1)]
    big = torch.zeros(1000, device="sim:1")
    view = big[:10]  # a view shares the storage: counted once
    assert simulated_device.memory_allocated(1) - before[1] == 4000
    assert simulated_device.memory_allocated(0) == before[0]
    assert torch.sim.memory_allocated(1) == simulated_device.memory_allocated(1)
    del big, view
    assert simulated_device.memory_allocated(1) == before[1]


def test_a_bare_device_name_means_the_current_device(two_devices):
    torch.accelerator.set_device_index(1)
    try:
        assert torch.accelerator.current_device_index() == 1
        assert str(torch.ones(2, device="sim").device) == "sim:1"
    finally:
        torch.accelerator.set_device_index(0)
    assert str(torch.ones(2, device="sim").device) == "sim:0"


def test_backward_and_training_work_on_the_second_device(two_devices):
    w = torch.ones(3, device="sim:1", requires_grad=True)
    (w * w).sum().backward()
    assert str(w.grad.device) == "sim:1"
    assert w.grad.tolist() == [2.0, 2.0, 2.0]
    model = torch.nn.Linear(3, 1).to("sim:1")
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    before = model.weight.detach().cpu().clone()
    model(torch.ones(4, 3, device="sim:1")).sum().backward()
    optimizer.step()
    assert str(model.weight.device) == "sim:1"
    assert not torch.equal(model.weight.detach().cpu(), before)
    (grad,) = torch.autograd.grad((w * 3).sum(), w)
    assert str(grad.device) == "sim:1"
