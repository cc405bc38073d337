"""Read the text typed into the gradient prompt. Parsed, never evaluated.

Accepted: ``ones``, ``zeros``, a number (``1``, ``-0.5``, ``1e-3``), a nested list of numbers
(``[1, 1, 1]``, ``[[1, 0], [0, 1]]``), or the name of a tensor in the notebook.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

Number = int | float
Nested = Number | list["Nested"]


class GradientSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Fill:
    value: Number


@dataclass(frozen=True)
class Values:
    values: list


@dataclass(frozen=True)
class TensorName:
    name: str


GradientSpec = Fill | Values | TensorName

HELP = "use ones, zeros, a number, a nested list such as [1, 1, 1], or the name of a tensor"

# Row names may be paths: model.fc.weight, batch[0], d['x'].
_NAME_CHARACTERS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.[]'\"")


def parse_gradient(text: str) -> GradientSpec:
    text = (text or "").strip()
    if not text:
        raise GradientSyntaxError(f"The gradient is empty: {HELP}.")
    if text in ("ones", "zeros"):
        return Fill(1.0 if text == "ones" else 0.0)
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        tree = None
    if tree is not None:
        try:
            value = _literal(tree)
        except GradientSyntaxError:
            value = None
        if isinstance(value, list):
            return Values(value)
        if value is not None:
            return Fill(value)
    if _looks_like_name(text):
        return TensorName(text)
    raise GradientSyntaxError(f"Could not read {text!r} as a gradient: {HELP}.")


def _literal(node: ast.AST) -> Nested:
    """Numbers and lists of numbers only; anything else (calls, names, strings) is refused."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _literal(node.operand)
        if isinstance(value, list):
            raise GradientSyntaxError("a sign applies to numbers only")
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_literal(element) for element in node.elts]
    raise GradientSyntaxError(f"not a number: {ast.dump(node)}")


def _looks_like_name(text: str) -> bool:
    head = text.split(".", 1)[0].split("[", 1)[0]
    return head.isidentifier() and set(text) <= _NAME_CHARACTERS
