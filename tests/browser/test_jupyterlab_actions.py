"""The panel's buttons in a real JupyterLab 4, with the simulated accelerator in the kernel.
One notebook is opened for the module; each test asserts one behaviour on tensors of its own."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.lab import (
    PRELUDE,
    click,
    copy_to_docs,
    field,
    notebook_root,
    open_panel,
    record_page_errors,
    run_cell_source,
    screenshot,
    start_server,
    wait_for_text,
    wait_until_idle,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = notebook_root(tmp_path_factory, ["actions.ipynb"], prelude=PRELUDE)
    server = start_server("jupyterlab", root, tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def notebook(lab, browser):
    """(page, panel) of the example notebook, run once for the module."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    record_page_errors(page)
    panel = open_panel(page, lab, "actions.ipynb")
    yield page, panel
    assert page.errors == []  # no uncaught error in the page, in any test
    context.close()


def cell(page, source: str) -> None:
    run_cell_source(page, source)
    wait_until_idle(page)


def test_the_header_names_the_accelerator(notebook):
    _, panel = notebook
    assert "sim available: 1 device" in panel.locator('[data-role="devices"]').inner_text()
    assert field(panel, "t2", "device").inner_text() == "sim:0"


def test_a_tensor_with_a_view_is_not_moved_until_the_view_is_gone(notebook):
    page, panel = notebook
    # flat = t1.flatten() is a view: moving t1 alone would leave flat behind.
    assert field(panel, "t1", "device").inner_text() == "cpu"
    click(panel, "t1", "move")
    message = panel.locator('[data-role="message"]')
    wait_for_text(message, re.compile("flat is a view of it"))
    assert field(panel, "t1", "device").inner_text() == "cpu"
    cell(page, "del flat")
    click(panel, "t1", "move")
    wait_for_text(field(panel, "t1", "device"), "sim:0")
    assert "Moved t1 from cpu to sim:0" in message.inner_text()


def test_backward_of_a_scalar_runs_at_once_and_zero_grad_clears(notebook):
    page, panel = notebook
    cell(page, "a = torch.tensor([1., 2, 3], requires_grad=True)\nas_ = (a**2).sum()")
    field(panel, "as_", "grad_fn").wait_for()
    click(panel, "as_", "backward")
    wait_for_text(field(panel, "a", "grad"), "[2., 4., 6.]")
    # That backward freed the graph: a second could only fail, so the button is off and says why.
    again = panel.locator('tr[data-tensor="as_"] button[data-action="backward"]')
    expect(again).to_be_disabled()
    expect(again).to_have_attribute(
        "title", re.compile(r"^backward\(\) already freed the graph behind as_")
    )
    click(panel, "a", "zero-grad")
    wait_for_text(field(panel, "a", "grad"), "None")


def test_a_non_scalar_output_asks_for_its_gradient(notebook):
    page, panel = notebook
    cell(page, "u = torch.tensor([1., 2, 3], requires_grad=True)\nu2 = u**2")
    field(panel, "u2", "grad_fn").wait_for()
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
    prompt.wait_for(state="detached")  # it closed because backward() succeeded


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ("__import__('os').system('touch {marker}')", "Could not read"),
        ("[1, 1]", "shape [2] but w2 has shape [3]"),
    ],
)
def test_a_bad_gradient_gets_a_message_and_changes_nothing(notebook, tmp_path, bad, expected):
    page, panel = notebook
    marker = tmp_path / "should-not-exist"
    cell(page, "w = torch.tensor([1., 2, 3], requires_grad=True)\nw2 = w**2")
    field(panel, "w2", "grad_fn").wait_for()
    click(panel, "w2", "backward")
    prompt = panel.locator('[data-role="gradient-prompt"]')
    prompt.wait_for()
    prompt.locator('input[name="gradient"]').fill(bad.format(marker=marker))
    prompt.locator('button[data-action="confirm"]').click()
    expect(panel.locator('[data-role="message"][data-level="error"]')).to_contain_text(expected)
    assert field(panel, "w", "grad").inner_text() == "None"
    assert prompt.is_visible()  # the prompt stays open to correct the text
    prompt.locator('button[data-action="cancel"]').click()
    prompt.wait_for(state="detached")
    assert not marker.exists()


def test_the_overview_page_sees_this_kernel(notebook, lab):
    page, _ = notebook
    overview = page.context.new_page()
    overview.goto(f"{lab.url}/tensor-inspector/?token={lab.token}")
    row = overview.locator("tr[data-kernel]").filter(has_text="actions.ipynb")
    expect(row.locator('[data-field="largest"]')).to_contain_text("stacked [2, 3, 5] cpu 120 B")


def test_stats_on_a_row_show_a_sparkline_and_nan_is_marked_at_once(notebook):
    page, panel = notebook
    cell(page, "vals = torch.tensor([1.0, float('nan'), 0.0, 2.0, 2.0])")
    row = panel.locator('[data-tensor="vals"]')
    expect(row.locator('[data-role="non-finite"]')).to_be_visible()  # from the preview alone
    click(panel, "vals", "stats")
    line = panel.locator('[data-role="stats"][data-stats-for="vals"]')
    expect(line).to_contain_text("nan 1 · +inf 0 · -inf 0 · zeros 1")
    expect(line).to_contain_text("min 0 max 2 mean 1.25")
    expect(line.locator('[data-role="sparkline"] rect')).to_have_count(10)
    click(panel, "vals", "stats")  # the same button hides it
    expect(line).to_have_count(0)


def test_memory_held_without_a_name_is_listed_and_released(notebook):
    page, panel = notebook
    cell(page, "shown = torch.tensor([0.5, float('nan'), 0.0, 2.0])\nkept = torch.ones(1000)\nkept")
    cell(page, "del kept")
    line = panel.locator('[data-role="unnamed"]')
    line.locator('button[data-action="unnamed"]').click()
    expect(line).to_contain_text("held without a name:")
    expect(line.locator("li").filter(has_text="[1000] float32 on cpu, 3.9 KB:")).to_have_text(
        re.compile(r"^\[1000\] float32 on cpu, 3\.9 KB: .*the output of cell \d+ \(Out\[\d+\], _\)")
    )
    expect(line).not_to_contain_text("no name holds directly")  # IPython's own holders are named
    click(panel, "shown", "stats")  # statistics of a row, for the README's picture
    panel.locator('[data-stats-for="shown"]').wait_for()
    line.scroll_into_view_if_needed()
    copy_to_docs(screenshot(page, "stats-memory"), "stats-memory.png")
    line.locator('button[data-kind="output history"]').click()
    expect(line).not_to_contain_text("[1000] float32 on cpu")


def test_a_modules_parameters_show_grad_norms_and_dead_grads_are_marked(notebook):
    page, panel = notebook
    cell(page, "net = torch.nn.Linear(3, 2)\nnet(torch.ones(4, 3)).sum().backward()\n"
               "net.bias.grad.zero_()")  # fmt: skip
    line = panel.locator('[data-module="net"]')
    line.locator('button[data-action="stats"]').click()
    listed = line.locator('[data-role="module-stats"]')
    expect(listed.locator('[data-parameter="net.weight"]')).to_contain_text("grad norm")
    expect(listed.locator('[data-parameter="net.bias"] [data-health="dead"]')).to_be_visible()
