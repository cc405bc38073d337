"""The extension in a real IPython shell: load, track after each cell, unload."""

import gc
import subprocess
import sys

import psutil
import pytest

import tensor_inspector
from tests.conftest import rows_by_name, run


def test_importing_the_package_does_not_import_torch():
    code = "import sys, tensor_inspector; print('torch' in sys.modules, 'IPython' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"  # the server imports it: it must stay cheap


def test_load_ext_shows_a_panel_and_tracks_the_learners_tensors(ip):
    run(ip, "%load_ext tensor_inspector")
    inspector = tensor_inspector.current()
    assert len(inspector.panels) == 1
    run(ip, "import torch\nt1 = torch.ones([3, 5])")
    rows = rows_by_name(ip)
    assert rows["t1"]["shape"] == [3, 5]
    assert rows["t1"]["type"] == "torch.FloatTensor"
    assert rows["t1"]["status"] == "new"
    run(ip, "t5 = torch.tensor([1., 2, 3], requires_grad=True)\ny = (t5**2).sum()\ny.backward()")
    rows = rows_by_name(ip)
    assert rows["t1"]["status"] == ""
    assert rows["y"]["grad_fn"] == "SumBackward0"
    assert rows["t5"]["grad"]["preview"] == [2.0, 4.0, 6.0]


def test_current_without_the_extension_says_how_to_load_it(ip):
    with pytest.raises(RuntimeError, match="%load_ext tensor_inspector"):
        tensor_inspector.current()


def test_loading_twice_is_harmless(ip):
    run(ip, "%load_ext tensor_inspector")
    first = tensor_inspector.current()
    callbacks = len(ip.events.callbacks["post_run_cell"])
    run(ip, "%load_ext tensor_inspector")
    assert tensor_inspector.current() is first
    assert len(ip.events.callbacks["post_run_cell"]) == callbacks


def test_running_load_ext_again_shows_a_fresh_panel_and_closes_the_old_one(ip):
    run(ip, "%load_ext tensor_inspector")
    first = tensor_inspector.current().panel
    run(ip, "%ti")  # a second panel, further down: it stays
    second = tensor_inspector.current().panel
    for _ in range(20):  # "Run All" in a notebook that already loaded it
        run(ip, "%load_ext tensor_inspector")
    panels = tensor_inspector.current().panels
    assert len(panels) == 2 and panels[0] is second and panels[1] is not first
    assert first.comm is None and second.comm is not None
    run(ip, "x = 1")
    assert len(tensor_inspector.current().panels) == 2


def test_unload_closes_every_panel_so_load_cycles_leave_nothing(ip):
    panels = []
    for _ in range(50):
        run(ip, "%load_ext tensor_inspector")
        panels.append(tensor_inspector.current().panel)
        run(ip, "%unload_ext tensor_inspector")
    assert all(panel.comm is None for panel in panels)


def test_unload_removes_every_hook_and_magic(ip):
    before = {event: list(cbs) for event, cbs in ip.events.callbacks.items()}
    run(ip, "%load_ext tensor_inspector")
    assert "ti" in ip.magics_manager.magics["line"]
    run(ip, "%unload_ext tensor_inspector")
    assert {event: list(cbs) for event, cbs in ip.events.callbacks.items()} == before
    assert "ti" not in ip.magics_manager.magics["line"]
    assert "tensor_inspector" not in ip.magics_manager.magics["line"]
    with pytest.raises(RuntimeError):
        tensor_inspector.current()


def test_magic_shows_more_panels_that_stay_in_sync(ip):
    run(ip, "%load_ext tensor_inspector")
    run(ip, "%tensor_inspector")
    run(ip, "%ti")
    panels = tensor_inspector.current().panels
    assert len(panels) == 3
    sent = {id(p): [] for p in panels}
    for panel in panels:
        panel.send = lambda content, buffers=None, p=panel: sent[id(p)].append(content)
    run(ip, "import torch\nw = torch.zeros(4)")
    for messages in sent.values():
        assert [row["name"] for row in messages[-1]["upsert"]] == ["w"]


def test_ipython_output_history_does_not_make_rows(ip):
    run(ip, "%load_ext tensor_inspector")
    run(ip, "import torch\nt1 = torch.ones(2)")
    run(ip, "t1 * 2")  # displayed: IPython keeps it as _ and Out[N]
    assert set(rows_by_name(ip)) == {"t1"}


def test_del_frees_the_tensor_and_its_memory(ip):
    run(ip, "%load_ext tensor_inspector")
    run(
        ip, "import torch, weakref\nbig = torch.ones(64 * 1024 * 1024 // 4)\nref = weakref.ref(big)"
    )
    assert "big" in rows_by_name(ip)
    gc.collect()
    before = psutil.Process().memory_info().rss
    run(ip, "del big")
    gc.collect()
    assert ip.user_ns["ref"]() is None
    assert "big" not in rows_by_name(ip)
    assert psutil.Process().memory_info().rss < before - 32 * 1024 * 1024


def test_a_failing_refresh_is_shown_in_the_panel_not_raised(ip, monkeypatch):
    run(ip, "%load_ext tensor_inspector")
    inspector = tensor_inspector.current()

    def broken_scan(*args, **kwargs):
        raise RuntimeError("scanner exploded")

    monkeypatch.setattr(inspector.tracker, "scan", broken_scan)
    result = ip.run_cell("x = 1")
    assert result.success
    assert "scanner exploded" in inspector.panel.message["text"]


def test_a_user_cell_error_still_refreshes(ip):
    run(ip, "%load_ext tensor_inspector")
    result = ip.run_cell("import torch\nz = torch.zeros(3)\nraise ValueError('oops')")
    assert not result.success
    assert "z" in rows_by_name(ip)


def test_device_header_reports_the_accelerator(ip, sim_device):
    run(ip, "%load_ext tensor_inspector")
    run(ip, "import torch\nt2 = torch.ones(3, device='sim')")
    devices = tensor_inspector.current().panel.devices
    assert devices["available"] is True
    assert devices["type"] == "sim"
    assert devices["count"] == 1
    assert devices["devices"][0]["device"] == "sim:0"
    assert rows_by_name(ip)["t2"]["device"] == "sim:0"
    assert rows_by_name(ip)["t2"]["preview"] is None  # never copies accelerator values


def test_modules_show_parameters_by_dotted_path(ip):
    run(ip, "%load_ext tensor_inspector")
    run(ip, "import torch\nmodel = torch.nn.Sequential(torch.nn.Linear(4, 2))")
    rows = rows_by_name(ip)
    assert rows["model.0.weight"]["shape"] == [2, 4]
    assert rows["model.0.weight"]["requires_grad"] is True


def test_the_guard_mode_is_traitlets_config(ip):
    ip.config.TensorInspector.guard = "strict"  # as c.TensorInspector.guard in the profile
    run(ip, "%load_ext tensor_inspector")
    inspector = tensor_inspector.current()
    assert inspector.guard.mode == "strict"
    run(ip, "%config TensorInspector.guard = 'off'")
    assert inspector.guard.mode == "off"
    run(ip, "%ti guard warn")  # the magic, through its alias, sets the same setting
    assert inspector.settings.guard == "warn" and inspector.guard.mode == "warn"
    ip.run_cell("%config TensorInspector.guard = 'sometimes'")  # refused by the trait
    assert inspector.settings.guard == "warn" and inspector.guard.mode == "warn"


def test_errors_leave_a_trace_in_the_log_and_a_line_in_the_panel(ip, caplog, monkeypatch):
    run(ip, "%load_ext tensor_inspector")
    inspector = tensor_inspector.current()

    def broken(*args, **kwargs):
        raise RuntimeError("the scan broke")

    monkeypatch.setattr(inspector.tracker, "scan", broken)
    with caplog.at_level("ERROR", logger="tensor_inspector"):
        run(ip, "x = 1")  # the user's cell still succeeds
    record = next(r for r in caplog.records if r.name == "tensor_inspector")
    assert record.exc_info and "the scan broke" in str(record.exc_info[1])
    text = inspector.panel.message["text"]
    assert text == "tensor-inspector could not refresh: RuntimeError: the scan broke"


def test_an_interrupt_during_the_refresh_never_reaches_the_cell(ip, monkeypatch, capsys):
    run(ip, "%load_ext tensor_inspector")
    inspector = tensor_inspector.current()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(inspector.tracker, "scan", interrupted)
    result = run(ip, "x = 1")
    assert result.success
    captured = capsys.readouterr()
    assert "Error in callback" not in captured.out + captured.err
    assert inspector.panel.message["text"].startswith("refresh interrupted")
    monkeypatch.undo()
    run(ip, "import torch\nt = torch.ones(2)")  # the next cell refreshes again
    assert [row["name"] for row in inspector.rows] == ["t"]
