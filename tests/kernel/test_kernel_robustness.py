"""A real kernel keeps answering, and keeps nothing behind: strict JSON over the wire,
a reply to every request, and no comm or magics left by re-runs and reloads."""

from __future__ import annotations

import json
import queue
import time

from tests.kernel.test_kernel_panel import frontend  # noqa: F401 (the fixture)


def execute_in_cell(frontend, code: str, cell_id: str) -> None:  # noqa: F811
    """Run ``code`` as JupyterLab runs a cell: its request names the cell (cellId)."""
    kc = frontend.kc
    message = kc.session.msg(
        "execute_request",
        {"code": code, "silent": False, "store_history": True, "user_expressions": {},
         "allow_stdin": False, "stop_on_error": True},
        metadata={"cellId": cell_id},
    )  # fmt: skip
    kc.shell_channel.send(message)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != message["header"]["msg_id"]:
            continue
        if msg["msg_type"] == "error":
            raise AssertionError("\n".join(msg["content"]["traceback"]))
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return
    raise AssertionError(f"no end to {code!r}")


COUNT = (
    "import ipywidgets, tensor_inspector\n"
    "from tensor_inspector.panel import Panel\n"
    "live = [w for w in ipywidgets.widgets.widget._instances.values()]\n"
    "print(json.dumps({'panels': sum(isinstance(w, Panel) for w in live),\n"
    "  'layouts': sum(type(w).__name__ == 'Layout' for w in live),\n"
    "  'magics': sum(type(c).__name__ == 'InspectorMagics' for c in get_ipython().configurables),\n"
    "  'in_inspector': len(tensor_inspector.current().panels)}))"
)


def counts(frontend) -> dict:  # noqa: F811
    return json.loads(frontend.printed("import json\n" + COUNT).strip().splitlines()[-1])


def test_re_runs_and_reloads_leave_no_panel_comm_or_magics_behind(frontend):  # noqa: F811
    for _ in range(5):
        execute_in_cell(frontend, "%load_ext tensor_inspector", "load-cell")
    for _ in range(3):
        execute_in_cell(frontend, "%tensor_inspector", "show-cell")
    assert counts(frontend) == {"panels": 2, "layouts": 2, "magics": 1, "in_inspector": 2}
    for _ in range(3):
        execute_in_cell(frontend, "%reload_ext tensor_inspector", "reload-cell")
    found = counts(frontend)
    assert found["magics"] == 1 and found["panels"] == found["layouts"] == found["in_inspector"]


def send_raw(frontend, content: dict) -> list[dict]:  # noqa: F811
    """Send a custom message to the panel's comm; return the responses that come back."""
    kc = frontend.kc
    message = kc.session.msg(
        "comm_msg",
        {"comm_id": frontend.comm_id, "data": {"method": "custom", "content": content}},
    )
    kc.shell_channel.send(message)
    responses, deadline = [], time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=0.5)
        except queue.Empty:
            if responses:
                return responses
            continue
        for custom in frontend.custom_messages([msg]):
            if custom.get("kind") == "anywidget-command-response":
                responses.append(custom)
    return responses


def test_unknown_commands_and_envelopes_without_an_id_are_answered(frontend):  # noqa: F811
    frontend.execute("%load_ext tensor_inspector")
    unknown = send_raw(
        frontend, {"kind": "anywidget-command", "id": "u1", "name": "format_disk", "msg": {}}
    )
    assert unknown[0]["id"] == "u1" and unknown[0]["response"]["ok"] is False
    assert "no command" in unknown[0]["response"]["text"]
    no_id = send_raw(frontend, {"kind": "anywidget-command", "name": "snapshot", "msg": {}})
    assert no_id[0]["id"] is None and no_id[0]["response"]["ok"] is False
    reply, _ = frontend.invoke("snapshot")  # the panel still answers
    assert reply["ok"]


def test_non_finite_statistics_cross_the_wire_as_strings(frontend):  # noqa: F811
    frontend.execute("%load_ext tensor_inspector")
    frontend.execute(
        "import torch\next = torch.tensor([1e200, -1e200, 3.0], dtype=torch.float64)\n"
        "bad = torch.tensor([float('nan'), float('inf'), 1.0])"
    )
    reply, _ = frontend.invoke("stats", {"name": "bad"})
    assert reply["stats"]["nan"] == 1 and reply["stats"]["posinf"] == 1
    reply, _ = frontend.invoke("stats", {"name": "ext"})
    assert reply["stats"]["std"] == 1e200  # it fits in float64: scaled, never inf
    frontend.execute("w = torch.full((3,), float('inf'))")
    snapshot, _ = frontend.invoke("snapshot")
    rows = {row["name"]: row for row in snapshot["rows"]}
    assert rows["w"]["preview"] == ["inf", "inf", "inf"]
