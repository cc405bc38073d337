"""Every click answers where the user is looking: the gradient prompt and each action's
message open beside the row (or the graph) that was clicked, inside the window, inline and
docked, at 360, 1,024 and 1,400 px; a message belongs to one action (the next click clears
it, the next cell dims it); buttons that can only fail are disabled and say why."""

import nbformat
import pytest
from playwright.sync_api import expect

from tests.browser.lab import (
    example_notebook,
    field,
    open_notebook,
    record_page_errors,
    run_all_cells_by_command,
    run_cell_source,
    start_server,
    wait_until_idle,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("answers")
    notebook = example_notebook()
    for name in ("inline-360", "inline-1024", "inline-1400", "docked-1024", "docked-1400"):
        copy = nbformat.from_dict(notebook)
        if name.startswith("docked"):
            copy.cells.insert(
                next(i for i, c in enumerate(copy.cells) if "%load_ext" in c.source) + 1,
                nbformat.v4.new_code_cell("%tensor_inspector side"),
            )
        nbformat.write(copy, root / f"{name}.ipynb")
    server = start_server("jupyterlab", root, tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture
def window(browser, request):
    """A page of the given width, 900 px high, failing on uncaught page errors."""
    width = request.param
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    record_page_errors(page)
    yield page, width
    context.close()


def run_example(page, lab, name: str, docked: bool):
    open_notebook(page, lab, f"{name}.ipynb")
    if page.viewport_size["width"] < 600:  # a phone-sized window: the file browser would cover it
        page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    run_all_cells_by_command(page)
    scope = "#jp-right-stack" if docked else ".jp-Notebook"
    panel = page.locator(f"{scope} .tensor-inspector").first
    # Attached, not visible: Run All leaves the notebook scrolled to its last cell.
    field(panel, "z", "grad_fn").wait_for(state="attached", timeout=120_000)
    wait_until_idle(page)
    return panel


def check_answers_in_view(page, panel) -> None:
    # The last rows of the table: y2 (a non-scalar output) and z (a scalar), below the fold.
    y2 = panel.locator('[data-tensor="y2"]')
    y2.locator('button[data-action="backward"]').click()
    prompt = panel.locator('[data-role="gradient-prompt"]')
    expect(prompt).to_be_in_viewport(ratio=0.9)
    # Beside the row that was clicked, with its input ready to type in.
    expect(panel.locator('tr[data-answer-for="y2"] [data-role="gradient-prompt"]')).to_have_count(1)
    expect(prompt.locator('input[name="gradient"]')).to_be_focused()
    prompt.locator('input[name="retain_graph"]').check()  # y2's graph stays for the next click
    prompt.locator('button[data-action="confirm"]').click()
    message = panel.locator('[data-role="message"]')
    expect(message).to_contain_text("y2")
    expect(message).to_be_in_viewport(ratio=0.9)
    expect(prompt).to_have_count(0)  # done: the prompt closed

    # The next click clears the last message: an error, then a confirm box, never both.
    y2.locator('button[data-action="backward"]').click()
    prompt.locator('input[name="gradient"]').fill("[1, 2]")
    prompt.locator('button[data-action="confirm"]').click()
    expect(message).to_have_attribute("data-level", "error")  # y2 has 3 elements, not 2
    expect(message).to_be_in_viewport(ratio=0.9)
    panel.locator('select[name="device"]').select_option("cpu")
    panel.locator('[data-tensor="z"] button[data-action="move"]').click()  # z was computed: asks
    confirm = panel.locator('[data-role="confirm-move"]')
    expect(confirm).to_be_in_viewport(ratio=0.9)
    expect(message).to_be_hidden()
    confirm.locator('button[data-action="cancel"]').click()

    # After a traced backward, its message shows above the graph it drew, in view.
    panel.locator('[data-tensor="z"] button[data-action="graph"]').click()
    graph = panel.locator('[data-role="graph"]')
    graph.locator('button[data-action="trace"]').click()
    expect(graph.locator("[data-edge-label]")).to_have_count(4)
    expect(message).to_contain_text("accumulate")
    expect(message).to_be_in_viewport(ratio=0.9)
    assert message.evaluate(
        "(node) => node.compareDocumentPosition(node.closest('.tensor-inspector')"
        ".querySelector('[data-role=graph]')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    # That backward freed the graph: tracing it again could only fail, so the button says why.
    trace = graph.locator('button[data-action="trace"]')
    expect(trace).to_be_disabled()
    expect(trace).to_have_attribute(
        "title",
        "backward() already freed this graph: recompute z to trace it (tick retain_graph then to keep the graph)",
    )
    expect(graph.locator('input[name="retain_graph"]')).to_have_count(1)


@pytest.mark.parametrize("window", [360, 1024, 1400], indirect=True)
def test_inline_prompts_and_messages_open_beside_the_clicked_row(lab, window):
    page, width = window
    panel = run_example(page, lab, f"inline-{width}", docked=False)
    check_answers_in_view(page, panel)

    # The message belongs to that action: the next cell dims it.
    message = panel.locator('[data-role="message"]')
    expect(message).not_to_have_attribute("data-stale", "true")
    run_cell_source(page, "fresh = torch.ones(2)")
    wait_until_idle(page)
    expect(message).to_have_attribute("data-stale", "true")

    # flat is a view of t1: it can only move with t1, so its move button says so.
    panel.locator('select[name="device"]').select_option("sim:0")
    move = panel.locator('[data-tensor="flat"] button[data-action="move"]')
    expect(move).to_be_disabled()
    expect(move).to_have_attribute(
        "title",
        "flat is a view into another tensor's memory: it cannot move alone. Move the tensor it was sliced from, or make a copy to move (flat.clone())",
    )
    assert page.errors == []


@pytest.mark.parametrize("window", [1024, 1400], indirect=True)
def test_docked_prompts_and_messages_open_beside_the_clicked_row(lab, window):
    page, width = window
    panel = run_example(page, lab, f"docked-{width}", docked=True)
    # The sidebar scrolls: scroll it to the end of the table, as a user looking at y2 does.
    panel.locator('[data-tensor="y2"]').scroll_into_view_if_needed()
    check_answers_in_view(page, panel)
    assert page.errors == []
