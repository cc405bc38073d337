"""parse_gradient(): the prompt's text is parsed, never evaluated."""

import pytest

from tensor_inspector.gradient import (
    Fill,
    GradientSyntaxError,
    TensorName,
    Values,
    parse_gradient,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ones", Fill(1.0)),
        ("zeros", Fill(0.0)),
        (" 2 ", Fill(2)),
        ("-0.5", Fill(-0.5)),
        ("1e-3", Fill(0.001)),
        ("[1, 1, 1]", Values([1, 1, 1])),
        ("[[1, 0], [0, -1.5]]", Values([[1, 0], [0, -1.5]])),
        ("t5", TensorName("t5")),
        ("model.fc.weight", TensorName("model.fc.weight")),
        ("batch[0]", TensorName("batch[0]")),
    ],
)
def test_accepted_gradient_text(text, expected):
    assert parse_gradient(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('touch /tmp/x')",
        "",
        "1 + 1",
        "[1, 'a']",
        "[True, False]",
        "x; y",
        "lambda: 1",
        "torch.ones(3)",
        "-[1, 2]",
    ],
)
def test_code_and_nonsense_are_refused_with_help(text):
    with pytest.raises(GradientSyntaxError, match="ones, zeros, a number"):
        parse_gradient(text)
