"""The panel docked beside the code: `%tensor_inspector side` in JupyterLab 4 and Notebook 7
(ipylab places it), in view at the end of a long notebook, and updated by its last cell."""

import nbformat
import pytest
from playwright.sync_api import expect

from tests.browser.lab import (
    PRELUDE,
    copy_to_docs,
    open_notebook,
    overflowing,
    run_all_cells,
    run_cell_source,
    screenshot,
    start_server,
    unreachable_buttons,
    wait_until_idle,
)

pytestmark = pytest.mark.browser

CELLS = 60


def long_notebook(path) -> None:
    """60 cells: load, dock, 56 cells of work, and a last cell that makes a new tensor."""
    cells = [PRELUDE + "\nimport torch\n%load_ext tensor_inspector", "%tensor_inspector side"]
    cells += [f"x{i} = torch.full((2,), {i}.0)" for i in range(CELLS - 3)]
    cells.append("last = torch.arange(4.0, requires_grad=True)")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, path)


def short_notebook(path) -> None:
    """Load, dock, one tensor: a notebook to restart and undock."""
    cells = [PRELUDE + "\nimport torch\n%load_ext tensor_inspector", "%tensor_inspector side"]
    cells.append("last = torch.arange(4.0)")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, path)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    folder = tmp_path_factory.mktemp("side")
    long_notebook(folder / "long.ipynb")
    short_notebook(folder / "restart.ipynb")
    short_notebook(folder / "undock.ipynb")
    return folder


TENSORS_TABS = "#jp-right-stack .tensor-inspector"


def run_and_dock(page, server, path: str):
    open_notebook(page, server, path)
    run_all_cells(page)
    docked = page.locator(TENSORS_TABS)
    docked.locator('[data-tensor="last"]').wait_for(timeout=120_000)
    wait_until_idle(page)
    return docked


def in_viewport(locator) -> bool:
    return locator.evaluate(
        """(node) => {
          const box = node.getBoundingClientRect();
          return box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0
            && box.bottom <= window.innerHeight + 1 && box.right <= window.innerWidth + 1;
        }"""
    )


def scroll_to_last_cell(page) -> None:
    last = page.locator(".jp-Notebook .jp-Cell").last
    last.scroll_into_view_if_needed()
    expect(last).to_be_in_viewport()


@pytest.mark.parametrize("app", ["jupyterlab", "notebook"])
def test_side_docks_the_panel_in_view_of_the_last_cell(app, root, tmp_path_factory, page):
    server = start_server(app, root, tmp_path_factory)
    try:
        open_notebook(page, server, "long.ipynb")
        run_all_cells(page)
        docked = page.locator("#jp-right-stack .tensor-inspector")
        row = docked.locator('[data-tensor="last"]')
        row.wait_for(timeout=120_000)
        wait_until_idle(page)
        scroll_to_last_cell(page)
        assert in_viewport(docked.locator('[data-tensor="last"] [data-field="name"]'))
        expect(docked.locator('[data-tensor="last"] [data-field="shape"]')).to_have_text("[4]")
        # The cell that docked it keeps a line that says where the panel went.
        note = page.locator('.jp-Notebook .tensor-inspector [data-role="placement"]')
        expect(note.filter(has_text="docked in the right sidebar")).to_have_count(1)
        expect(page.locator('.jp-Notebook .tensor-inspector[data-folded="true"]')).to_have_count(1)

        # Still the last cell in view: run it again with a change, and the docked panel follows.
        last = page.locator(".jp-Notebook .jp-Cell").last
        last.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Control+a")
        page.keyboard.type("last = torch.arange(6.0)")
        page.keyboard.press("Shift+Enter")
        wait_until_idle(page)
        expect(docked.locator('[data-tensor="last"] [data-field="shape"]')).to_have_text("[6]")
        assert in_viewport(docked.locator('[data-tensor="last"] [data-field="name"]'))
        name = "docked-panel" if app == "jupyterlab" else "docked-panel-notebook7"
        copy_to_docs(screenshot(page, name), f"{name}.png")

        # The sidebar is narrow (250-311 px): rows wrap, nothing sticks out, buttons work.
        for width in (1400, 1024):
            page.set_viewport_size({"width": width, "height": 1000})
            page.wait_for_timeout(300)
            assert not (found := overflowing(docked)), found
            assert not (missed := unreachable_buttons(docked)), missed
        assert page.errors == []
    finally:
        server.stop()


def test_closing_the_tab_brings_the_panel_back_to_its_cell(root, tmp_path_factory, page):
    server = start_server("jupyterlab", root, tmp_path_factory)
    try:
        open_notebook(page, server, "long.ipynb")
        run_all_cells(page)
        docked = page.locator("#jp-right-stack .tensor-inspector")
        docked.locator('[data-tensor="last"]').wait_for(timeout=120_000)
        wait_until_idle(page)
        folded = page.locator('.jp-Notebook .tensor-inspector[data-folded="true"]')
        expect(folded).to_have_count(1)
        # The user closes the Tensors tab (what its context menu's Close does).
        page.evaluate(
            """() => {
              for (const widget of window.jupyterapp.shell.widgets('right')) {
                if (widget.node.querySelector('.tensor-inspector')) widget.close();
              }
            }"""
        )
        expect(docked).to_have_count(0)
        expect(folded).to_have_count(0)
        # The cell that docked it shows the whole panel again, and says how to dock it again.
        note = page.locator('.jp-Notebook .tensor-inspector [data-role="placement"]:visible')
        expect(note).to_contain_text(
            "The side panel was closed: %tensor_inspector side docks it again."
        )
        cell_panel = page.locator(".jp-Notebook .tensor-inspector").filter(
            has_text="The side panel was closed"
        )
        expect(cell_panel.locator('[data-tensor="last"] [data-field="shape"]')).to_have_text("[4]")
        assert page.errors == []
    finally:
        server.stop()


@pytest.mark.parametrize("app", ["jupyterlab", "notebook"])
def test_after_a_kernel_restart_the_notebook_keeps_one_live_tensors_tab(
    app, root, tmp_path_factory, page
):
    server = start_server(app, root, tmp_path_factory)
    try:
        docked = run_and_dock(page, server, "restart.ipynb")
        expect(docked).to_have_count(1)
        page.evaluate(
            "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()"
        )
        wait_until_idle(page)
        # The old kernel's tab says plainly that its kernel is gone, and takes no clicks.
        gone = docked.locator('[data-role="kernel-gone"]')
        expect(gone).to_be_visible()
        expect(gone).to_contain_text("This panel's kernel has stopped")
        run_all_cells(page)  # Run All again, without reloading the page
        live = page.locator(f'{TENSORS_TABS}[data-kernel="live"]')
        expect(live.locator('[data-tensor="last"]')).to_have_count(1, timeout=120_000)
        wait_until_idle(page)
        # The new dock replaced the stale tab: one Tensors tab, the live one. (Notebook 7's
        # side panel keeps a hidden widget in the page: the count sees it too.)
        expect(docked).to_have_count(1)
        expect(page.locator(f'{TENSORS_TABS}[data-kernel="gone"]')).to_have_count(0)
        if app == "jupyterlab":
            titles = page.evaluate(
                "() => [...document.querySelectorAll('.lm-TabBar-tab')].map((tab) => tab.textContent.trim())"
            )
            assert titles.count("Tensors") == 1, titles
        # A later side docks again in that tab: the cell keeps its one-line note.
        note = page.locator('.jp-Notebook .tensor-inspector[data-folded="true"]')
        expect(note).to_have_count(1)
        assert page.errors == []
    finally:
        server.stop()


def test_inline_after_side_takes_the_panel_out_of_the_sidebar(root, tmp_path_factory, page):
    server = start_server("jupyterlab", root, tmp_path_factory)
    try:
        docked = run_and_dock(page, server, "undock.ipynb")
        expect(docked).to_have_count(1)
        output = run_cell_source(page, "%tensor_inspector inline")
        wait_until_idle(page)
        expect(docked).to_have_count(0)
        # The panel the side cell docked is back in its cell, whole, and the new one shows here.
        expect(page.locator('.jp-Notebook .tensor-inspector[data-folded="true"]')).to_have_count(0)
        expect(output.locator('.tensor-inspector [data-tensor="last"]')).to_have_count(1)
        assert page.errors == []
    finally:
        server.stop()
