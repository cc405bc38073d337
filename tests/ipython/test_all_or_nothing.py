"""Every action is all-or-nothing: a move reaches every holder or nothing moves; a failed
backward leaves every grad as it was (the same object, the same values)."""

import pytest
import torch

from tensor_inspector import ActionError
from tests.conftest import run


@pytest.fixture
def ins(ip, inspector, sim_device):
    run(ip, "import types\nimport torch.nn as nn")
    return inspector


def _devices(module) -> set[str]:
    return {str(p.device) for p in module.parameters()}


def test_a_module_held_by_a_live_graph_is_not_moved_and_the_message_says_why(ip, ins):
    run(
        ip,
        "model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))\n"
        "trainer = types.SimpleNamespace(opt=torch.optim.SGD(model.parameters(), lr=.5))\n"
        "loss = model(torch.ones(1, 3)).sum()",
    )
    params = list(ip.user_ns["model"].parameters())
    with pytest.raises(ActionError, match=r"nothing changed.*loss \(its autograd graph"):
        ins.move("model", "sim:0")
    assert _devices(ip.user_ns["model"]) == {"cpu"}
    assert ip.user_ns["trainer"].opt.param_groups[0]["params"] == params
    run(ip, "del loss")
    ins.move("model", "sim:0")
    moved = ip.user_ns["trainer"].opt.param_groups[0]["params"]
    assert all(a is b for a, b in zip(moved, params, strict=True))  # the same objects...
    assert {str(p.device) for p in moved} == {"sim:0"}  # ...now on the device
    run(ip, "out = model(torch.ones(1, 3, device='sim')).sum()\nout.backward()\ntrainer.opt.step()")


def test_every_holder_sees_a_moved_tensor(ip, ins):
    run(
        ip,
        "s = torch.ones(3, requires_grad=True)\nys = (s * s).sum()\n"
        "obj = types.SimpleNamespace(s=s)\ndeep = [[[s]]]",
    )
    with pytest.raises(ActionError, match=r"ys \(its autograd graph"):
        ins.move("s", "sim:0")
    assert ip.user_ns["s"].device.type == "cpu"
    run(ip, "del ys")
    ins.move("s", "sim:0")
    s = ip.user_ns["s"]
    assert ip.user_ns["obj"].s is s and ip.user_ns["deep"][0][0][0] is s
    assert s.device.type == "sim" and s.is_leaf and s.requires_grad
    run(ip, "(s * s).sum().backward()")
    assert ip.user_ns["obj"].s.grad is s.grad and s.grad is not None


def test_a_base_with_a_view_is_not_moved_apart_from_it(ip, ins):
    run(ip, "base = torch.arange(6.)\nv = base[:3]")
    with pytest.raises(ActionError, match="v is a view of it"):
        ins.move("base", "sim:0")
    with pytest.raises(ActionError, match="view"):
        ins.move("v", "sim:0")
    assert ip.user_ns["base"].device.type == "cpu" and ip.user_ns["v"]._base is ip.user_ns["base"]


def test_optimizer_state_follows_wherever_the_optimizer_lives(ip, ins):
    run(
        ip,
        "m = nn.Linear(3, 1)\nopts = {'adam': torch.optim.Adam(m.parameters())}\n"
        "m(torch.ones(2, 3)).sum().backward()\nopts['adam'].step()\nm.zero_grad()",
    )
    ins.move("m", "sim:0")
    state = ip.user_ns["opts"]["adam"].state[ip.user_ns["m"].weight]
    assert state["exp_avg"].device.type == "sim" and state["step"].device.type == "cpu"
    result = ip.run_cell("m(torch.ones(2, 3, device='sim')).sum().backward()\nopts['adam'].step()")
    assert result.success
    assert ins.panel.flag == {}


def test_a_failed_backward_restores_every_grad_object_and_value(ip, ins):
    run(
        ip,
        "a = torch.ones(3, requires_grad=True)\nb = torch.ones(3, requires_grad=True)\n"
        "a.grad = torch.full((3,), 5.)\ng = a.grad\nout = (a * 2 + b * 3).sum()\n"
        "def boom(grad):\n    raise ValueError('a hook that fails')\n"
        "handle = b.register_hook(boom)",
    )
    with pytest.raises(ActionError, match=r"every grad is as it was.*a hook that fails"):
        ins.backward("out", retain_graph=True)
    a, b = ip.user_ns["a"], ip.user_ns["b"]
    assert a.grad is ip.user_ns["g"] and a.grad.tolist() == [5.0, 5.0, 5.0]
    assert b.grad is None
    run(ip, "handle.remove()")
    ins.backward("out")
    assert a.grad is ip.user_ns["g"] and a.grad.tolist() == [7.0, 7.0, 7.0]


ODD_OBJECTS = {
    "module_without_init": (
        "class Forgot(nn.Module):\n    def __init__(self):\n        pass\nodd = Forgot()"
    ),
    "dict_whose_items_raise": (
        "class Bad(dict):\n    def items(self):\n        raise RuntimeError('no')\n"
        "    def __len__(self):\n        raise RuntimeError('no')\nodd = Bad(x=torch.ones(1))"
    ),
    "list_whose_iter_raises": (
        "class Bad(list):\n    def __iter__(self):\n        raise RuntimeError('no')\n"
        "odd = Bad([torch.ones(1)])"
    ),
    "class_property_raises": (
        "class Bad:\n    @property\n    def __class__(self):\n        raise RuntimeError('no')\n"
        "odd = Bad()"
    ),
    "key_repr_raises": (
        "class Key:\n    def __repr__(self):\n        raise RuntimeError('no')\n"
        "    def __hash__(self):\n        return 1\nodd = {Key(): torch.ones(1)}"
    ),
    "named_parameters_raises": (
        "class Bad(nn.Linear):\n    def named_parameters(self, *a, **k):\n"
        "        raise RuntimeError('no')\nodd = Bad(2, 2)"
    ),
}


@pytest.mark.parametrize("source", ODD_OBJECTS.values(), ids=ODD_OBJECTS)
def test_one_odd_object_never_breaks_the_panel(ip, sim_device, source):
    import tensor_inspector

    run(ip, "import torch\nimport torch.nn as nn\nt = torch.ones(3, requires_grad=True)")
    run(ip, source)
    run(ip, "%load_ext tensor_inspector")
    ins = tensor_inspector.current()
    run(ip, "y = (t * 2).sum()")
    rows = {row["name"] for row in ins.rows}
    assert {"t", "y"} <= rows
    assert "could not refresh" not in ins.panel.message.get("text", "")
    ins.backward("y")
    ins.move("t", "sim:0")
    assert ip.user_ns["t"].device.type == "sim"


def test_a_thread_changing_a_dict_never_fails_a_refresh(ip, ins):
    import threading

    run(ip, "shared = {i: torch.ones(1) for i in range(50)}")
    shared, stop = ip.user_ns["shared"], threading.Event()

    def churn():
        i = 0
        while not stop.is_set():
            shared[1000 + i % 50] = torch.ones(1)
            shared.pop(1000 + (i + 25) % 50, None)
            i += 1

    worker = threading.Thread(target=churn)
    worker.start()
    try:
        for _ in range(100):
            ins.refresh()
            assert "could not refresh" not in ins.panel.message.get("text", "")
    finally:
        stop.set()
        worker.join()


def test_the_walk_runs_no_code_of_a_lazy_container(ip, ins):
    run(
        ip,
        "class Lazy(list):\n    calls = 0\n    def __iter__(self):\n"
        "        Lazy.calls += 1\n        return super().__iter__()\n"
        "lazy = Lazy([torch.ones(1)])",
    )
    for _ in range(3):
        run(ip, "x = 1")
    assert ip.user_ns["Lazy"].calls == 0


def test_one_tensor_many_times_in_a_list_is_one_row_with_few_aliases(ip, ins):
    run(ip, "t = torch.ones(2)\nmany = [t] * 150\nplain = [1] * 500")
    row = next(row for row in ins.rows if row["name"] == "t")
    assert 1 <= len(row["aliases"]) <= 8
    assert "plain" not in ins.panel.truncated  # no "+N more" for a list without tensors
    assert ins.panel.truncated.get("many") == 50


def test_a_million_keys_are_not_read(ip, ins):
    run(ip, "big = {i: i for i in range(1_000_000)}\nbig[-1] = torch.ones(1)")
    # Only the first 100 items are looked at: the tensor added last is not among them.
    assert not any(row["name"].startswith("big") for row in ins.rows)
