"""describe(): one tensor in, one row of plain data out, metadata only."""

import json

import pytest
import torch

from tensor_inspector.describe import ROW_KEYS, describe, fingerprint


def test_row_shows_what_the_learner_prints_by_hand():
    t1 = torch.ones([3, 5])
    row = describe(t1, "t1")
    assert set(row) == set(ROW_KEYS)
    assert row["shape"] == [3, 5]
    assert row["dtype"] == "torch.float32"
    assert row["type"] == t1.type() == "torch.FloatTensor"
    assert row["device"] == "cpu"
    assert row["requires_grad"] is False
    assert row["grad_fn"] is None
    assert row["grad"] is None
    assert row["numel"] == 15
    assert row["nbytes"] == 60
    assert row["preview"] == [[1.0] * 5] * 3


def test_gradient_after_backward_is_shown_with_its_values():
    t5 = torch.tensor([1.0, 2, 3], requires_grad=True)
    (t5**2).sum().backward()
    row = describe(t5, "t5")
    assert row["is_leaf"] is True
    assert row["grad"] == {
        "shape": [3],
        "dtype": "torch.float32",
        "device": "cpu",
        "preview": [2.0, 4.0, 6.0],
    }


def test_non_leaf_shows_grad_fn_and_reading_it_raises_no_warning(recwarn):
    t5 = torch.tensor([1.0, 2, 3], requires_grad=True)
    y = t5**2
    row = describe(y, "y")
    assert row["grad_fn"] == "PowBackward0"
    assert row["is_leaf"] is False
    assert row["grad"] is None
    assert not [
        w for w in recwarn if ".grad attribute of a Tensor that is not a leaf" in str(w.message)
    ]


def test_view_shares_storage_with_its_base():
    base = torch.zeros(10)
    view = base[2:4]
    row = describe(view, "view")
    assert row["is_view"] is True
    assert row["nbytes"] == 8
    assert row["storage_nbytes"] == 40


def test_large_tensor_has_no_preview():
    assert describe(torch.zeros(65), "big")["preview"] is None
    assert describe(torch.zeros(64), "fits")["preview"] == [0.0] * 64


def _odd_tensors():
    yield "bf16", torch.tensor([1.5, float("nan")], dtype=torch.bfloat16)
    yield "fp8", torch.ones(2).to(torch.float8_e4m3fn)
    yield "complex", torch.ones(2, dtype=torch.complex64)
    yield "bool", torch.tensor([True, False])
    yield "zero_dim", torch.tensor(3.0)
    yield "empty", torch.zeros(0, 4)
    yield "sparse_coo", torch.eye(3).to_sparse()
    yield "sparse_csr", torch.eye(3).to_sparse_csr()
    yield "quantized", torch.quantize_per_tensor(torch.ones(2), 0.1, 0, torch.qint8)
    yield "meta", torch.ones(2, 3, device="meta")
    yield "nested", torch.nested.nested_tensor([torch.ones(2), torch.ones(3)])
    yield "parameter", torch.nn.Parameter(torch.ones(2))
    yield "inference", _inference_tensor()


def _inference_tensor():
    with torch.inference_mode():
        return torch.ones(3)


@pytest.mark.parametrize(
    ("name", "tensor"), list(_odd_tensors()), ids=[n for n, _ in _odd_tensors()]
)
def test_odd_tensors_describe_to_json_ready_rows(name, tensor):
    row = describe(tensor, name)
    assert row["dtype"] == str(tensor.dtype)
    assert row["device"] == str(tensor.device)
    json.dumps(row, allow_nan=False)  # what the comm sends must be strict JSON
    fingerprint(tensor)


def test_nan_and_complex_previews_are_strict_json():
    assert describe(torch.tensor([float("nan"), float("inf")]), "x")["preview"] == ["nan", "inf"]
    assert describe(torch.tensor([1 + 2j]), "z")["preview"] == ["(1+2j)"]


def test_fake_tensor_is_described_without_reading_values():
    from torch._subclasses.fake_tensor import FakeTensorMode

    with FakeTensorMode():
        fake = torch.ones(3)
    row = describe(fake, "fake")
    assert row["shape"] == [3]
    assert row["preview"] is None


def test_fingerprint_changes_on_in_place_update_and_new_grad():
    t = torch.ones(3, requires_grad=True)
    before = fingerprint(t)
    with torch.no_grad():
        t.add_(1)
    assert fingerprint(t) != before
    before = fingerprint(t)
    t.sum().backward()
    assert fingerprint(t) != before


def test_a_graph_freed_by_backward_is_marked_and_its_fingerprint_changes():
    w = torch.ones(3, requires_grad=True)
    loss = torch.tanh(w).sum()  # SumBackward0 saves sizes only: the tanh below it saved a tensor
    assert describe(w, "w")["graph_freed"] is None
    assert describe(loss, "loss")["graph_freed"] is False
    before = fingerprint(loss)
    loss.backward()
    assert describe(loss, "loss")["graph_freed"] is True
    assert fingerprint(loss) != before
    kept = torch.tanh(w).sum()
    kept.backward(retain_graph=True)
    assert describe(kept, "kept")["graph_freed"] is False


def test_a_graph_that_saved_no_tensor_can_run_backward_again_and_is_not_marked():
    w = torch.ones(3, requires_grad=True)
    twice = (w + 1).sum()
    twice.backward()
    twice.backward()  # nothing was saved, so nothing was freed
    assert describe(twice, "twice")["graph_freed"] is False


def test_looking_for_a_freed_graph_never_unpacks_a_saved_tensor():
    """save_on_cpu-style hooks copy back to the device on unpack: the refresh must not."""
    unpacked = []
    w = torch.ones(3, requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: unpacked.append(1) or t):
        loss = torch.tanh(w).sum()
    assert describe(loss, "loss")["graph_freed"] is False
    fingerprint(loss)
    assert unpacked == []
    loss.backward()
    assert describe(loss, "loss")["graph_freed"] is True
    assert unpacked == [1]  # backward's own unpack, and no other
