"""What a person does in JupyterLab and Notebook 7, as Playwright steps, and the servers and
notebooks they do it in: every browser test's helpers, in one place."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from playwright.sync_api import expect

from tests.servers import JupyterServer

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
# A page load on a loaded two-core machine can take far longer than Playwright's 30 s.
NAVIGATION_LIMIT_MS = 120_000
PRELUDE = (
    "# The simulated accelerator stands in for a GPU on machines without one.\n"
    "from tensor_inspector.testing.simulated_device import install\n"
    "install()"
)


def example_notebook(accelerator: bool = True):
    """The example notebook; without `accelerator`, less its first cell, which installs the
    simulated accelerator: what a learner on a cpu-only machine who skips it gets."""
    import nbformat

    notebook = nbformat.read(REPO / "examples" / "tensor_basics.ipynb", as_version=4)
    if not accelerator:
        notebook.cells = [
            cell
            for cell in notebook.cells
            if "simulated-accelerator" not in cell.metadata.get("tags", [])
        ]
    return notebook


def notebook_root(
    tmp_path_factory, names: list[str], prelude: str | None = None, accelerator: bool = True
) -> Path:
    """A folder holding a copy of the example notebook under each name (one kernel each);
    `prelude` becomes its first code cell."""
    import nbformat

    root = tmp_path_factory.mktemp("notebooks")
    notebook = example_notebook(accelerator)
    if prelude:
        notebook.cells.insert(0, nbformat.v4.new_code_cell(prelude))
    for name in names:
        nbformat.write(notebook, root / name)
    return root


def record_page_errors(page) -> list[str]:
    """The page's uncaught errors, each with the stack that says where it was thrown."""
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(f"{error.message}\n{error.stack}"))
    return page.errors


def change_theme(page, theme: str) -> None:
    """Switch JupyterLab's theme, as its Settings menu does, and wait until the switch is over.

    JupyterLab shows its splash screen while a theme loads and removes it 200 ms after; a second
    switch inside those 200 ms makes JupyterLab remove it twice, which throws in the page."""
    light = "false" if "Dark" in theme else "true"
    page.evaluate(
        "(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme
    )
    page.wait_for_function(
        "(light) => document.body.dataset.jpThemeLight === light && !document.getElementById('jupyterlab-splash')",
        arg=light,
    )


def start_server(app: str, root: Path, tmp_path_factory):
    server = JupyterServer(app, root, tmp_path_factory.mktemp(f"{app}-home"))
    server.start()
    return server


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def copy_to_docs(path: Path, name: str) -> None:
    """Pictures the README shows come from these runs, under `make screenshots` only: a plain
    test run leaves the tracked docs/*.png alone."""
    if os.environ.get("TENSOR_INSPECTOR_SCREENSHOTS") != "1":
        return
    docs = REPO / "docs"
    docs.mkdir(exist_ok=True)
    shutil.copyfile(path, docs / name)


def field(panel, tensor: str, name: str):
    """One cell of the panel's table: `[data-tensor=NAME] [data-field=FIELD]`."""
    return panel.locator(f'[data-tensor="{tensor}"] [data-field="{name}"]')


def click(panel, tensor: str, action: str) -> None:
    # The table's row: the flag of a blocked t1 + t2 also names t1, with its own move button.
    panel.locator(f'tr[data-tensor="{tensor}"] button[data-action="{action}"]').click()


def wait_for_text(locator, text, timeout: int = 30_000) -> None:
    expect(locator).to_have_text(text, timeout=timeout)


def open_panel(page, server, path: str):
    """Open a notebook, run all its cells, and return its panel once the last row is in."""
    open_notebook(page, server, path)
    run_all_cells(page)
    panel = page.locator(".tensor-inspector").first
    field(panel, "z", "grad_fn").wait_for(timeout=120_000)
    wait_until_idle(page)
    return panel


KERNEL_READY = """() => {
  const app = window.jupyterapp;
  const widget = app && app.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
    && widget.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""

KERNEL_IDLE = """() => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  return kernel.status === 'idle';
}"""


def open_notebook(page, server, path: str = "tensor_basics.ipynb") -> None:
    if server.app == "jupyterlab":
        url = f"{server.url}/lab/tree/{path}?token={server.token}&reset"
    else:
        url = f"{server.url}/notebooks/{path}?token={server.token}"
    page.goto(url, timeout=NAVIGATION_LIMIT_MS)
    page.wait_for_function(KERNEL_READY, timeout=180_000)
    page.errors.clear()  # Notebook 7 reports a settings error while loading, before any cell runs


def run_all_cells(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


def run_cell_source(page, source: str):
    """Append a cell at the end of the notebook, put `source` in it and run it; returns the
    cell's output area."""
    index = page.evaluate(
        """(source) => {
          const panel = window.jupyterapp.shell.currentWidget;
          const notebook = panel.content;
          notebook.activeCellIndex = notebook.widgets.length - 1;
          window.jupyterapp.commands.execute('notebook:insert-cell-below');
          notebook.activeCell.model.sharedModel.setSource(source);
          return notebook.activeCellIndex;
        }""",
        source,
    )
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    return cell.locator(".jp-OutputArea")


def wait_until_idle(page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)


OVERFLOW = """(root) => {
  const box = root.getBoundingClientRect();
  const host = root.closest('.jp-OutputArea-output, #jp-right-stack') ?? root.parentElement;
  const outer = host.getBoundingClientRect();
  const found = [];
  if (box.right > outer.right + 1) found.push(`the panel is wider than ${host.className}`);
  if (root.scrollWidth > root.clientWidth + 1) {
    found.push(`the panel scrolls sideways: ${root.scrollWidth} > ${root.clientWidth} px`);
  }
  for (const node of root.querySelectorAll('*')) {
    const rect = node.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) continue;
    if (rect.right > box.right + 1 || rect.left < box.left - 1) {
      const field = node.dataset?.field ?? node.dataset?.action ?? node.dataset?.role ?? '';
      found.push(`${node.tagName} ${field} ${Math.round(rect.left)}..${Math.round(rect.right)}`);
    }
  }
  return found.slice(0, 10);
}"""


def overflowing(panel) -> list[str]:
    """The panel's elements that stick out of it, and whether it scrolls sideways: [] when
    everything fits the panel's width."""
    return panel.evaluate(OVERFLOW)


def unreachable_buttons(panel) -> list[str]:
    """The panel's enabled buttons a click would not reach (covered, cut off, off-screen
    even after scrolling): Playwright's trial click checks each one, clicking nothing."""
    missed = []
    buttons = panel.locator("button:visible:enabled")
    for index in range(buttons.count()):
        button = buttons.nth(index)
        try:
            button.scroll_into_view_if_needed(timeout=5_000)
            button.click(trial=True, timeout=5_000)
        except Exception as error:  # Playwright's timeout says what covers it
            missed.append(f"{button.get_attribute('data-action')}: {str(error).splitlines()[0]}")
    return missed


def run_all_cells_by_command(page) -> None:
    """Run All through JupyterLab's command: narrow windows fold the menu bar away."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
