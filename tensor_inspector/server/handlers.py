"""The overview page and its JSON API. Both need the server's token (403 without it) and the
right to run code in kernels, since asking a kernel what it holds runs a silent expression."""

from __future__ import annotations

import json

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerJinjaMixin, ExtensionHandlerMixin
from tornado import web

from tensor_inspector.server.gather import gather
from tensor_inspector.strict_json import strict

AUTH_RESOURCE = "kernels"


class KernelsApiHandler(ExtensionHandlerMixin, APIHandler):
    auth_resource = AUTH_RESOURCE

    @web.authenticated
    @authorized("execute")
    async def get(self) -> None:
        kernels = await gather(self.serverapp, self.log)
        self.finish(json.dumps({"kernels": strict(kernels)}, allow_nan=False))


class OverviewPageHandler(ExtensionHandlerJinjaMixin, ExtensionHandlerMixin, APIHandler):
    # An APIHandler answers 403 rather than redirecting to a login page.
    auth_resource = AUTH_RESOURCE

    @property
    def content_security_policy(self) -> str:
        # The page's only extra is its inline stylesheet: no scripts, no outside content.
        return "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"

    @web.authenticated
    @authorized("execute")
    async def get(self) -> None:
        kernels = [safe_page_row(kernel) for kernel in await gather(self.serverapp, self.log)]
        html = self.render_template("overview.html", kernels=kernels)
        self.finish(html, set_content_type="text/html; charset=UTF-8")


def safe_page_row(kernel: dict) -> dict:
    """The page's row of one kernel; an answer of an unexpected shape (a kernel with
    another version, say) gives that kernel an "unreadable answer" row, and the page lives."""
    try:
        return page_row(kernel)
    except Exception:
        return {
            "id": str(kernel.get("id")), "path": str(kernel.get("path") or ""),
            "state": str(kernel.get("state")), "name": str(kernel.get("name")),
            "tensors": "unreadable answer", "memory": "", "largest": [],
            "error": "unreadable answer",
        }  # fmt: skip


def page_row(kernel: dict) -> dict:
    """What the page shows of one kernel, as plain text (the template escapes it)."""
    info = kernel.get("inspector") or {}
    row = {
        "id": kernel.get("id"),
        "path": kernel.get("path"),
        "state": kernel.get("state"),
        "name": kernel.get("name"),
        "tensors": "",
        "memory": "",
        "largest": [],
        "error": kernel.get("error") or info.get("error"),
    }
    if row["error"]:
        row["tensors"] = f"could not ask the kernel: {row['error']}"
    elif kernel.get("state") == "busy" and not info:
        row["tensors"] = "busy: asked again on reload"
    elif not info.get("loaded"):
        row["tensors"] = "tensor-inspector not loaded"
    else:
        row["tensors"] = f"{info.get('tensors')} tensors"
        row["memory"] = _memory(info.get("devices") or {}, info.get("held") or {})
        changes = info.get("last_cell") or {}
        if changes:
            last = ", ".join(f"{device} {_signed(change)}" for device, change in changes.items())
            row["memory"] += f"; last cell: {last}"
        row["largest"] = [
            f"{t.get('name')} {t.get('shape')} {t.get('device')} {_bytes(t.get('bytes'))}"
            for t in info.get("largest", [])
        ]
    return row


def _bytes(count: int | None) -> str:
    if count is None:
        return ""
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return ""


def _signed(count: int) -> str:
    return ("+" if count >= 0 else "-") + _bytes(abs(count))


def _memory(devices: dict, held: dict) -> str:
    """Per accelerator device: its allocator's figure, or, where the allocator does not
    report (a device not used yet, or one without a memory API), what its tensors hold."""
    if not devices.get("available"):
        return "cpu only"
    parts = []
    for device in devices.get("devices", []):
        name = device.get("device")
        allocated = device.get("memory_allocated")
        in_tensors = held.get(name) if isinstance(held, dict) else None
        if allocated is not None:
            parts.append(f"{name}: {_bytes(allocated)} allocated")
        elif isinstance(in_tensors, int) and in_tensors > 0:
            parts.append(f"{name}: {_bytes(in_tensors)} in tensors")
        else:
            parts.append(f"{name}: no tensors")
    return "; ".join(parts)
