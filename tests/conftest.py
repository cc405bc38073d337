"""Fixtures shared by every layer: a real IPython shell, the simulated accelerator."""

from __future__ import annotations

import atexit

import pytest
from IPython.core.interactiveshell import InteractiveShell


def pytest_configure(config):
    # PyTorch's autograd engine sizes its device queues at the first backward() of a process,
    # so the simulated device must exist before any test runs one. On a real GPU the cuda
    # tests run against CUDA alone.
    import torch

    if not torch.cuda.is_available():
        from tensor_inspector.testing.simulated_device import install

        install()


@pytest.fixture
def ip():
    """A real in-process IPython shell, as a notebook's kernel has."""
    InteractiveShell.clear_instance()
    shell = InteractiveShell.instance(colors="nocolor")
    shell.history_manager.enabled = False
    yield shell
    if "tensor_inspector" in shell.extension_manager.loaded:
        shell.run_cell("%unload_ext tensor_inspector")
    # IPython registers a reset (with a full gc.collect) per shell at exit: drop it.
    atexit.unregister(shell.atexit_operations)
    InteractiveShell.clear_instance()


@pytest.fixture
def inspector(ip):
    """The extension loaded in ``ip``, with torch imported as a notebook would."""
    import tensor_inspector

    run(ip, "%load_ext tensor_inspector")
    run(ip, "import torch")
    return tensor_inspector.current()


@pytest.fixture
def sim_device() -> str:
    """The simulated accelerator (device 'sim:0'), installed once for this process."""
    from tensor_inspector.testing.simulated_device import install

    return install()


def run(shell, source: str):
    """Run a cell as the notebook would, failing the test if the cell itself failed."""
    result = shell.run_cell(source, store_history=True)
    if result.error_before_exec or result.error_in_exec:
        raise AssertionError(f"cell failed: {source!r}") from (
            result.error_before_exec or result.error_in_exec
        )
    return result


def rows_by_name(shell) -> dict[str, dict]:
    import tensor_inspector

    return {row["name"]: row for row in tensor_inspector.current().rows}


def invoke(panel, name: str, msg: object = None) -> dict:
    """Call one of the panel's commands as its view does (anywidget's ``invoke``), through
    the widget's message path, and return the reply that view would get."""
    sent = []
    original = panel.send
    panel.send = lambda content, buffers=None: sent.append(content)
    try:
        envelope = {"kind": "anywidget-command", "id": "test", "name": name, "msg": msg}
        panel._handle_custom_msg({**envelope, "msg": {} if msg is None else msg}, [])
    finally:
        del panel.send
        assert panel.send == original
    replies = [c for c in sent if c.get("kind") == "anywidget-command-response"]
    assert len(replies) == 1 and replies[0]["id"] == "test", sent
    return replies[0]["response"]
