"""The Inspector: one per IPython shell. Wires IPython's events to the tracker and the panels."""

from __future__ import annotations

import functools
import logging
import traceback
import weakref

import torch
from IPython.display import display

from tensor_inspector import actions, commands, devices
from tensor_inspector.errors import cut
from tensor_inspector.panel import Panel
from tensor_inspector.placement import Dock
from tensor_inspector.settings import TensorInspector
from tensor_inspector.tracking import Changes, Tracker, find_tensors

_inspectors: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
log = logging.getLogger("tensor_inspector")


def inspector_of(shell) -> Inspector | None:
    return _inspectors.get(shell)


def attach(shell, show_panel: bool = True) -> Inspector:
    """Create (once) the shell's Inspector and hook it up; show a panel if asked."""
    inspector = _inspectors.get(shell)
    if inspector is None:
        inspector = Inspector(shell)
        inspector.start()
        _inspectors[shell] = inspector
    if show_panel and _running_a_cell(shell):
        inspector.show(from_load_cell=True)
        inspector.displayed_in_this_cell = True
    elif show_panel:
        # Loaded as the kernel starts (--ext, or the profile): the panel goes under the first cell.
        inspector.show_panel_after_next_cell = True
    return inspector


def _running_a_cell(shell) -> bool:
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return True
    try:
        return bool(kernel.get_parent("shell"))
    except Exception:
        log.debug("could not tell whether a cell is running", exc_info=True)
        return True


def _cell_run(shell) -> tuple[str | None, str | None]:
    """(the front end's id of the running cell, this run's message id); (None, None) where
    the front end sends no cell id (a terminal, or a front end that omits it)."""
    kernel = getattr(shell, "kernel", None)
    try:
        parent = kernel.get_parent("shell") if kernel is not None else None
    except Exception:
        return (None, None)
    if not isinstance(parent, dict):
        return (None, None)
    cell = (parent.get("metadata") or {}).get("cellId")
    return (
        (cell, (parent.get("header") or {}).get("msg_id"))
        if isinstance(cell, str)
        else (None, None)
    )


def _run_for_a_tool(result) -> bool:
    """Whether this execution was a front end's own request, kept out of the history (a
    variable explorer asking after every cell, say), rather than the user's cell: the panel
    keeps showing what the user's last cell did."""
    info = getattr(result, "info", None)
    return info is not None and getattr(info, "store_history", True) is False


def _loads_this_extension(result) -> bool:
    source = getattr(getattr(result, "info", None), "raw_cell", "") or ""
    return any(
        line.strip() in ("%load_ext tensor_inspector", "%reload_ext tensor_inspector")
        for line in source.splitlines()
    )


def _merged(earlier: Changes | None, later: Changes) -> Changes:
    """The changes of two scans as one: the later row wins, a removal cancels an earlier
    upsert, and an upsert cancels an earlier removal."""
    if earlier is None:
        return later
    upserted = {row["name"]: row for row in earlier.upserted}
    for name in later.removed:
        upserted.pop(name, None)
    upserted.update((row["name"], row) for row in later.upserted)
    removed = [n for n in dict.fromkeys([*earlier.removed, *later.removed]) if n not in upserted]
    return Changes(list(upserted.values()), removed, later.modules)


def detach(shell) -> None:
    inspector = _inspectors.pop(shell, None)
    if inspector is not None:
        inspector.stop()


class Inspector:
    """Tracks the shell's tensors after every cell and keeps every panel in sync."""

    def __init__(self, shell) -> None:
        self.shell = shell
        self.tracker = Tracker()
        self.panels: list[Panel] = []
        self.flag: dict = {}
        self.show_panel_after_next_cell = False
        self.displayed_in_this_cell = False
        self.modules: list[dict] = []
        self._magics = None
        self.guard = None
        self.settings: TensorInspector | None = None
        self._refreshes = 0
        self.memory: dict = {}
        self._snapshot: tuple[int, list[dict]] | None = None
        self._unsent: Changes | None = None  # changes a refresh found but did not send
        self.dock = Dock()
        # A cell runs, and an action inside it (tensor_inspector.current().backward(...))
        # refreshed the panel midway: the refresh after the cell continues that one.
        self._cell_running = False
        self._refreshed_in_cell = False

    # lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        from tensor_inspector.guard.controller import CellGuard
        from tensor_inspector.magics import InspectorMagics

        self.settings = TensorInspector(parent=self.shell)  # c.TensorInspector.* config
        self.shell.configurables.append(self.settings)
        self.guard = CellGuard(self.shell, on_flag=self._set_flag)
        self.guard.set_mode(self.settings.guard)
        self.settings.observe(lambda change: self.guard.set_mode(change.new), "guard")
        self.guard.install()
        self.shell.events.register("pre_run_cell", self._before_cell)
        self.shell.events.register("post_run_cell", self._after_cell)
        self._magics = InspectorMagics(self.shell, inspector=self)
        self.shell.register_magics(self._magics)
        self.shell.magics_manager.register_alias("ti", "tensor_inspector", "line")
        self.refresh()

    def stop(self) -> None:
        self.shell.events.unregister("pre_run_cell", self._before_cell)
        self.shell.events.unregister("post_run_cell", self._after_cell)
        if self.guard is not None:
            self.guard.uninstall()
        if self._magics is not None:
            for kind, names in self._magics.magics.items():
                registry = self.shell.magics_manager.magics[kind]
                for name in names:
                    registry.pop(name, None)
            self.shell.magics_manager.magics["line"].pop("ti", None)
            self.shell.magics_manager.registry.pop(type(self._magics).__name__, None)
        for configurable in (self.settings, self._magics):  # Magics add themselves too
            while configurable is not None and configurable in self.shell.configurables:
                self.shell.configurables.remove(configurable)
        for panel in self.panels:
            panel.show_message(
                "tensor-inspector was unloaded; %load_ext tensor_inspector to restart"
            )
            panel.close()  # its comm goes; the kernel keeps nothing of it
        self.panels = []
        self.dock.stop()

    # reading -------------------------------------------------------------------------------

    @property
    def rows(self) -> list[dict]:
        """One dict per live tensor (see describe.ROW_KEYS), as of the last refresh."""
        return self.tracker.rows_in(self.shell.user_ns, self.shell.user_ns_hidden)

    @property
    def panel(self) -> Panel:
        """The most recent panel (one is created if none exists)."""
        return self.panels[-1] if self.panels else self.new_panel()

    def show(self, where: str | None = None, from_load_cell: bool = False) -> Panel:
        """Display a new panel in the cell's output; with ``where`` "side" (by default the
        ``c.TensorInspector.where`` setting) it docks in the right sidebar where the front end
        has one, and the cell keeps a one-line note (placement.py)."""
        panel = self.new_panel(from_load_cell=from_load_cell)
        if (where or self.settings.where) == "side":
            self.dock.ask(panel)
        display(panel)
        return panel

    def new_panel(self, from_load_cell: bool = False) -> Panel:
        """A panel to display. It supersedes the panel an earlier run of the same cell showed
        (the load cell after Run All, a re-run %tensor_inspector cell): that one is closed,
        so panels, their comms and the changes sent to them do not pile up."""
        cell = _cell_run(self.shell)
        for old in list(self.panels):
            again = getattr(old, "cell_run", (None, None))
            if (from_load_cell and getattr(old, "from_load_cell", False)) or (
                cell[0] is not None and again[0] == cell[0] and again[1] != cell[1]
            ):
                old.close()
                self.panels.remove(old)
        panel = Panel(
            answer=lambda name, msg, panel: commands.answer(self, name, msg, panel),
            devices=devices.summary(),
            truncated=dict(self.tracker.truncated),
            modules=self.modules,
            flag=self.flag,
            memory=self.memory,
        )
        panel.from_load_cell = from_load_cell
        panel.cell_run = cell
        self.panels.append(panel)
        return panel

    def _memory(self, summary: dict, continues_last_cell: bool = False) -> dict:
        """Per device: the tracked tensors' bytes, what the last cell changed, and on an
        accelerator its allocator's allocated and reserved bytes and their change."""
        allocator = {}
        for device in summary.get("devices", []):
            allocated = device.get("memory_allocated")
            if allocated is None:
                continue
            before = (self.memory or {}).get("allocator", {}).get(device["device"], {})
            change = allocated - before.get("allocated", allocated)
            if continues_last_cell:
                change += before.get("allocated_change", 0)
            allocator[device["device"]] = {
                "allocated": allocated,
                "reserved": device.get("memory_reserved"),
                "allocated_change": change,
            }
        return {
            "held": dict(self.tracker.memory),
            "last_cell": dict(self.tracker.last_cell),
            "allocator": allocator,
        }

    def snapshot_rows(self) -> list[dict]:
        """Every row, as a view that starts needs it; built once per refresh, however many
        views ask (a reload of a page with many panels asks many times)."""
        if self._snapshot is None or self._snapshot[0] != self._refreshes:
            self._snapshot = (self._refreshes, self.rows)
        return self._snapshot[1]

    def refresh(self, continues_last_cell: bool = False) -> Changes:
        """Scan the namespace now and send what changed to every panel. ``continues_last_cell``:
        after code a front end ran on the user's behalf (see ``_after_cell``)."""
        skipped_before = dict(self.tracker.skipped)
        changes = self.tracker.scan(
            self.shell.user_ns, self.shell.user_ns_hidden, continues_last_cell
        )
        # The tracker has moved on: until every panel has these changes, they are kept, so
        # an interrupted refresh (KeyboardInterrupt after the scan) loses no removal.
        changes = self._unsent = _merged(self._unsent, changes)
        self._refreshes += 1
        summary = devices.summary()
        if self.tracker.skipped and self.tracker.skipped != skipped_before:
            names = ", ".join(f"{name} ({why})" for name, why in self.tracker.skipped.items())
            self._report_text(cut(f"Not shown, could not be read: {names}"), "warning")
        self.modules = changes.modules
        self.memory = self._memory(summary, continues_last_cell)
        for panel in self.panels:
            panel.devices = summary
            panel.memory = self.memory
            panel.truncated = dict(self.tracker.truncated)
            panel.modules = changes.modules
            panel.send_changes(changes.upserted, changes.removed)
        self._unsent = None
        return changes

    # actions: the panel's buttons and the Python API go through these -----------------------

    def move(self, name: str, device: str | None = None) -> actions.Outcome:
        """Move the tensor (or module) shown as ``name`` to ``device`` (default: the current device)."""
        outcome = self._act(actions.move, name, device)
        if self.flag.get("name") == name:
            self._set_flag(None)  # the flagged operation can run now
        return outcome

    def apply_fix(self, name: str, device: str | None = None) -> actions.Outcome:
        """Do what the guard's flag says: ``name = name.to(device)`` (a module moves whole)."""
        from tensor_inspector import unnamed

        release = functools.partial(unnamed.release, self.shell, "last error")
        outcome = self._act(actions.apply_fix, name, device, release)
        if self.flag.get("name") == name:
            self._set_flag(None)
        return outcome

    def backward(
        self, name: str, gradient=None, retain_graph: bool = False, trace: bool = False
    ) -> actions.Outcome:
        """Call ``backward()`` from ``name``; ``gradient`` is a tensor or the prompt's text.
        With ``trace=True`` the outcome's ``.trace`` is the graph with the gradient flowing
        into each node: the chain rule as numbers."""
        return self._act(actions.backward, name, gradient, retain_graph, trace)

    def stats(self, name: str) -> dict:
        """Statistics of a tensor's values (min, max, mean, std over finite values; nan,
        ±inf and zero counts; a 10-bin histogram), or per parameter of a module with its
        grad's norm. On request only: it reads values."""
        namespace = actions.Namespace(self.shell.user_ns, self.shell.user_ns_hidden)
        computed = actions.stats(namespace, name)
        found = namespace.get(name)
        if isinstance(found, torch.Tensor):  # its values were read: the row can show them
            row = self.tracker.reread(name, found)
            if row is not None:
                for panel in self.panels:
                    panel.send_changes([row], [])
        return computed

    def picture(
        self,
        name: str,
        of: str = "values",
        dims=None,
        at=None,
        window=None,
        max_side: int = 64,
        image: bool = False,
    ) -> dict:
        """A 2-D slice of ``name``'s values (or its grad's, ``of="grad"``) as plain data for
        a heatmap, or an RGB(A) image with ``image=True``: ``dims`` shown as rows and
        columns, ``at`` the index of every other dimension, ``window`` ``[r0, r1, c0, c1]``,
        at most ``max_side`` rows and columns (strided evenly). See picture.py. On request
        only: it reads values, in one transfer of what is shown."""
        from tensor_inspector.picture import picture_of

        namespace = actions.Namespace(self.shell.user_ns, self.shell.user_ns_hidden)
        options = {"dims": dims, "at": at, "window": window, "max_side": max_side}
        return picture_of(namespace.get(name), name, of, image=image, **options)

    def picture_version(self, name: str) -> str:
        """What a picture's ``version`` is compared to: metadata only, it reads no values."""
        from tensor_inspector.picture import version_of

        namespace = actions.Namespace(self.shell.user_ns, self.shell.user_ns_hidden)
        return version_of(namespace.get(name))

    def unnamed(self) -> list[dict]:
        """Tensors alive in the kernel that no name reaches, largest first: shape, dtype,
        device, nbytes (the storage, once) and held_by ("the output of cell 7 (Out[7], _)",
        "graph of losses[2]", ...). Plain data; asks the garbage collector, on request only."""
        from tensor_inspector import unnamed

        found = find_tensors(self.shell.user_ns, self.shell.user_ns_hidden).tensors.values()
        return unnamed.unnamed(self.shell, [(names[0], tensor) for tensor, names in found])

    def release(self, kind: str) -> str:
        """Drop what IPython keeps: "output history" (Out, _, _N) or "last error"."""
        from tensor_inspector import unnamed

        try:
            return unnamed.release(self.shell, kind)
        finally:
            self._after_cell()

    def graph(self, name: str, max_nodes: int = 200, expand=()) -> dict:
        """The autograd graph behind ``name``: plain data, holding no tensor."""
        namespace = actions.Namespace(self.shell.user_ns, self.shell.user_ns_hidden)
        return actions.graph(namespace, name, max_nodes, expand)  # it checks expand

    def zero_grad(self, name: str | None = None) -> actions.Outcome:
        """Set ``.grad = None`` on ``name``, on every parameter of a module, or on every leaf."""
        return self._act(actions.zero_grad, name)

    def _act(self, action, *args) -> actions.Outcome:
        namespace = actions.Namespace(self.shell.user_ns, self.shell.user_ns_hidden)
        try:
            return action(namespace, *args)
        finally:
            self._after_cell()

    # events --------------------------------------------------------------------------------

    def _set_flag(self, flag: dict | None) -> None:
        self.flag = flag or {}
        for panel in self.panels:
            panel.flag = self.flag

    def _before_cell(self, _info=None) -> None:
        self._cell_running = True
        self._refreshed_in_cell = False

    def _after_cell(self, result=None) -> None:
        try:
            if self.guard is not None and result is not None:
                self.guard.after_cell(result)
            # An action inside a running cell refreshes midway; each later refresh of that
            # cell (another action, the cell's end) continues the first.
            in_the_cell = result is not None or self._cell_running
            continues = _run_for_a_tool(result) or (self._refreshed_in_cell and in_the_cell)
            if result is not None:
                self._cell_running = self._refreshed_in_cell = False
            elif self._cell_running:
                self._refreshed_in_cell = True
            self.refresh(continues_last_cell=continues)
            if result is not None and (
                self.show_panel_after_next_cell
                or (_loads_this_extension(result) and not self.displayed_in_this_cell)
            ):
                # The first cell after loading at kernel start, or %load_ext run again (after
                # "Run All", say), which IPython answers without calling us: show a panel.
                self.show_panel_after_next_cell = False
                self.show(from_load_cell=True)
            self.displayed_in_this_cell = False
        except KeyboardInterrupt:  # interrupted mid-refresh: the next cell refreshes again
            self._report_text("refresh interrupted; it runs again after the next cell", "warning")
        except Exception as error:  # the user's cell must never fail because of the panel
            log.exception("refresh failed")
            self._report(error)

    def _report(self, error: BaseException) -> None:
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
        self._report_text(cut(f"tensor-inspector could not refresh: {text}"), "error")

    def _report_text(self, text: str, level: str) -> None:
        for panel in self.panels:
            panel.show_message(text, level=level)
