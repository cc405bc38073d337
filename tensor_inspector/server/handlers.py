"""The overview page and its JSON API. Both need the server's token (403 without it)."""

from __future__ import annotations

import html
import json

from jupyter_server.base.handlers import APIHandler
from tornado import web

from tensor_inspector.server.gather import gather


class KernelsApiHandler(APIHandler):
    @web.authenticated
    async def get(self) -> None:
        self.finish(json.dumps({"kernels": await gather(self.serverapp)}))


class OverviewPageHandler(APIHandler):
    # An APIHandler answers 403 rather than redirecting to a login page.

    @property
    def content_security_policy(self) -> str:
        # The page's only extra is its inline stylesheet: no scripts, no outside content.
        return "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"

    @web.authenticated
    async def get(self) -> None:
        kernels = await gather(self.serverapp)
        self.finish(render_page(kernels), set_content_type="text/html; charset=UTF-8")


def _bytes(count: int | None) -> str:
    if count is None:
        return ""
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return ""


def _memory(devices: dict) -> str:
    if not devices or not devices.get("available"):
        return "cpu only"
    parts = []
    for device in devices.get("devices", []):
        allocated = device.get("memory_allocated")
        parts.append(
            f"{device['device']}: {_bytes(allocated) if allocated is not None else 'not in use'}"
        )
    return "; ".join(parts)


def _holding(kernel: dict) -> tuple[str, str, str]:
    """(tensors, memory, largest) cells of one kernel."""
    info = kernel.get("inspector") or {}
    error = kernel.get("error") or info.get("error")
    if error:
        return f"could not ask the kernel: {error}", "", ""
    if kernel.get("state") == "busy" and not info:
        return "busy: asked again on reload", "", ""
    if not info.get("loaded"):
        return "tensor-inspector not loaded", "", ""
    largest = "".join(
        f"<li>{html.escape(str(t.get('name')))} {html.escape(str(t.get('shape')))} "
        f"{html.escape(str(t.get('device')))} {_bytes(t.get('bytes'))}</li>"
        for t in info.get("largest", [])
    )
    return (
        f"{info['tensors']} tensors",
        html.escape(_memory(info["devices"])),
        f"<ul>{largest}</ul>",
    )


def render_page(kernels: list[dict]) -> str:
    rows = []
    for kernel in kernels:
        tensors, memory, largest = _holding(kernel)
        rows.append(
            f'<tr data-kernel="{html.escape(kernel["id"])}">'
            f'<td data-field="path">{html.escape(kernel.get("path") or "(no notebook)")}</td>'
            f'<td data-field="state">{html.escape(str(kernel.get("state")))}</td>'
            f'<td data-field="kernel">{html.escape(str(kernel.get("name")))}</td>'
            f'<td data-field="tensors">{html.escape(tensors)}</td>'
            f'<td data-field="memory">{memory}</td>'
            f'<td data-field="largest">{largest}</td></tr>'
        )
    body = "\n".join(rows) or '<tr><td colspan="6">No kernel is running.</td></tr>'
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>tensor-inspector: kernels</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; }}
th, td {{ text-align: left; padding: 6px 16px 6px 0; border-bottom: 1px solid #ddd; vertical-align: top; }}
td[data-field="largest"], td[data-field="memory"] {{ font-family: monospace; }}
ul {{ margin: 0; padding-left: 1em; }}
</style></head>
<body class="tensor-inspector-overview">
<h1>Which notebook holds my GPU memory?</h1>
<p>Every running kernel; for those with tensor-inspector loaded, the memory allocated per
device, the number of tensors and the largest ones. Reload the page to ask again.</p>
<table><thead><tr><th>notebook</th><th>state</th><th>kernel</th><th>tensors</th>
<th>memory per device</th><th>largest tensors</th></tr></thead>
<tbody>
{body}
</tbody></table>
</body></html>
"""
