"""The notebook's own mistake, t1 + t2 across devices, flagged in a real JupyterLab 4."""

import pytest
from playwright.sync_api import expect

from tests.browser.lab import (
    PRELUDE,
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
    root = notebook_root(tmp_path_factory, ["guard.ipynb"], prelude=PRELUDE)
    server = start_server("jupyterlab", root, tmp_path_factory)
    yield server
    server.stop()


def test_t1_plus_t2_is_flagged_fixed_from_the_flag_and_runs_again(lab, page):
    open_notebook(page, lab, "guard.ipynb")
    run_all_cells(page)
    panel = page.locator(".tensor-inspector").first
    panel.locator('[data-tensor="z"] [data-field="grad_fn"]').wait_for(timeout=120_000)
    wait_until_idle(page)

    cell = "marker = 'ran'\nt1 + t2"
    output = run_cell_source(page, cell)
    wait_until_idle(page)
    flag = panel.locator('[data-role="flag"]')
    expect(flag).to_contain_text("t2 is on sim:0, t1 is on cpu")
    expect(flag).to_contain_text('t1 = t1.to("sim:0")')
    expect(output).to_contain_text("CrossDeviceError")
    expect(output).to_contain_text("line 2: t1 + t2")
    output = run_cell_source(page, "print('marker' in globals())")
    wait_until_idle(page)
    expect(output).to_have_text("False")  # the cell's first line did not run
    flag.scroll_into_view_if_needed()
    copy_to_docs(screenshot(page, "guard-flag"), "guard-flag.png")

    flag.locator('button[data-action="move"]').click()
    expect(panel.locator('[data-tensor="t1"] [data-field="device"]')).to_have_text("sim:0")
    expect(flag).to_be_hidden()

    output = run_cell_source(page, cell + "\nprint(marker, (t1 + t2).device)")
    wait_until_idle(page)
    expect(output).to_contain_text("ran sim:0")
    assert page.errors == []
