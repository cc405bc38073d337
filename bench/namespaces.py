"""Notebook namespaces of a given number of tensors, in a realistic mix: most bound to names,
some as module parameters, some in lists."""

from __future__ import annotations

import torch

SHAPES = [(4,), (16, 16), (128,), (8, 3, 3)]


def build(count: int) -> dict:
    namespace: dict = {}
    in_modules = count // 5  # 20 % parameters of nn.Linear modules (2 each)
    in_lists = count // 10  # 10 % in lists of 10
    top_level = count - in_modules - in_lists
    for index in range(top_level):
        namespace[f"t{index}"] = torch.zeros(SHAPES[index % len(SHAPES)])
    for index in range(in_modules // 2):
        namespace[f"layer{index}"] = torch.nn.Linear(8, 4)
    for index in range(in_lists // 10):
        namespace[f"batch{index}"] = [torch.zeros(SHAPES[j % len(SHAPES)]) for j in range(10)]
    return namespace
