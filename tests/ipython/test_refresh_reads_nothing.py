"""The refresh never reads an accelerator tensor's values: counted by the simulated device,
every copy between device and host."""

from tensor_inspector.testing.simulated_device import reset_transfers, transfers
from tests.conftest import run


def test_refreshing_device_tensors_of_every_kind_copies_nothing(ip, inspector, sim_device):
    run(
        ip,
        f"d = '{sim_device}'\n"
        "small = torch.arange(4.0).to(d)\nbig = torch.zeros(1000).to(d)\n"
        "w = torch.ones(3).to(d).requires_grad_()\nloss = (w * w).sum()\nloss.backward()\n"
        "model = torch.nn.Linear(3, 2).to(d)\nhalf = torch.ones(5).to(d).half()\n"
        "view = big[::2]",
    )
    reset_transfers()
    run(ip, "small.add_(1)\nw.grad.mul_(2)\nbig2 = big * 2\ndel half")
    inspector.refresh()
    assert transfers() == []
    rows = {row["name"]: row for row in inspector.rows}
    assert rows["big2"]["device"] == sim_device and "half" not in rows
    assert transfers() == []
