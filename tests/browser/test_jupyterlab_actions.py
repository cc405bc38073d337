"""The panel's buttons in a real JupyterLab 4, with the simulated accelerator in the kernel."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import copy_to_docs, notebook_root, screenshot, start_server
from tests.browser.lab import open_notebook, run_all_cells, run_cell_source, wait_until_idle

pytestmark = pytest.mark.browser

PRELUDE = (
    "# The simulated accelerator stands in for a GPU on machines without one.\n"
    "from tensor_inspector.testing.simulated_device import install\n"
    "install()"
)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = notebook_root(tmp_path_factory, ["actions.ipynb"], prelude=PRELUDE)
    server = start_server("jupyterlab", root, tmp_path_factory)
    yield server
    server.stop()


def field(panel, tensor, name):
    return panel.locator(f'[data-tensor="{tensor}"] [data-field="{name}"]')


def click(panel, tensor, action):
    panel.locator(f'[data-tensor="{tensor}"] button[data-action="{action}"]').click()


def wait_for_text(locator, text, timeout=30_000):
    expect(locator).to_have_text(text, timeout=timeout)


def test_move_backward_prompt_and_zero_grad(lab, page, tmp_path):
    open_notebook(page, lab, "actions.ipynb")
    run_all_cells(page)
    panel = page.locator(".tensor-inspector").first
    field(panel, "z", "grad_fn").wait_for(timeout=120_000)
    wait_until_idle(page)
    assert "sim available: 1 device" in panel.locator('[data-role="devices"]').inner_text()
    assert field(panel, "t2", "device").inner_text() == "sim:0"

    # t1 has a view (flat = t1.flatten()): moving t1 alone would leave flat behind, so the
    # move is refused and says why; once flat is gone, t1 moves.
    assert field(panel, "t1", "device").inner_text() == "cpu"
    click(panel, "t1", "move")
    message = panel.locator('[data-role="message"]')
    wait_for_text(message, re.compile("flat is a view of it"))
    assert field(panel, "t1", "device").inner_text() == "cpu"
    run_cell_source(page, "del flat")
    wait_until_idle(page)
    click(panel, "t1", "move")
    wait_for_text(field(panel, "t1", "device"), "sim:0")
    assert "Moved t1 from cpu to sim:0" in message.inner_text()

    run_cell_source(
        page, "u = torch.tensor([1., 2, 3], requires_grad=True)\nu2 = u**2\nus = (u**2).sum()"
    )
    wait_until_idle(page)
    field(panel, "us", "grad_fn").wait_for()

    # A one-element output: backward() runs at once.
    click(panel, "us", "backward")
    wait_for_text(field(panel, "u", "grad"), "[2., 4., 6.]")
    click(panel, "u", "zero-grad")
    wait_for_text(field(panel, "u", "grad"), "None")

    # A non-scalar output asks for its gradient.
    click(panel, "u2", "backward")
    prompt = panel.locator('[data-role="gradient-prompt"]')
    prompt.wait_for()
    assert "[3], float32, on cpu" in prompt.inner_text()
    gradient = prompt.locator('input[name="gradient"]')
    assert gradient.input_value() == "ones"
    gradient.fill("[1, 1, 1]")
    copy_to_docs(screenshot(page, "gradient-prompt"), "gradient-prompt.png")
    prompt.locator('button[data-action="confirm"]').click()
    wait_for_text(field(panel, "u", "grad"), "[2., 4., 6.]")
    prompt.wait_for(state="detached")

    # Bad gradients: a clear message, nothing runs, nothing changes.
    marker = tmp_path / "should-not-exist"
    for bad, expected in [
        (f"__import__('os').system('touch {marker}')", "Could not read"),
        ("[1, 1]", "shape [2] but u2 has shape [3]"),
    ]:
        click(panel, "u2", "backward")
        prompt.wait_for()
        prompt.locator('input[name="gradient"]').fill(bad)
        prompt.locator('button[data-action="confirm"]').click()
        message = panel.locator('[data-role="message"][data-level="error"]')
        expect(message).to_contain_text(expected)
        assert field(panel, "u", "grad").inner_text() == "[2., 4., 6.]"
        prompt.locator('button[data-action="cancel"]').click()
        prompt.wait_for(state="detached")
    assert not marker.exists()
    assert page.errors == []

    # The server's overview page sees this kernel and what it holds.
    overview = page.context.new_page()
    overview.goto(f"{lab.url}/tensor-inspector/?token={lab.token}")
    row = overview.locator("tr[data-kernel]").filter(has_text="actions.ipynb")
    expect(row.locator('[data-field="largest"]')).to_contain_text("stacked [2, 3, 5] cpu 120 B")
