"""The overview page reads each kernel's answer defensively: one kernel that answers in an
unexpected shape (another version, say) gets an "unreadable answer" row, never a 500."""

import json

import pytest

from tensor_inspector.server.gather import MAX_ANSWER_CHARS, read_answer
from tensor_inspector.server.handlers import safe_page_row


@pytest.mark.parametrize(
    "text",
    [None, 42, repr("[1, 2]"), repr("not json"), "'unterminated", repr('"a string"'), "1/0"],
)
def test_an_answer_that_is_no_json_object_reads_as_unreadable(text):
    assert read_answer(text) == {"loaded": False, "error": "unreadable answer"}


def test_an_answer_too_long_is_not_parsed():
    text = repr(json.dumps({"loaded": True, "pad": "x" * MAX_ANSWER_CHARS}))
    answer = read_answer(text)
    assert answer["loaded"] is False and "too long" in answer["error"]


def test_a_well_formed_answer_is_read_as_sent():
    sent = {"loaded": True, "tensors": 2, "largest": []}
    assert read_answer(repr(json.dumps(sent))) == sent


@pytest.mark.parametrize(
    "inspector",
    [
        {"loaded": True, "devices": [1], "largest": "weights"},
        {"loaded": True, "devices": {"available": True, "devices": [3]}},
        {"loaded": True, "largest": [{"name": "x", "bytes": "many"}]},
        {"loaded": True, "last_cell": [1, 2]},
        [1, 2],
    ],
)
def test_an_odd_answer_gives_that_kernel_an_unreadable_row(inspector):
    kernel = {"id": "k1", "name": "python3", "state": "idle", "path": "a.ipynb"}
    row = safe_page_row({**kernel, "inspector": inspector})
    assert row["tensors"] == "unreadable answer" and row["id"] == "k1"
    assert row["path"] == "a.ipynb" and row["largest"] == []
