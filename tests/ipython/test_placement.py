"""Where the panel shows: `%tensor_inspector side|inline`, the c.TensorInspector.where
setting, and the notes a front end that cannot dock gets (the docking itself is in
tests/browser/test_side_panel.py)."""

import sys

import pytest
from IPython.core.error import UsageError
from traitlets.config import Config

from tests.conftest import invoke, run


def test_side_asks_the_new_panels_view_to_dock_it(ip, inspector):
    assert inspector.settings.where == "inline"
    assert inspector.panel.placement == {"state": "inline"}
    run(ip, "%tensor_inspector side")
    assert inspector.settings.where == "side"
    assert inspector.panel.placement["state"] == "asked"
    run(ip, "%ti inline")
    assert inspector.settings.where == "inline"
    assert inspector.panel.placement == {"state": "inline"}


def test_a_front_end_without_a_sidebar_keeps_the_panel_inline_with_a_note(ip, inspector):
    run(ip, "%tensor_inspector side")
    reply = invoke(inspector.panel, "dock", {"here": False})
    assert reply["ok"]
    assert inspector.panel.placement["state"] == "unsupported"
    assert "no side panel" in inspector.panel.placement["note"]
    assert "Create New View for Cell Output" in inspector.panel.placement["note"]


def test_a_notebook_page_gets_the_panel_docked_through_ipylab(ip, inspector):
    run(ip, "%tensor_inspector side")
    panel = inspector.panel
    reply = invoke(panel, "dock", {"here": True})
    assert reply["ok"] and reply["placement"]["state"] == "docking"
    assert inspector.dock.box.children == (panel,)
    assert inspector.dock.box.title.label == "Tensors"
    # Asked again (a second view, a page reload): still one box for the one panel.
    box = inspector.dock.box
    assert invoke(panel, "dock", {"here": True})["ok"]
    assert inspector.dock.box is box


def test_without_ipylab_the_panel_stays_inline_and_says_why(ip, inspector, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipylab", None)  # what a missing package looks like
    run(ip, "%tensor_inspector side")
    assert invoke(inspector.panel, "dock", {"here": True})["ok"]
    assert inspector.panel.placement["state"] == "unsupported"
    assert "pip install ipylab" in inspector.panel.placement["note"]


@pytest.mark.parametrize("here", [None, "yes", 1, []])
def test_a_malformed_dock_request_is_refused_and_changes_nothing(ip, inspector, here):
    run(ip, "%tensor_inspector side")
    reply = invoke(inspector.panel, "dock", {"here": here})
    assert not reply["ok"] and "here" in reply["text"]
    assert inspector.panel.placement["state"] == "asked"
    assert inspector.dock.box is None


def test_the_profile_setting_docks_the_panel_the_extension_shows(ip):
    import tensor_inspector

    ip.config = Config({"TensorInspector": {"where": "side"}})
    run(ip, "%load_ext tensor_inspector")
    inspector = tensor_inspector.current()
    assert inspector.settings.where == "side"
    assert inspector.panel.placement["state"] == "asked"


def test_an_unknown_place_is_a_usage_error(ip, inspector):
    with pytest.raises(UsageError):
        ip.run_line_magic("tensor_inspector", "sideways")
    assert inspector.settings.where == "inline"


def test_unloading_takes_the_panel_out_of_the_sidebar(ip, inspector):
    run(ip, "%tensor_inspector side")
    assert invoke(inspector.panel, "dock", {"here": True})["ok"]
    box, app = inspector.dock.box, inspector.dock.app
    run(ip, "%unload_ext tensor_inspector")
    assert box.comm is None  # closed: the front end removes its view
    assert app.comm is None and app.shell.comm is None
    assert inspector.dock.box is None


@pytest.mark.parametrize("here", [True, False])
def test_a_panel_shown_inline_cannot_be_docked_by_its_view(ip, inspector, here):
    panel = inspector.panel
    reply = invoke(panel, "dock", {"here": here})
    assert not reply["ok"] and "%tensor_inspector side" in reply["text"]
    assert panel.placement == {"state": "inline"}
    assert inspector.dock.box is None and inspector.dock.app is None


def test_a_docked_panel_asks_again_after_a_page_reload(ip, inspector):
    run(ip, "%tensor_inspector side")
    panel = inspector.panel
    assert invoke(panel, "dock", {"here": True})["ok"]
    panel.placement = {"state": "side", "note": ""}  # what ipylab's report of the tab sets
    assert invoke(panel, "dock", {"here": True})["ok"]
    assert inspector.dock.box.children == (panel,)


def test_inline_after_side_takes_the_panel_out_of_the_sidebar(ip, inspector):
    run(ip, "%tensor_inspector side")
    docked = inspector.panel
    assert invoke(docked, "dock", {"here": True})["ok"]
    box = inspector.dock.box
    run(ip, "%tensor_inspector inline")
    assert box.comm is None  # closed: the front end removes the sidebar tab
    assert inspector.dock.box is None
    assert docked.placement == {"state": "inline", "note": ""}  # back in its own cell, whole
    assert inspector.panel is not docked and inspector.panel.placement == {"state": "inline"}


def test_a_docked_panel_names_its_sidebar_box_for_a_restart_to_close(ip, inspector):
    """After a kernel restart the new panel's view closes the old box by this id."""
    run(ip, "%tensor_inspector side")
    panel = inspector.panel
    assert invoke(panel, "dock", {"here": True})["ok"]
    box = inspector.dock.box
    # What ipylab's front end reports once the box is in the right area.
    shell = inspector.dock.app.shell
    report = [{"id": "tensors-tab", "serializedWidget": f"IPY_MODEL_{box.model_id}"}]
    shell.set_trait("_widgets", report)
    assert panel.placement == {"state": "side", "note": "", "box": box.model_id}
