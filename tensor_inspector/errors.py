"""Errors and warnings that tensor-inspector raises to users. Imports nothing heavy."""

from IPython.core.error import InputRejected


class ActionError(Exception):
    """A panel action (move, backward, zero grad) could not be done; nothing was changed."""


class CrossDeviceError(RuntimeError, InputRejected):
    """An operation would mix tensors on different devices.

    Raised by the cell check (IPython then runs none of the cell) and by the op-level guard
    (the operation does not run). ``name`` and ``device`` say which move fixes it, if known.
    """

    def __init__(self, message: str, name: str | None = None, device: str | None = None):
        super().__init__(message)
        self.name = name
        self.device = device


class CrossDeviceWarning(UserWarning):
    """An operation will mix tensors on different devices (guard mode ``warn``)."""
