"""The simulated device accepts what CUDA accepts where CUDA reads a tensor on the host."""

import copy

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


def test_an_ema_copy_on_the_cpu_of_a_model_on_the_device_averages_it(sim_device):
    # torchvision's ExponentialMovingAverage: AveragedModel(model, device="cpu") deep-copies
    # the model, whose buffer here is a view into a larger table (a storage offset).
    class PositionalLinear(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(4, 4)
            table = torch.arange(32, dtype=torch.float32).reshape(8, 4)
            self.register_buffer("pe", table[4:])

        def forward(self, x):
            return self.proj(x + self.pe[: x.size(0)])

    class ExponentialMovingAverage(torch.optim.swa_utils.AveragedModel):
        def __init__(self, model, decay, device="cpu"):
            def ema_avg(avg_model_param, model_param, num_averaged):
                return decay * avg_model_param + (1 - decay) * model_param

            super().__init__(model, device, ema_avg, use_buffers=True)

    with torch.device(sim_device):
        model = PositionalLinear()
    assert model.pe.storage_offset() == 16
    ema = ExponentialMovingAverage(model, decay=0.75)
    ema.update_parameters(model)
    first = model.proj.weight.detach().to("cpu")
    with torch.no_grad():
        model.proj.weight.add_(4.0)
    ema.update_parameters(model)
    averaged = ema.module.proj.weight
    assert averaged.device.type == "cpu" and model.proj.weight.device.type == "sim"
    assert torch.allclose(averaged, first + 1.0)
    assert ema.module.pe.tolist() == model.pe.tolist()
    assert ema(torch.ones(2, 4)).shape == (2, 4)


def test_a_deep_copy_keeps_views_of_one_storage_as_views_of_one_copy(sim_device):
    table = torch.arange(6.0, device=sim_device)
    whole, tail = copy.deepcopy([table, table[2:]])
    whole[3] = 100.0
    assert tail.tolist() == [2.0, 100.0, 4.0, 5.0] and table.tolist()[3] == 3.0
    weight = nn.Parameter(torch.ones(3, device=sim_device))
    copied = copy.deepcopy(weight)
    assert isinstance(copied, nn.Parameter) and copied.device == weight.device
