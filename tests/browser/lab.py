"""What a person does in JupyterLab and Notebook 7, as Playwright steps."""

from __future__ import annotations

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
    page.goto(url)
    page.wait_for_function(KERNEL_READY, timeout=90_000)
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
