"""tensor-inspector: a live panel of the tensors alive in a notebook.

``%load_ext tensor_inspector`` shows the panel. This module stays light: torch and IPython
are imported only when the extension loads (or an error class is first used), so Jupyter's
server can import the package cheaply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tensor_inspector.errors import ActionError, CrossDeviceError, CrossDeviceWarning
    from tensor_inspector.inspector import Inspector

__version__ = "0.1.0"
__all__ = [
    "ActionError",
    "CrossDeviceError",
    "CrossDeviceWarning",
    "current",
    "load_ipython_extension",
    "unload_ipython_extension",
]


_ERRORS = frozenset({"ActionError", "CrossDeviceError", "CrossDeviceWarning"})


def __getattr__(name: str):
    # The errors subclass IPython's InputRejected: importing them loads IPython.
    if name in _ERRORS:
        from tensor_inspector import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'tensor_inspector' has no attribute {name!r}")


def _jupyter_server_extension_points() -> list[dict]:
    """Found by jupyter-server: the kernels overview page (tensor_inspector.server)."""
    from tensor_inspector.server import TensorInspectorApp

    return [{"module": "tensor_inspector.server", "app": TensorInspectorApp}]


def load_ipython_extension(shell) -> None:
    from tensor_inspector.inspector import attach

    attach(shell, show_panel=True)


def unload_ipython_extension(shell) -> None:
    from tensor_inspector.inspector import detach

    detach(shell)


def current() -> Inspector:
    """The Inspector of the running IPython shell; raises if the extension is not loaded."""
    from IPython import get_ipython

    from tensor_inspector.inspector import inspector_of

    shell = get_ipython()
    inspector = inspector_of(shell) if shell is not None else None
    if inspector is None:
        raise RuntimeError(
            "tensor_inspector is not loaded in this shell: run %load_ext tensor_inspector"
        )
    return inspector
