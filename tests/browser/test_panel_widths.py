"""The panel reads at any width, from a 360 px window to a wide one: no cell outgrows its
column, long values are summarised with the full values a click away, and every button is
reachable."""

import re

import nbformat
import pytest
from playwright.sync_api import expect

from tests.browser.lab import (
    PRELUDE,
    REPO,
    copy_to_docs,
    field,
    open_notebook,
    overflowing,
    record_page_errors,
    run_all_cells_by_command,
    screenshot,
    start_server,
    unreachable_buttons,
    wait_until_idle,
)

pytestmark = pytest.mark.browser

# An MLP after one backward: 64-value grads and a module line, the widest rows a learner makes.
MLP = (
    "mlp = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))\n"
    "loss = mlp(torch.randn(4, 8)).pow(2).mean()\n"
    "loss.backward()\n"
    "first_weight = mlp[0].weight\n"
    # t5's grad again by a plain backward(), which reads no values (the example's last cell
    # ran the panel's traced backward, which reads the grads it fills).
    "t5.grad = None\n"
    "(3 * (t5**2).sum()).backward()"
)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("widths")
    notebook = nbformat.read(REPO / "examples" / "tensor_basics.ipynb", as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(PRELUDE))
    notebook.cells.append(nbformat.v4.new_code_cell(MLP))
    for width in (360, 1024, 1400):
        nbformat.write(notebook, root / f"width{width}.ipynb")
    server = start_server("jupyterlab", root, tmp_path_factory)
    yield server
    server.stop()


@pytest.mark.parametrize("width", [360, 1024, 1400])
def test_every_cell_fits_and_every_button_is_reachable(lab, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors = record_page_errors(page)
    try:
        open_notebook(page, lab, f"width{width}.ipynb")
        if width < 600:  # on a phone-sized window the file browser would cover the notebook
            page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
        run_all_cells_by_command(page)
        panel = page.locator(".tensor-inspector").first
        # Attached, not visible: Run All leaves the notebook scrolled to its last cell.
        field(panel, "first_weight", "grad").wait_for(state="attached", timeout=120_000)
        wait_until_idle(page)
        panel.scroll_into_view_if_needed()
        # A 64-value grad reads as its range and count; its values are one click away.
        grad = field(panel, "first_weight", "grad")
        expect(grad).to_have_text(re.compile(r"^x∈\[-?[\d.]+, -?[\d.]+\] n=64$"))
        assert not (found := overflowing(panel)), found
        assert not (missed := unreachable_buttons(panel)), missed
        grad.click()
        values = panel.locator('[data-values-for="first_weight"] [data-role="grad-values"]')
        expect(values).to_contain_text("first_weight.grad = [[")
        assert not (found := overflowing(panel)), found
        # The accelerator grad's values are not read by a refresh; the stats button reads
        # them, and the row shows them whole: they are short.
        expect(field(panel, "t5", "grad")).to_have_text("[3] on sim:0")
        panel.locator('[data-tensor="t5"] button[data-action="stats"]').click()
        expect(field(panel, "t5", "grad")).to_have_text("[6., 12., 18.]")
        assert not (found := overflowing(panel)), found
        narrow = page.evaluate("() => document.querySelector('.tensor-inspector').clientWidth")
        if narrow < 600:  # a details line per row instead of columns
            assert not field(panel, "t1", "dtype").evaluate(
                "(cell) => cell.getBoundingClientRect().top"
                " === cell.parentElement.querySelector('[data-field=name]')"
                ".getBoundingClientRect().top"
            )
            # Wrapped into the details line, a bare "12 B" would say nothing: it is labelled.
            label = field(panel, "t1", "memory").evaluate(
                "(cell) => getComputedStyle(cell, '::before').content"
            )
            assert label == '"memory "', label
        # The header reads "last cell: ...", never starting a line with a dangling separator.
        last_cell = panel.locator('[data-role="last-cell"]').inner_text()
        assert last_cell.startswith("last cell:") and "·" not in last_cell, last_cell
        assert errors == []
        field(panel, "t5", "name").scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        shot = screenshot(page, f"panel-{width}px")
        if width == 360:
            copy_to_docs(shot, "narrow-panel.png")
    finally:
        context.close()
