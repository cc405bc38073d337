"""A gradient typed into the prompt that its output's dtype cannot hold would turn into inf
and pass for finite: it is refused in plain words, and no grad changes."""

import pytest

from tensor_inspector import ActionError
from tests.conftest import run


@pytest.mark.parametrize(
    ("dtype", "gradient"),
    [
        ("float32", "[1e39, 1, 1]"),
        ("float16", "[70000, 1, 1]"),
        ("float32", "1e39"),
        ("float16", "-65536"),
        ("bfloat16", "[[1e39], [1], [1]]"),
    ],
)
def test_a_gradient_beyond_the_outputs_dtype_is_refused(ip, inspector, dtype, gradient):
    shape = "(3, 1)" if gradient.startswith("[[") else "3"
    run(
        ip,
        f"t5 = torch.ones({shape}, dtype=torch.{dtype}, requires_grad=True)\ny2 = t5 * 2",
    )
    with pytest.raises(ActionError, match=f"more than torch.{dtype} can hold") as refused:
        inspector.backward("y2", gradient)
    assert "overflow" not in str(refused.value)
    assert ip.user_ns["t5"].grad is None


def test_the_largest_gradient_a_dtype_holds_is_accepted(ip, inspector):
    run(ip, "t5 = torch.ones(3, dtype=torch.float16, requires_grad=True)\ny2 = t5 + 1")
    inspector.backward("y2", "[65504, 1, 1]")
    assert ip.user_ns["t5"].grad.tolist() == [65504.0, 1.0, 1.0]


def test_a_named_gradient_in_a_wider_dtype_that_would_overflow_is_refused(ip, inspector):
    run(
        ip,
        "t5 = torch.ones(3, requires_grad=True)\ny2 = t5 * 2\n"
        "g = torch.tensor([1e39, 1.0, 1.0], dtype=torch.float64)",
    )
    with pytest.raises(ActionError, match=r"beyond what torch\.float32 can hold"):
        inspector.backward("y2", "g")
    assert ip.user_ns["t5"].grad is None
