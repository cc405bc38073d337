"""The panel widget: synced traits, commands and broadcasts. No torch.

- Commands (anywidget's ``invoke``) answer the view that asked: each is one function of
  commands.py.
- Rows travel as broadcast custom messages rather than a synced trait, so a refresh that
  changes one tensor sends one row, not the whole table, to every view.
- The ``message`` trait is for notices to every view (unloaded, a refresh that failed).
- Everything sent is strict JSON (strict_json.py): replies, rows and synced state alike, so a
  nan or an inf reaches the view as the string "nan" or "inf", never as a bare NaN.
- Every request gets a reply: an unknown command, or an envelope without its fields, is
  refused in words rather than left unanswered.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anywidget
import traitlets
from anywidget import experimental
from anywidget.experimental import command

from tensor_inspector.strict_json import strict

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
        return self._reply("snapshot", msg)

    @command
    def move(self, msg, _buffers):
        return self._reply("move", msg)

    @command
    def apply_fix(self, msg, _buffers):
        return self._reply("apply_fix", msg)

    @command
    def backward(self, msg, _buffers):
        return self._reply("backward", msg)

    @command
    def graph(self, msg, _buffers):
        return self._reply("graph", msg)

    @command
    def stats(self, msg, _buffers):
        return self._reply("stats", msg)

    @command
    def picture(self, msg, _buffers):
        return self._reply("picture", msg)

    @command
    def unnamed(self, msg, _buffers):
        return self._reply("unnamed", msg)

    @command
    def release(self, msg, _buffers):
        return self._reply("release", msg)

    @command
    def zero_grad(self, msg, _buffers):
        return self._reply("zero_grad", msg)

    @command
    def dock(self, msg, _buffers):
        return self._reply("dock", msg)

    @command
    def zero_grad_all(self, msg, _buffers):
        return self._reply("zero_grad_all", msg)

    def _reply(self, name: str, msg: object) -> tuple[dict, list]:
        return strict(self._answer(name, msg, self)), []

    def _handle_custom_msg(self, content, buffers):
        if isinstance(content, dict) and content.get("kind") == "anywidget-command":
            name = content.get("name")
            if not isinstance(name, str) or name not in _command_names(type(self)):
                shown = repr(name) if len(repr(name)) <= 60 else repr(name)[:59] + "…"
                self._refuse(content, f"The panel asked for {shown}, which is no command.")
                return
            if "id" not in content:
                self._refuse(content, f"The request for {name} had no id to answer to.")
                return
            content = {"msg": None, **content}  # a missing msg is refused by the command
        super()._handle_custom_msg(content, buffers)

    def _refuse(self, content: dict, text: str) -> None:
        reply = {"ok": False, "level": "error", "text": text}
        self.send(
            {
                "id": strict(content.get("id")),
                "kind": "anywidget-command-response",
                "response": reply,
            }
        )

    def get_state(self, key=None, drop_defaults=False):
        return strict(super().get_state(key, drop_defaults))

    def close(self) -> None:
        layout = self.layout  # a widget of its own, with its own comm: it goes too
        super().close()
        if layout is not None:
            layout.close()

    # broadcasts to every view -------------------------------------------------------------

    def send_changes(self, upserted: list[dict], removed: list[str]) -> None:
        if upserted or removed:
            self.send({"kind": "changes", "upsert": strict(upserted), "remove": removed})

    def show_message(self, text: str, level: str = "info") -> None:
        # A counter makes a repeated notice a change, so every view shows it again.
        serial = self.message.get("serial", 0) + 1
        self.message = {"text": text, "level": level, "serial": serial}


def _command_names(panel_type: type) -> frozenset[str]:
    """The names the view may invoke: the methods marked ``@command``."""
    mark = getattr(experimental, "_ANYWIDGET_COMMAND", "_anywidget_command")
    return frozenset(
        name
        for klass in panel_type.__mro__
        for name, value in vars(klass).items()
        if getattr(value, mark, False)
    )
