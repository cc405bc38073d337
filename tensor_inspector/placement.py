"""Where the panel shows: in a cell's output (inline), or docked in the right sidebar of
JupyterLab and Notebook 7 (side), placed there by ipylab.

A kernel cannot tell which front end shows its outputs, so docking starts from the panel's
view in the cell: once it finds itself in a notebook page with a right sidebar, it sends the
``dock`` command and the kernel asks ipylab to add the panel there. Where no view asks (VS Code,
Colab) or the front end cannot dock, the panel stays inline with a one-line note. Nothing
here raises for the user: a missing ipylab is a note too.

The state each view reads is the panel's ``placement`` trait: ``{"state": ..., "note": ...}``, with
state one of "inline" (never asked), "asked" (a view should offer docking), "docking" (ipylab
asked, no answer yet), "side" (docked: the cell's copy folds to a line), "closed" (the user
closed the sidebar tab) or "unsupported" (the note says why).
"""

from __future__ import annotations

import logging

from tensor_inspector.errors import ActionError

log = logging.getLogger("tensor_inspector")

TITLE = "Tensors"
NO_SIDEBAR = (
    "This front end has no side panel for widgets (VS Code, Colab): the panel stays here. "
    "In JupyterLab, right-click this output and choose Create New View for Cell Output."
)
NO_IPYLAB = "Docking needs ipylab (pip install ipylab, then reload the page): the panel stays here."
CLOSED = "The side panel was closed: %tensor_inspector side docks it again."
NOT_ASKED = "This panel stays in its cell: %tensor_inspector side shows one docked in the sidebar."
# The states of a panel that was asked to dock: only its views may dock it (a reload or a
# second view of a docked panel asks again).
WANTS_SIDE = frozenset({"asked", "docking", "side"})


class Dock:
    """One per Inspector: ipylab's handle on the front end, and the sidebar box holding the
    docked panel. Every method is safe to call again (page reloads, second views, re-runs)."""

    def __init__(self) -> None:
        self.app = None  # ipylab.JupyterFrontEnd, made on the first request
        self.box = None  # ipylab.Panel in the right area, holding the panel
        self.panel = None

    @property
    def docked_id(self) -> str | None:
        """The DOM id of the sidebar box, once the front end reports it added."""
        if self.app is None or self.box is None:
            return None
        serialized = f"IPY_MODEL_{self.box.model_id}"
        for entry in self.app.shell._widgets:
            if entry.get("serializedWidget") == serialized:
                return entry.get("id")
        return None

    def ask(self, panel) -> None:
        """The panel is to be docked: its views in a notebook page will send ``dock``."""
        if self.panel is not None and self.panel is not panel and self.docked_id is not None:
            self.close()  # a new panel takes the sidebar
        self._state(panel, "asked")

    def request(self, panel, here: bool) -> dict:
        """A view of ``panel`` asks to dock it; ``here`` says whether its page has a right
        sidebar. Returns the new dock state. A panel shown inline never docks: its request
        is refused, and nothing changes."""
        if panel.placement.get("state") not in WANTS_SIDE:
            raise ActionError(NOT_ASKED)
        if not here:
            return self._state(panel, "unsupported", NO_SIDEBAR)
        try:
            from ipylab import JupyterFrontEnd, Panel
        except ImportError:
            return self._state(panel, "unsupported", NO_IPYLAB)
        if self.panel is not panel or self.box is None:
            self.close()
            self.panel = panel
            self.box = Panel([panel])
            self.box.title.label = TITLE
            self.box.title.caption = TITLE  # Notebook 7 lists side panels by caption
        if self.app is None:
            self.app = JupyterFrontEnd()
            self.app.shell.observe(self._widgets_changed, "_widgets")
            self.app.on_ready(self._add)  # again on every page load: _add adds only once
        if self.docked_id is not None:
            self._show(self.docked_id)
            return self._state(panel, "side")
        if self.app.version:  # the front end is ready already
            self._add()
        return self._state(panel, "docking")

    def close(self) -> None:
        """Take the panel out of the sidebar (unload, or a new panel takes its place)."""
        if self.box is not None:
            self.box.children = ()
            self.box.close()
        self.box = None
        self.panel = None

    def undock(self, panels) -> None:
        """%tensor_inspector inline: the sidebar panel leaves the sidebar, and every panel that
        was to dock (or was docked) shows in its own cell again."""
        self.close()
        for panel in panels:
            if panel.placement.get("state") in WANTS_SIDE | {"closed"}:
                self._state(panel, "inline")

    def stop(self) -> None:
        """Unloading: the sidebar box goes, and so does ipylab's handle on the front end."""
        self.close()
        if self.app is not None:
            for part in (self.app.shell, self.app.commands, self.app.sessions, self.app.menu,
                         self.app.toolbar, self.app):  # fmt: skip
                part.close()
        self.app = None

    def _add(self) -> None:
        if self.box is not None and self.docked_id is None:
            self.app.shell.add(self.box, "right", {"rank": 1000})

    def _widgets_changed(self, _change) -> None:
        if self.panel is None:
            return
        docked = self.docked_id
        state = self.panel.placement.get("state")
        if docked is not None and state != "side":
            self._show(docked)
            self._state(self.panel, "side")
        elif docked is None and state == "side":
            self._state(self.panel, "closed", CLOSED)

    def _show(self, docked_id: str) -> None:
        """Open the sidebar on the panel's tab: JupyterLab and Notebook 7 name this differently."""
        commands = self.app.commands
        try:
            if "tabsmenu:activate-by-id" in commands._command_list:  # JupyterLab
                commands.execute("tabsmenu:activate-by-id", {"id": docked_id})
            elif "application:toggle-panel" in commands._command_list:  # Notebook 7
                commands.execute(
                    "application:toggle-panel", {"side": "right", "title": TITLE, "id": docked_id}
                )
        except Exception:  # the tab is there; only opening it failed
            log.debug("could not open the side panel", exc_info=True)

    def _state(self, panel, state: str, note: str = "") -> dict:
        placement = {"state": state, "note": note}
        if state == "side" and self.box is not None:
            # After a kernel restart, the new panel's view closes the box the old kernel left
            # in the sidebar by this id: Notebook 7's side panel has no tab to close it by.
            placement["box"] = self.box.model_id
        panel.placement = placement
        return panel.placement
