"""Releasing what IPython keeps frees what it says, says only what it did, and leaves the
user's own variables alone."""

import gc

from tests.conftest import run

DISPLAYED = "import weakref\nbig = torch.ones(1237)\nprobe = weakref.ref(big)"


def test_releasing_the_output_history_frees_the_last_displayed_output_too(ip, inspector):
    run(ip, DISPLAYED)
    ip.run_cell("big", store_history=True)
    run(ip, "del big")
    assert ip.last_execution_result is not None
    inspector.release("output history")
    gc.collect()
    assert ip.ev("probe()") is None


def test_with_no_output_cache_the_release_works_without_ipythons_flush_error(ip, inspector):
    ip.displayhook.cache_size = 0
    ip.displayhook.do_full_cache = False
    run(ip, DISPLAYED)
    ip.run_cell("big", store_history=True)
    run(ip, "del big")
    text = inspector.release("output history")
    gc.collect()
    assert "Released the output history" in text and "shouldn't" not in text
    assert ip.ev("probe()") is None


def test_a_user_bound_underscore_is_kept_and_the_reply_says_so(ip, inspector):
    run(ip, "x = torch.tensor([[1.0, 5.0], [7.0, 2.0]])\n_, idx = torch.max(x, 1)")
    mine = ip.user_ns["_"]
    text = inspector.release("output history")
    assert ip.user_ns["_"] is mine and "Kept _" in text


def test_releasing_the_last_error_when_no_cell_failed_says_there_is_none(ip, inspector):
    import sys

    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            setattr(sys, name, None)
    run(ip, "x = torch.ones(2)")
    text = inspector.release("last error")
    assert "no error to release" in text and "Released" not in text


def test_the_debuggers_hold_on_a_failed_cells_frames_is_released_and_named(ip, inspector):
    run(ip, "import weakref\ndef f():\n    x = torch.ones(7, 111)\n    global probe\n"
            "    probe = weakref.ref(x)\n    raise ValueError('failed')")  # fmt: skip
    ip.run_cell("f()")
    import sys

    # What %debug leaves behind: the traceback formatter's debugger, set up on those frames.
    formatter = ip.InteractiveTB
    formatter.pdb = formatter.debugger_cls()
    formatter.pdb.setup(None, sys.last_traceback)
    text = inspector.release("last error")
    gc.collect()
    assert "the debugger (%debug)" in text
    assert ip.ev("probe()") is None
