"""What a panel can ask the kernel: one small function per command.

A view calls a command with ``invoke`` (anywidget's commands) and gets the reply, alone:
``{"ok": True, "text": ..., "level": "info" | "warning"}`` or ``{"ok": False, "text": ...,
"level": "error"}``, plus any data the command returns. The message from the view is checked
field by field here before anything acts on it; every failure becomes a reply, never an
exception in the kernel. A new panel feature adds one function here, one ``@command`` on the
Panel, and one JS component that invokes it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from tensor_inspector.errors import ActionError, cut

if TYPE_CHECKING:
    from tensor_inspector.actions import Outcome
    from tensor_inspector.inspector import Inspector

log = logging.getLogger("tensor_inspector")


def snapshot(inspector: Inspector, _msg: dict) -> dict:
    """Every row, for a view that starts (or restarts after a page reload)."""
    return {"ok": True, "level": "info", "rows": inspector.snapshot_rows()}


def move(inspector: Inspector, msg: dict) -> dict:
    return _done(inspector.move(_name(msg), _device(msg)))


def apply_fix(inspector: Inspector, msg: dict) -> dict:
    return _done(inspector.apply_fix(_name(msg), _device(msg)))


def backward(inspector: Inspector, msg: dict) -> dict:
    gradient = msg.get("gradient")
    if gradient is not None and not isinstance(gradient, str):
        raise ActionError("The gradient must be text: ones, zeros, a number or a list.")
    trace = msg.get("trace", False)
    outcome = inspector.backward(_name(msg), gradient, msg.get("retain_graph", False), trace)
    reply = _done(outcome)
    if outcome.trace is not None:
        reply["graph"] = outcome.trace
    return reply


def graph(inspector: Inspector, msg: dict) -> dict:
    """The autograd graph behind a row, for the graph view."""
    drawn = inspector.graph(_name(msg), msg.get("max_nodes", 200), msg.get("expand", []))
    return {"ok": True, "level": "info", "graph": drawn}


def stats(inspector: Inspector, msg: dict) -> dict:
    """Statistics of a row's values, or of a module's parameters, for its details line."""
    return {"ok": True, "level": "info", "stats": inspector.stats(_name(msg))}


def picture(inspector: Inspector, msg: dict) -> dict:
    """A slice of a row's values (or its grad's) for the picture view; picture.py checks
    every field. With ``check``, only the tensor's version (metadata): has it changed?"""
    if msg.get("check") is True:
        return {"ok": True, "level": "info", "version": inspector.picture_version(_name(msg))}
    image = msg.get("image", False)
    if type(image) is not bool:
        raise ActionError("image must be true or false.")
    drawn = inspector.picture(
        _name(msg), msg.get("of", "values"), msg.get("dims"), msg.get("at"),
        msg.get("window"), msg.get("max_side", 64), image,
    )  # fmt: skip
    return {"ok": True, "level": "info", "picture": drawn}


def unnamed(inspector: Inspector, _msg: dict) -> dict:
    """Memory held without a name: the list, and its total per device."""
    from tensor_inspector.unnamed import totals

    entries = inspector.unnamed()
    return {"ok": True, "level": "info", "unnamed": entries[:50], "count": len(entries),
            "totals": totals(entries)}  # fmt: skip


def release(inspector: Inspector, msg: dict) -> dict:
    kind = msg.get("kind")
    if not isinstance(kind, str):
        raise ActionError('release takes "output history" or "last error".')
    return {"ok": True, "level": "info", "text": cut(inspector.release(kind))}


def zero_grad(inspector: Inspector, msg: dict) -> dict:
    return _done(inspector.zero_grad(_name(msg)))


def zero_grad_all(inspector: Inspector, _msg: dict) -> dict:
    """The header's explicit action: the one way to clear every grad."""
    return _done(inspector.zero_grad(None))


def dock(inspector: Inspector, msg: dict, panel) -> dict:
    """A view in a notebook page asks to dock its panel in the right sidebar; ``here`` says
    whether that page has one (VS Code and Colab do not)."""
    here = msg.get("here")
    if type(here) is not bool:
        raise ActionError("dock needs here: true or false.")
    return {"ok": True, "level": "info", "placement": inspector.dock.request(panel, here)}


COMMANDS: dict[str, Callable[[Inspector, dict], dict]] = {
    command.__name__: command
    for command in (
        snapshot,
        move,
        apply_fix,
        backward,
        graph,
        stats,
        picture,
        unnamed,
        release,
        zero_grad,
        zero_grad_all,
    )
}


# Commands about the panel that asks, not the notebook's tensors: (inspector, msg, panel).
PANEL_COMMANDS: dict[str, Callable[[Inspector, dict, object], dict]] = {"dock": dock}


def answer(inspector: Inspector, name: str, msg: object, panel=None) -> dict:
    """Run command ``name`` for a view of ``panel`` and return its reply."""
    if not isinstance(msg, dict):
        return _refused(f"The panel sent {cut(repr(msg), 60)} for {name}, not a request.")
    try:
        if name in PANEL_COMMANDS:
            return PANEL_COMMANDS[name](inspector, msg, panel)
        return COMMANDS[name](inspector, msg)
    except ActionError as error:
        return _refused(str(error))
    except MemoryError:
        return _refused(f"{name} needs more memory than is free; nothing was changed.")
    except Exception as error:  # a bug of ours must not take the kernel down
        log.exception("the panel's %s failed", name)
        return _refused(f"{name} failed: {type(error).__name__}: {error}")


def _done(outcome: Outcome) -> dict:
    level = "warning" if outcome.accumulated else "info"
    return {"ok": True, "text": cut(outcome.message), "level": level, "names": outcome.names}


def _refused(text: str) -> dict:
    return {"ok": False, "text": cut(text), "level": "error"}


def _name(msg: dict) -> str:
    name = msg.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ActionError("No tensor name was given: the action needs the name of a row.")
    return name


def _device(msg: dict) -> str | None:
    device = msg.get("device")
    if device is not None and not isinstance(device, str):
        raise ActionError("The device must be a name such as cuda:0 or cpu.")
    return device
