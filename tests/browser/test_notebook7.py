"""Notebook 7: the panel renders, its actions work, and the overview page lists the kernels."""

import pytest
from playwright.sync_api import expect

from tests.browser.lab import (
    PRELUDE,
    copy_to_docs,
    notebook_root,
    open_notebook,
    record_page_errors,
    run_all_cells,
    run_cell_source,
    screenshot,
    start_server,
    wait_until_idle,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    root = notebook_root(tmp_path_factory, ["first.ipynb", "second.ipynb"], prelude=PRELUDE)
    server = start_server("notebook", root, tmp_path_factory)
    yield server
    server.stop()


def test_panel_actions_and_overview_in_notebook_7(notebook, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors = record_page_errors(page)
    try:
        open_notebook(page, notebook, "first.ipynb")
        run_all_cells(page)
        panel = page.locator(".tensor-inspector").first
        panel.locator('[data-tensor="z"] [data-field="grad_fn"]').wait_for(timeout=120_000)
        wait_until_idle(page)
        expect(panel.locator('[data-tensor="t1"] [data-field="shape"]')).to_have_text("[3, 5]")

        panel.locator('[data-tensor="scaled"] button[data-action="move"]').click()
        expect(panel.locator('[data-tensor="scaled"] [data-field="device"]')).to_have_text("sim:0")

        run_cell_source(page, "u = torch.tensor([1., 2, 3], requires_grad=True)\nu2 = u**2")
        wait_until_idle(page)
        panel.locator('[data-tensor="u2"] button[data-action="backward"]').click()
        prompt = panel.locator('[data-role="gradient-prompt"]')
        prompt.locator('input[name="gradient"]').fill("[1, 1, 1]")
        prompt.locator('button[data-action="confirm"]').click()
        expect(panel.locator('[data-tensor="u"] [data-field="grad"]')).to_have_text("[2., 4., 6.]")
        assert errors == []

        second = context.new_page()
        second.errors = []
        open_notebook(second, notebook, "second.ipynb")
        overview = context.new_page()
        rows = overview.locator("tr[data-kernel]")
        for _ in range(20):  # a kernel busy starting up is "asked again on reload": reload
            overview.goto(f"{notebook.url}/tensor-inspector/?token={notebook.token}")
            expect(rows).to_have_count(2)
            if not any("busy" in text for text in rows.all_inner_texts()):
                break
            overview.wait_for_timeout(500)
        first_row = rows.filter(has_text="first.ipynb")
        expect(first_row.locator('[data-field="memory"]')).to_contain_text("sim:0")
        expect(first_row.locator('[data-field="tensors"]')).to_have_text("13 tensors")
        expect(first_row.locator('[data-field="largest"]')).to_contain_text(
            "stacked [2, 3, 5] cpu 120 B"
        )
        expect(rows.filter(has_text="second.ipynb").locator('[data-field="tensors"]')).to_have_text(
            "tensor-inspector not loaded"
        )
        copy_to_docs(screenshot(overview, "overview-page"), "overview.png")
    finally:
        context.close()
