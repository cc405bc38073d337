"""The simulated device accepts what CUDA accepts where CUDA reads a tensor on the host."""

import torch
from torch import nn


def test_pack_padded_sequence_takes_its_lengths_on_the_cpu(sim_device):
    x = torch.randn(2, 3, 4, device=sim_device, requires_grad=True)
    packed = nn.utils.rnn.pack_padded_sequence(x, torch.tensor([3, 2]), batch_first=True)
    assert packed.data.device.type == "sim" and packed.batch_sizes.device.type == "cpu"
    output, _ = nn.RNN(4, 5, batch_first=True).to(sim_device)(packed)
    padded, lengths = nn.utils.rnn.pad_packed_sequence(output, batch_first=True)
    assert padded.device.type == "sim" and lengths.tolist() == [3, 2]
    padded.sum().backward()
    assert x.grad.device.type == "sim"


def test_other_cpu_tensors_beside_device_tensors_are_still_refused(sim_device):
    x = torch.randn(2, 3, device=sim_device)
    try:
        torch.cat([x, torch.ones(2, 3)])
    except RuntimeError as error:
        assert "Expected all tensors to be on the same device" in str(error)
    else:
        raise AssertionError("a cpu tensor joined torch.cat on the device")
