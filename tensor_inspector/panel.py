"""The panel widget: synced traits, commands and broadcasts. No torch.

- Commands (anywidget's ``invoke``) answer the view that asked: each is one function of
  commands.py.
- Rows travel as broadcast custom messages rather than a synced trait, so a refresh that
  changes one tensor sends one row, not the whole table, to every view.
- The ``message`` trait is for notices to every view (unloaded, a refresh that failed).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anywidget
import traitlets
from anywidget.experimental import command

STATIC = Path(__file__).parent / "static"

Answer = Callable[[str, object, "Panel"], dict]  # (command, the view's message, panel) -> reply


class Panel(anywidget.AnyWidget):
    _esm = STATIC / "widget.js"
    _css = STATIC / "widget.css"

    devices = traitlets.Dict().tag(sync=True)
    truncated = traitlets.Dict().tag(sync=True)
    modules = traitlets.List().tag(sync=True)
    flag = traitlets.Dict().tag(sync=True)  # a blocked cross-device operation, and its fix
    message = traitlets.Dict().tag(sync=True)
    # What the tracked tensors hold per device, and what the last cell added or freed.
    memory = traitlets.Dict().tag(sync=True)
    # Docked in the sidebar or not, and why not (placement.py): {"state": ..., "note": ...}.
    placement = traitlets.Dict({"state": "inline"}).tag(sync=True)

    def __init__(self, answer: Answer, **kwargs) -> None:
        super().__init__(**kwargs)
        self._answer = answer

    # commands: each view gets its own reply ---------------------------------------------

    @command
    def snapshot(self, msg, _buffers):
        return self._answer("snapshot", msg, self), []

    @command
    def move(self, msg, _buffers):
        return self._answer("move", msg, self), []

    @command
    def apply_fix(self, msg, _buffers):
        return self._answer("apply_fix", msg, self), []

    @command
    def backward(self, msg, _buffers):
        return self._answer("backward", msg, self), []

    @command
    def graph(self, msg, _buffers):
        return self._answer("graph", msg, self), []

    @command
    def stats(self, msg, _buffers):
        return self._answer("stats", msg, self), []

    @command
    def picture(self, msg, _buffers):
        return self._answer("picture", msg, self), []

    @command
    def unnamed(self, msg, _buffers):
        return self._answer("unnamed", msg, self), []

    @command
    def release(self, msg, _buffers):
        return self._answer("release", msg, self), []

    @command
    def zero_grad(self, msg, _buffers):
        return self._answer("zero_grad", msg, self), []

    @command
    def dock(self, msg, _buffers):
        return self._answer("dock", msg, self), []

    @command
    def zero_grad_all(self, msg, _buffers):
        return self._answer("zero_grad_all", msg, self), []

    # broadcasts to every view -------------------------------------------------------------

    def send_changes(self, upserted: list[dict], removed: list[str]) -> None:
        if upserted or removed:
            self.send({"kind": "changes", "upsert": upserted, "remove": removed})

    def show_message(self, text: str, level: str = "info") -> None:
        # A counter makes a repeated notice a change, so every view shows it again.
        serial = self.message.get("serial", 0) + 1
        self.message = {"text": text, "level": level, "serial": serial}
