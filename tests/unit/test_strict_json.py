"""The one contract for what leaves the kernel: strict JSON, non-finite numbers as text."""

import json
import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tensor_inspector.strict_json import strict

leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=5),
    st.floats(allow_nan=True, allow_infinity=True), st.complex_numbers(),
)  # fmt: skip
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children, children),
        st.dictionaries(st.one_of(st.text(max_size=3), st.integers()), children, max_size=4),
    ),
    max_leaves=20,
)


@given(trees)
def test_anything_plain_becomes_strict_json(tree):
    json.dumps(strict(tree), allow_nan=False)


def test_non_finite_numbers_become_their_names_and_finite_ones_stay_numbers():
    sent = strict({"a": [math.nan, math.inf, -math.inf, 1.5, 2], 3: (np.float32("nan"), 0.0)})
    assert sent == {"a": ["nan", "inf", "-inf", 1.5, 2], "3": ["nan", 0.0]}


def test_bytes_for_buffers_pass_through_untouched():
    buffer = memoryview(b"abc")
    assert strict({"buffer": buffer})["buffer"] is buffer
