"""Read the text typed into the gradient prompt. Parsed, never evaluated.

Accepted: ``ones``, ``zeros``, a number (``1``, ``-0.5``, ``1e-3``), a nested list of numbers
(``[1, 1, 1]``, ``[[1, 0], [0, 1]]``), or the name of a tensor in the notebook.
"""

from __future__ import annotations

import ast
import math
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


# Words that read like names but are values a gradient cannot take.
_NOT_NAMES = {
    "nan": "NaN is not a finite number: a gradient must be finite",
    "inf": "inf is not a finite number: a gradient must be finite",
    "infinity": "infinity is not a finite number: a gradient must be finite",
    "true": "True is a truth value, not a number",
    "false": "False is a truth value, not a number",
    "none": "None is not a gradient; leave the prompt at ones for a scalar output",
}


def parse_gradient(text: str, max_length: int | None = None) -> GradientSpec:
    """``max_length``: longer text is refused before it is parsed (the caller knows how many
    numbers the output needs)."""
    if not isinstance(text, str):
        raise GradientSyntaxError(f"The gradient must be text: {HELP}.")
    if max_length is not None and len(text) > max_length:
        raise GradientSyntaxError(
            f"The gradient text is {len(text):,} characters, more than the output needs "
            f"(at most {max_length:,}): {HELP}."
        )
    text = text.strip()
    if not text:
        raise GradientSyntaxError(f"The gradient is empty: {HELP}.")
    if text in ("ones", "zeros"):
        return Fill(1.0 if text == "ones" else 0.0)
    word = text.lstrip("+-").lower()
    if word in _NOT_NAMES:
        raise GradientSyntaxError(f"{_NOT_NAMES[word]}: {HELP}.")
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        tree = None
    except (RecursionError, MemoryError):
        raise GradientSyntaxError(f"The gradient is nested too deeply to read: {HELP}.") from None
    reason = "it is not a number, a list of numbers or a name"
    if tree is not None:
        try:
            value = _literal(tree)
        except GradientSyntaxError as error:
            if "finite" in str(error):
                raise
            value, reason = None, str(error)
        except RecursionError:
            raise GradientSyntaxError(f"The gradient is nested too deeply: {HELP}.") from None
        if isinstance(value, list):
            return Values(value)
        if value is not None:
            return Fill(value)
    if _looks_like_name(text):
        return TensorName(text)
    shown = text if len(text) <= 60 else text[:59] + "…"
    raise GradientSyntaxError(f"Could not read {shown!r} as a gradient ({reason}): {HELP}.")


def _literal(node: ast.AST) -> Nested:
    """Numbers and lists of numbers only; anything else (calls, names, strings) is refused."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        if not math.isfinite(node.value):
            raise GradientSyntaxError(
                f"{node.value} is not a finite number (a gradient must be finite)"
            )
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _literal(node.operand)
        if isinstance(value, list):
            raise GradientSyntaxError("a sign applies to numbers, not to lists")
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_literal(element) for element in node.elts]
    raise GradientSyntaxError(f"{_short(ast.unparse(node))} is not a number")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _looks_like_name(text: str) -> bool:
    head = text.split(".", 1)[0].split("[", 1)[0]
    return head.isidentifier() and set(text) <= _NAME_CHARACTERS
