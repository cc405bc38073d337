"""Everyday public PyTorch code runs unchanged with the extension loaded, in every guard mode.

Each snippet runs on the simulated accelerator in a fresh shell without the extension, then
with it in each mode; no cell changes outcome. The one exception is a real mistake: in
`block` and `strict` it gains the explanation (a CrossDeviceError naming the variables).
"""

from __future__ import annotations

import atexit
import contextlib
import io

import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from tensor_inspector import CrossDeviceError
from tests.guard.corpus import SETUP, SNIPPETS, Snippet

MODES = ("block", "strict", "warn", "off")
ON_THE_SIMULATED_DEVICE = [snippet for snippet in SNIPPETS if not snippet.sim_gap]


def test_the_corpus_is_large_and_has_mistakes():
    assert len(ON_THE_SIMULATED_DEVICE) >= 60
    assert sum(bool(snippet.mistake) for snippet in ON_THE_SIMULATED_DEVICE) >= 6
    assert len({snippet.name for snippet in SNIPPETS}) == len(SNIPPETS)


def _outcomes(snippet: Snippet, mode: str | None, device: str) -> list[BaseException | None]:
    """Each cell's error (None: it ran), in a fresh shell; mode None: extension not loaded."""
    InteractiveShell.clear_instance()
    config = Config()
    config.HistoryManager.enabled = False  # no history database to write at exit
    shell = InteractiveShell.instance(colors="nocolor", config=config)
    errors = []
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            if mode is not None:
                shell.run_cell("%load_ext tensor_inspector")
                shell.run_cell(f"%tensor_inspector guard {mode}")
            assert shell.run_cell(SETUP.replace("sim:0", device)).success
            for cell in snippet.cells:
                result = shell.run_cell(cell)
                errors.append(result.error_before_exec or result.error_in_exec)
            if mode is not None:
                shell.run_cell("%unload_ext tensor_inspector")
    finally:
        torch.set_default_device(None)
        # IPython registers a reset (with a full gc.collect) per shell at exit: drop it.
        atexit.unregister(shell.atexit_operations)
        InteractiveShell.clear_instance()
    assert torch.overrides._get_current_function_mode_stack() == []
    return errors


@pytest.mark.parametrize(
    "snippet", ON_THE_SIMULATED_DEVICE, ids=[snippet.name for snippet in ON_THE_SIMULATED_DEVICE]
)
def test_no_cell_changes_outcome_in_any_mode(sim_device, snippet):
    assert_no_cell_changes_outcome(snippet, sim_device)


def assert_no_cell_changes_outcome(snippet: Snippet, device: str) -> None:
    plain = _outcomes(snippet, None, device)
    cells = len(snippet.cells)
    if snippet.mistake:
        assert all(error is None for error in plain[:-1]), plain
        assert isinstance(plain[-1], RuntimeError), plain[-1]
    else:
        assert plain == [None] * cells, plain
    for mode in MODES:
        loaded = _outcomes(snippet, mode, device)
        assert loaded[:-1] == plain[:-1], (mode, loaded)
        if not snippet.mistake:
            assert loaded[-1] is None, (mode, loaded[-1])
        elif mode in ("block", "strict"):
            error = loaded[-1]
            assert isinstance(error, CrossDeviceError), (mode, error)
            assert any(name in str(error) for name in snippet.mistake), (mode, str(error))
        else:
            assert isinstance(loaded[-1], RuntimeError), (mode, loaded[-1])
            assert not isinstance(loaded[-1], CrossDeviceError)
