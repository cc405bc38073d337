"""The panel over a real kernel's comm channel, acting as the front end does."""

from __future__ import annotations

import queue
import time
import uuid
from contextlib import contextmanager

import pytest
from jupyter_client.manager import start_new_kernel


class FrontEnd:
    """The few things a Jupyter front end does with the panel's comm."""

    def __init__(self, kc):
        self.kc = kc
        self.comm_id: str | None = None
        self.state: dict = {}

    def execute(self, code: str, timeout: float = 60) -> list[dict]:
        """Run a cell; return the iopub messages it caused, failing on a cell error."""
        msg_id = self.kc.execute(code)
        messages = []
        deadline = time.monotonic() + timeout
        while True:
            msg = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            messages.append(msg)
            kind, content = msg["msg_type"], msg["content"]
            if kind == "error":
                raise AssertionError("\n".join(content["traceback"]))
            if kind == "comm_open" and content["data"]["state"].get("_model_name") == "AnyModel":
                self.comm_id = content["comm_id"]
                self.state = content["data"]["state"]
            if kind == "status" and content["execution_state"] == "idle":
                return messages

    def printed(self, code: str) -> str:
        """What a cell prints to stdout."""
        messages = self.execute(code)
        return "".join(m["content"].get("text", "") for m in messages if m["msg_type"] == "stream")

    def custom_messages(self, messages: list[dict]) -> list[dict]:
        return [
            m["content"]["data"]["content"]
            for m in messages
            if m["msg_type"] == "comm_msg"
            and m["content"]["comm_id"] == self.comm_id
            and m["content"]["data"].get("method") == "custom"
        ]

    def invoke(self, name: str, msg: dict | None = None) -> tuple[dict, list[dict]]:
        """Call a panel command as the widget's JS does (anywidget's ``invoke``): return the
        reply with this call's id, and the broadcasts that came with it."""
        call_id = uuid.uuid4().hex
        content = {"kind": "anywidget-command", "id": call_id, "name": name, "msg": msg or {}}
        message = self.kc.session.msg(
            "comm_msg", {"comm_id": self.comm_id, "data": {"method": "custom", "content": content}}
        )
        self.kc.shell_channel.send(message)
        reply, broadcasts = None, []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                message = self.kc.get_iopub_msg(timeout=0.5)
            except queue.Empty:
                if reply is not None:
                    return reply, broadcasts
                continue
            for custom in self.custom_messages([message]):
                if custom.get("kind") == "anywidget-command-response":
                    if custom["id"] == call_id:
                        reply = custom["response"]
                else:
                    broadcasts.append(custom)
        raise AssertionError(f"no reply to {name}")


@contextmanager
def running_kernel(kernel_name: str = "python3"):
    # A loaded CI machine can take well over a minute to start a kernel that imports torch.
    km, kc = start_new_kernel(kernel_name=kernel_name, startup_timeout=180)
    try:
        yield FrontEnd(kc)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@pytest.fixture
def frontend():
    with running_kernel() as running:
        yield running


def test_panel_opens_in_the_kernel_and_answers_a_snapshot(frontend):
    frontend.execute("import torch\nt1 = torch.ones([3, 5])")
    frontend.execute("%load_ext tensor_inspector")
    assert frontend.comm_id is not None
    assert frontend.state["devices"]["available"] is False
    reply, _ = frontend.invoke("snapshot")
    rows = {row["name"]: row for row in reply["rows"]}
    assert rows["t1"]["shape"] == [3, 5]
    assert rows["t1"]["type"] == "torch.FloatTensor"


def test_one_changed_tensor_sends_one_row_not_the_table(frontend):
    frontend.execute("%load_ext tensor_inspector")
    frontend.execute(
        "import torch\nts = {i: torch.zeros(2) for i in range(50)}\nfor i, t in ts.items(): globals()[f't{i}'] = t"
    )
    frontend.execute("pass")  # statuses settle from 'new' to ''
    messages = frontend.execute("t7.add_(1);")
    changes = [m for m in frontend.custom_messages(messages) if m["kind"] == "changes"]
    assert len(changes) == 1
    assert [row["name"] for row in changes[0]["upsert"]] == ["t7"]
    assert changes[0]["upsert"][0]["preview"] == [1.0, 1.0]
    assert changes[0]["upsert"][0]["status"] == "changed"


def test_deleted_tensor_is_removed_from_the_panel(frontend):
    frontend.execute("%load_ext tensor_inspector")
    frontend.execute("import torch\ngone = torch.zeros(2)")
    messages = frontend.execute("del gone")
    changes = [m for m in frontend.custom_messages(messages) if m["kind"] == "changes"]
    assert changes[-1]["remove"] == ["gone"]


def test_without_an_accelerator_a_move_names_the_devices_that_exist(frontend):
    frontend.execute("%load_ext tensor_inspector")
    frontend.execute("import torch\nt1 = torch.ones(3)")
    assert frontend.state["devices"]["targets"] == ["cpu"]
    reply, _ = frontend.invoke("move", {"name": "t1"})
    assert reply["ok"] is False
    assert "no accelerator" in reply["text"]
    assert "the devices that exist are cpu" in reply["text"]
    assert frontend.printed("print(t1.device)").strip() == "cpu"


def test_the_panel_runs_backward_with_the_typed_gradient(frontend):
    frontend.execute("%load_ext tensor_inspector")
    frontend.execute("import torch\nt5 = torch.tensor([1., 2, 3], requires_grad=True)\ny2 = t5**2")
    reply, broadcasts = frontend.invoke("backward", {"name": "y2", "gradient": "[1, 1, 1]"})
    assert reply["ok"] is True and "filled the grads of t5" in reply["text"]
    changed = {
        row["name"]: row for r in broadcasts if r["kind"] == "changes" for row in r["upsert"]
    }
    assert changed["t5"]["grad"]["preview"] == [2.0, 4.0, 6.0]


def test_without_an_accelerator_the_guard_pushes_no_mode(frontend):
    frontend.execute("%load_ext tensor_inspector")
    printed = frontend.printed(
        "import torch\nprint(len(torch.overrides._get_current_function_mode_stack()))"
    )
    assert printed.strip() == "0"


def test_the_tensor_inspector_kernel_needs_no_load_ext():
    with running_kernel("python3-tensor-inspector") as frontend:
        messages = frontend.execute("import torch\nt1 = torch.ones(3)")
        assert frontend.comm_id is not None  # the first cell shows the panel
        assert any(m["msg_type"] == "display_data" for m in messages)
        printed = frontend.printed(
            "import tensor_inspector\nprint([r['name'] for r in tensor_inspector.current().rows])"
        )
        assert printed.strip() == "['t1']"


def test_a_kernel_started_with_the_profile_enabled_loads_it(tmp_path, monkeypatch):
    profile = tmp_path / "profile_default"
    profile.mkdir()
    from tensor_inspector.profile import enable

    enable(profile)
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path))
    with running_kernel() as frontend:
        printed = frontend.printed(
            "import tensor_inspector\nprint(tensor_inspector.current() is not None)"
        )
        assert printed.strip() == "True"
