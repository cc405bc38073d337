"""The live panel in a real JupyterLab 4, in real Chromium."""

import pytest
from playwright.sync_api import expect

from tests.browser.lab import (
    copy_to_docs,
    notebook_root,
    open_notebook,
    run_all_cells,
    run_cell_source,
    screenshot,
    start_server,
    wait_until_idle,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server = start_server(
        "jupyterlab",
        notebook_root(
            tmp_path_factory, ["fill.ipynb", "update.ipynb", "restart.ipynb"], accelerator=False
        ),
        tmp_path_factory,
    )
    yield server
    server.stop()


def field(panel, tensor: str, name: str):
    return panel.locator(f'[data-tensor="{tensor}"] [data-field="{name}"]')


def test_running_the_example_fills_the_panel(lab, page):
    open_notebook(page, lab, "fill.ipynb")
    run_all_cells(page)
    panel = page.locator(".tensor-inspector").first
    grad = field(panel, "t5", "grad")
    grad.wait_for(timeout=120_000)
    wait_until_idle(page)
    assert field(panel, "t1", "shape").inner_text() == "[3, 5]"
    assert field(panel, "t1", "dtype").inner_text() == "float32"
    assert field(panel, "t1", "device").inner_text() == "cpu"
    assert field(panel, "stacked", "shape").inner_text() == "[2, 3, 5]"
    assert field(panel, "flat", "shape").inner_text() == "[15]"
    assert field(panel, "t5", "requires_grad").inner_text() == "True"
    assert field(panel, "y2", "grad_fn").inner_text() == "PowBackward0"
    assert field(panel, "z", "grad_fn").inner_text() == "MulBackward0"
    assert grad.inner_text() == "[6., 12., 18.]"
    assert "No accelerator" in panel.locator('[data-role="devices"]').inner_text()
    # Nowhere to move to: no move button, and no device menu; the header says why.
    expect(panel.locator('button[data-action="move"]')).to_have_count(0)
    expect(panel.locator('select[name="device"]')).to_be_hidden()
    # t1 is also held by t2 (t2 = t1.to("cpu") returns t1 itself).
    expect(panel.locator('[data-tensor="t1"] [data-role="aliases"]')).to_have_text(" (also t2)")
    panel.scroll_into_view_if_needed()
    copy_to_docs(screenshot(page, "jupyterlab-panel"), "panel.png")
    assert page.errors == []


def test_a_new_cell_updates_only_its_row(lab, page):
    open_notebook(page, lab, "update.ipynb")
    run_all_cells(page)
    panel = page.locator(".tensor-inspector").first
    field(panel, "z", "grad_fn").wait_for(timeout=120_000)
    wait_until_idle(page)
    run_cell_source(page, "with torch.no_grad():\n    t1.mul_(4)\ndel flat")
    wait_until_idle(page)
    row = panel.locator('[data-tensor="t1"]')
    row.and_(panel.locator('[data-status="changed"]')).wait_for(timeout=30_000)
    assert panel.locator('[data-tensor="flat"]').count() == 0
    assert panel.locator('[data-tensor="stacked"]').get_attribute("data-status") == ""
    assert page.errors == []


def test_after_a_kernel_restart_the_panel_says_its_kernel_is_gone(lab, page):
    open_notebook(page, lab, "restart.ipynb")
    run_all_cells(page)
    panel = page.locator(".tensor-inspector").first
    field(panel, "z", "grad_fn").wait_for(timeout=120_000)
    wait_until_idle(page)
    page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()"
    )
    wait_until_idle(page)
    notice = panel.locator('[data-role="kernel-gone"]')
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("This panel's kernel has stopped (restarted or shut down)")
    expect(panel).to_have_attribute("data-kernel", "gone")
    # Its buttons would only fail: they take no clicks (the values are out of date).
    zero_all = panel.locator('button[data-action="zero-grad"][data-scope="all"]')
    assert zero_all.evaluate("(node) => getComputedStyle(node).pointerEvents") == "none"
    assert page.errors == []  # no uncaught "Cannot send"
