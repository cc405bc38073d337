"""Errors and warnings that tensor-inspector raises to users. Imports nothing heavy."""

from IPython.core.error import InputRejected

TEXT_LIMIT = 300


def cut(text: str, limit: int = TEXT_LIMIT) -> str:
    """Text for a message, no longer than ``limit``: long input is never echoed whole."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ActionError(Exception):
    """A panel action (move, backward, zero grad) could not be done; nothing was changed."""


class CrossDeviceError(RuntimeError, InputRejected):
    """An operation would mix tensors on different devices.

    Raised by the cell check (IPython then runs none of the cell) and by the op-level guard
    (the operation does not run). ``name`` and ``device`` say which move fixes it, if known.
    """

    frames: tuple[tuple[str, str], ...] = ()  # (where, source line) of the user's frames
    pytorch_message = ""  # PyTorch's own words, when this explains PyTorch's error

    def __init__(self, message: str, name: str | None = None, device: str | None = None):
        super().__init__(message)
        self.name = name
        self.device = device

    def _render_traceback_(self) -> list[str]:
        """What IPython shows: the user's own frames and one message, no frames of ours."""
        lines = []
        if self.frames:
            lines.append("Traceback (your code):")
            for where, source in self.frames:
                lines += [f"  {where}", f"    {source}"]
        lines.append(f"CrossDeviceError: {self}")
        if self.pytorch_message:
            lines.append(f"PyTorch: {self.pytorch_message}")
        return lines


class CrossDeviceWarning(UserWarning):
    """An operation will mix tensors on different devices (guard mode ``warn``)."""
