"""parse_gradient(): the prompt's text is parsed, never evaluated."""

import re

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


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-[1, 2]", "a sign applies to numbers, not to lists"),
        ('[1, "a"]', "'a' is not a number"),
        ("[1, x + 1]", "x + 1 is not a number"),
        ("nan", "not a finite number"),
        ("[1, 1e309]", "not a finite number"),
        ("True", "truth value"),
    ],
)
def test_a_refused_gradient_says_why(text, reason):
    with pytest.raises(GradientSyntaxError, match=re.escape(reason)):
        parse_gradient(text)


def test_text_longer_than_the_output_needs_is_refused_unread():
    with pytest.raises(GradientSyntaxError, match="more than the output needs"):
        parse_gradient("[" + "1, " * 100 + "1]", max_length=100)
