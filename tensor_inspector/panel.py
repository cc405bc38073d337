"""The panel widget: synced traits and message routing, no torch.

Rows travel as custom messages rather than a synced trait, so a refresh that changes one
tensor sends one row, not the whole table. A view that starts (or restarts after a page
reload) asks for a snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anywidget
import traitlets

STATIC = Path(__file__).parent / "static"


class Panel(anywidget.AnyWidget):
    _esm = STATIC / "widget.js"
    _css = STATIC / "widget.css"

    devices = traitlets.Dict().tag(sync=True)
    truncated = traitlets.Dict().tag(sync=True)
    modules = traitlets.List().tag(sync=True)
    flag = traitlets.Dict().tag(sync=True)  # a blocked cross-device operation, and its fix
    message = traitlets.Dict().tag(sync=True)

    def __init__(self, on_request: Callable[[Panel, dict], None], **kwargs) -> None:
        super().__init__(**kwargs)
        self._on_request = on_request
        self.on_msg(self._route)

    def send_snapshot(self, rows: list[dict]) -> None:
        self.send({"kind": "snapshot", "rows": rows})

    def send_changes(self, upserted: list[dict], removed: list[str]) -> None:
        if upserted or removed:
            self.send({"kind": "changes", "upsert": upserted, "remove": removed})

    def show_message(self, text: str, level: str = "info", **context) -> None:
        # A counter makes a repeated message a change, so the view shows it again.
        serial = self.message.get("serial", 0) + 1
        self.message = {"text": text, "level": level, "serial": serial, **context}

    def _route(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict):
            self._on_request(self, content)
