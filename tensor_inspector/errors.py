"""Errors and warnings that tensor-inspector raises to users. Imports nothing heavy."""


class ActionError(Exception):
    """A panel action (move, backward, zero grad) could not be done; nothing was changed."""


class CrossDeviceError(RuntimeError):
    """An operation would mix tensors on different devices."""


class CrossDeviceWarning(UserWarning):
    """An operation will mix tensors on different devices (guard mode ``warn``)."""
