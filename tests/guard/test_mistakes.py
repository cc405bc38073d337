"""Real device mistakes from public code: the explanation names the true culprit, and its fix
works.

Each mistake (tests/guard/mistakes.py) runs in a fresh notebook shell on the simulated
accelerator. Without the extension its last cell fails with PyTorch's own device error. With
it, in `block` and `strict`, the error names the culprit as the one tensor on the wrong
device: any other name said to be there fails the test. Then the fix the message gives is
applied as written (the line it says to run, or the edit of the failing line) and the
snippet runs again, to success.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import re
from collections import Counter

import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

import tensor_inspector
from tensor_inspector import CrossDeviceError
from tensor_inspector.testing import simulated_device
from tests.guard.corpus import SETUP
from tests.guard.mistakes import KINDS, MISTAKES, Mistake

IDS = [mistake.name for mistake in MISTAKES]


def test_the_corpus_covers_every_kind_with_real_code():
    assert len(MISTAKES) >= 40
    kinds = Counter(mistake.kind for mistake in MISTAKES)
    assert set(kinds) == set(KINDS)
    assert all(count >= 2 for count in kinds.values()), kinds
    assert len(set(IDS)) == len(IDS)
    assert all(mistake.source for mistake in MISTAKES)


@contextlib.contextmanager
def _shell(mistake: Mistake, mode: str | None):
    """A fresh notebook shell (the extension loaded in ``mode``), with as many simulated
    devices as the mistake needs."""
    simulated_device.install(devices=2 if mistake.kind == "two devices" else 1)
    InteractiveShell.clear_instance()
    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(colors="nocolor", config=config)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            if mode is not None:
                shell.run_cell("%load_ext tensor_inspector")
                shell.run_cell(f"%tensor_inspector guard {mode}")
            assert shell.run_cell(SETUP).success
            yield shell
            if mode is not None:
                shell.run_cell("%unload_ext tensor_inspector")
    finally:
        torch.set_default_device(None)
        atexit.unregister(shell.atexit_operations)
        InteractiveShell.clear_instance()
        simulated_device.install()


def _run_all(shell, cells) -> list[BaseException | None]:
    errors = []
    for cell in cells:
        result = shell.run_cell(cell)
        errors.append(result.error_before_exec or result.error_in_exec)
    return errors


@pytest.mark.parametrize("mistake", MISTAKES, ids=IDS)
def test_pytorch_itself_refuses_the_last_cell(sim_device, mistake):
    with _shell(mistake, None) as shell:
        errors = _run_all(shell, mistake.cells)
    assert errors[:-1] == [None] * (len(errors) - 1), errors
    assert type(errors[-1]) is RuntimeError, errors[-1]


def assert_names_the_culprit(error: BaseException, mistake: Mistake) -> None:
    assert isinstance(error, CrossDeviceError), error
    text = str(error)
    assert getattr(error, "culprit", None) == mistake.culprit, text
    cause = text.split(" Fix: ")[0]
    if mistake.kind == "optimizer state":
        assert cause.startswith(f"{mistake.culprit}.step() mixes devices"), text
        assert "its optimizer state" in cause and "is on cpu" in cause, text
        return
    devices = set(re.findall(r" is on (cpu|[a-z]+:\d+)\b", cause)) - {error.device}
    assert len(devices) == 1, text
    stray = devices.pop()
    blamed = [
        re.sub(r" \([^()]*\)$", "", cause[: found.start()])
        for found in re.finditer(rf" is on {re.escape(stray)}\b", cause)
    ]
    # Exactly one thing is said to be on the wrong device, and it is the culprit.
    assert len(blamed) == 1 and blamed[0].endswith(
        (f" {mistake.culprit}", f"\n{mistake.culprit}")
    ), text


@pytest.mark.parametrize("mode", ["block", "strict"])
@pytest.mark.parametrize("mistake", MISTAKES, ids=IDS)
def test_the_explanation_names_the_true_culprit(sim_device, mistake, mode):
    with _shell(mistake, mode) as shell:
        errors = _run_all(shell, mistake.cells)
    assert errors[:-1] == [None] * (len(errors) - 1), errors
    assert_names_the_culprit(errors[-1], mistake)


def fixed_cells(mistake: Mistake, fix) -> tuple[str, ...]:
    """The snippet with the fix applied as the message gives it: its line run in a cell of
    its own before the failing cell, or its edit made to the failing line where it is."""
    cells = list(mistake.cells)
    if fix.run:
        return (*cells[:-1], fix.run, cells[-1])
    assert fix.edits, f"no mechanical fix: {fix.text}"
    holding = [i for i, cell in enumerate(cells) if fix.line in cell.splitlines()]
    assert len(holding) >= 1, (fix.line, cells)
    index = holding[-1]
    lines = cells[index].splitlines()
    lines = [fix.edited_line() if line == fix.line else line for line in lines]
    cells[index] = "\n".join(lines) + "\n"
    return tuple(cells)


FIXABLE = [mistake for mistake in MISTAKES if not mistake.fix_needs_cuda]


def test_only_fused_rnn_fixes_need_cuda():
    assert len(FIXABLE) >= len(MISTAKES) - 2
    assert {m.kind for m in MISTAKES if m.fix_needs_cuda} <= {"rnn hidden"}


@pytest.mark.parametrize("mistake", FIXABLE, ids=[m.name for m in FIXABLE])
def test_the_fix_the_message_gives_works(sim_device, mistake):
    with _shell(mistake, "block") as shell:
        error = _run_all(shell, mistake.cells)[-1]
    assert isinstance(error, CrossDeviceError), error
    fix = error.fix
    assert fix is not None and fix.text and fix.text in str(error)
    cells = fixed_cells(mistake, fix)
    with _shell(mistake, "block") as shell:
        errors = _run_all(shell, cells)
    assert errors == [None] * len(cells), (fix, errors)


# Tensors bound to a name, and modules: the module's fix releases the failed cell's
# traceback, which still holds its parameters, before it moves them.
BUTTONS = [m for m in FIXABLE if m.kind in ("not moved", "indexing")]


@pytest.mark.parametrize("mistake", BUTTONS, ids=[m.name for m in BUTTONS])
def test_the_flags_button_moves_the_very_tensor_and_the_cell_then_runs(sim_device, mistake):
    with _shell(mistake, "block") as shell:
        error = _run_all(shell, mistake.cells)[-1]
        if error.name is None:  # no notebook name holds the culprit: no button, text only
            assert error.fix.run is None
            return
        assert error.name == mistake.culprit.split(".")[0]
        name, device = error.name, error.device
        del error  # a notebook holds no error object: only IPython and sys keep it
        tensor_inspector.current().apply_fix(name, device)
        assert shell.run_cell(mistake.cells[-1]).success
