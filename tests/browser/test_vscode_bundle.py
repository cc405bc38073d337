"""The panel in VS Code's own notebook widget renderer (@vscode/jupyter-ipywidgets8), driven
from a page that does what VS Code's webview does, against a real jupyter_server kernel.

It covers VS Code's widget manager, and anywidget loaded the VS Code way (from the kernel
environment's classic nbextensions). It does not cover VS Code's extension host relay, its
webview's content security policy or its resource URLs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect

from tests.browser.lab import (
    ARTIFACTS,
    REPO,
    copy_to_docs,
    record_page_errors,
    screenshot,
    wait_for_text,
)
from tests.servers import JupyterServer

pytestmark = pytest.mark.browser

BUNDLE = "@vscode/jupyter-ipywidgets8@1.0.9"  # its dist/ipywidgets.js, by npm pack
HARNESS = Path(__file__).parent / "vscode"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# The colours VS Code's Dark Modern theme gives its webviews.
DARK = {
    "--vscode-foreground": "#cccccc",
    "--vscode-editor-background": "#1f1f1f",
    "--vscode-editor-foreground": "#cccccc",
    "--vscode-panel-border": "#2b2b2b",
    "--vscode-button-background": "#0078d4",
    "--vscode-button-foreground": "#ffffff",
    "--vscode-input-background": "#313131",
    "--vscode-input-foreground": "#cccccc",
    "--vscode-errorForeground": "#f85149",
    "--vscode-textLink-foreground": "#4daafc",
    "--vscode-editorWidget-background": "#202020",
    "--vscode-font-family": "system-ui, sans-serif",
    "--vscode-font-size": "13px",
    "--vscode-editor-font-family": "monospace",
    "--vscode-descriptionForeground": "#9d9d9d",
    "--vscode-disabledForeground": "#6e7681",
    "--vscode-textLink-activeForeground": "#4daafc",
    "--vscode-inputValidation-infoBackground": "#063b49",
    "--vscode-inputValidation-warningBackground": "#352a05",
    "--vscode-inputValidation-errorBackground": "#5a1d1d",
    "--vscode-editorWarning-foreground": "#cca700",
}


@pytest.fixture(scope="module")
def static_dir() -> Path:
    """The page, require.js, VS Code's widget bundle and the glue, built once."""
    folder = ARTIFACTS / "vscode"
    folder.mkdir(parents=True, exist_ok=True)
    bundle = folder / "ipywidgets.js"
    if not bundle.exists():
        subprocess.run(["npm", "pack", BUNDLE, "--pack-destination", str(folder)], check=True,
                       capture_output=True, cwd=REPO)  # fmt: skip
        packed = next(folder.glob("vscode-jupyter-ipywidgets8-*.tgz"))
        with tarfile.open(packed) as archive:
            member = archive.extractfile("package/dist/ipywidgets.js")
            bundle.write_bytes(member.read())
        packed.unlink()
    subprocess.run(
        [str(REPO / "node_modules" / ".bin" / "esbuild"), str(HARNESS / "glue.js"), "--bundle",
         "--format=iife", "--define:define=undefined", f"--outfile={folder / 'glue.bundle.js'}"],
        check=True, capture_output=True, cwd=REPO,
    )  # fmt: skip
    shutil.copy(REPO / "node_modules" / "requirejs" / "require.js", folder / "require.js")
    shutil.copy(HARNESS / "harness.html", folder / "harness.html")
    return folder


@pytest.fixture(scope="module")
def server(static_dir, tmp_path_factory):
    # /static/ serves the page and the kernel environment's share/jupyter (nbextensions).
    share = Path(sys.prefix) / "share" / "jupyter"
    paths = json.dumps([str(static_dir), str(share)])
    running = JupyterServer(
        "jupyter_server", tmp_path_factory.mktemp("root"), tmp_path_factory.mktemp("home"),
        extra_args=[f"--ServerApp.extra_static_paths={paths}"],
    )  # fmt: skip
    running.start()
    yield running
    running.stop()


class Notebook:
    """Cells run over jupyter_client, as VS Code's extension host runs them; each widget
    output is rendered in the page, as VS Code's renderer does."""

    def __init__(self, server, page, kernel_id: str):
        self.page = page
        self.client = server.kernel_client(kernel_id)

    def run(self, code: str) -> None:
        msg_id = self.client.execute(code)
        while True:
            msg = self.client.get_iopub_msg(timeout=120)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            content = msg["content"]
            if msg["msg_type"] == "error":
                raise AssertionError("\n".join(content["traceback"]))
            if msg["msg_type"] == "display_data" and WIDGET_VIEW in content["data"]:
                model_id = content["data"][WIDGET_VIEW]["model_id"]
                self.page.evaluate("(id) => window.renderWidget(id)", model_id)
            if msg["msg_type"] == "status" and content["execution_state"] == "idle":
                return


@pytest.fixture
def notebook(server, browser):
    kernel = server.post("/api/kernels", {"name": "python3"})
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    record_page_errors(page)
    page.goto(f"{server.url}/static/harness.html?token={server.token}", timeout=120_000)
    page.wait_for_function("() => window.harnessReady === true", timeout=120_000)
    page.evaluate(
        "(args) => window.startHarness(args)",
        {
            "baseUrl": server.url,
            "token": server.token,
            "kernelId": kernel["id"],
            "kernelName": "python3",
        },
    )
    cells = Notebook(server, page, kernel["id"])
    cells.run("from tensor_inspector.testing.simulated_device import install\ninstall()")
    example = nbformat.read(REPO / "examples" / "tensor_basics.ipynb", as_version=4)
    for cell in example.cells:
        # t1 + t2 raises on purpose (the flag's lesson); Run All goes on past it, as here.
        if cell.cell_type == "code" and "raises-exception" not in cell.metadata.get("tags", []):
            cells.run(cell.source)
    yield page, cells
    cells.client.stop_channels()
    context.close()


def field(panel, tensor: str, name: str):
    return panel.locator(f'[data-tensor="{tensor}"] [data-field="{name}"]')


def test_the_panel_works_in_vscodes_widget_renderer(notebook):
    page, cells = notebook
    panel = page.locator(".tensor-inspector").first
    wait_for_text(field(panel, "t1", "shape"), "[3, 5]", timeout=60_000)
    assert field(panel, "stacked", "shape").inner_text() == "[2, 3, 5]"
    assert "sim available: 1 device" in panel.locator('[data-role="devices"]').inner_text()

    panel.locator('[data-tensor="scaled"] button[data-action="move"]').click()
    wait_for_text(field(panel, "scaled", "device"), "sim:0")

    cells.run("u = torch.tensor([1., 2, 3], requires_grad=True)\nu2 = u**2")
    panel.locator('[data-tensor="u2"] button[data-action="backward"]').click()
    prompt = panel.locator('[data-role="gradient-prompt"]')
    prompt.locator('input[name="gradient"]').fill("[1, 1, 1]")
    prompt.locator('button[data-action="confirm"]').click()
    wait_for_text(field(panel, "u", "grad"), "[2., 4., 6.]")

    cells.run("later = torch.zeros(2, 2)")
    wait_for_text(field(panel, "later", "shape"), "[2, 2]")
    copy_to_docs(screenshot(page, "vscode"), "vscode.png")
    assert page.errors == [] and page.evaluate("window.harnessErrors") == []


def test_the_panel_takes_vscodes_dark_theme_colours(notebook):
    page, _ = notebook
    style = ";".join(f"{name}: {value}" for name, value in DARK.items())
    page.evaluate("(style) => document.body.setAttribute('style', style)", style)
    panel = page.locator(".tensor-inspector").first
    expect(panel).to_be_visible()
    colours = page.evaluate(
        """() => {
          const panel = document.querySelector('.tensor-inspector');
          const colour = (selector) => getComputedStyle(panel.querySelector(selector) ?? panel).color;
          return {
            text: getComputedStyle(panel).color,
            background: getComputedStyle(panel).backgroundColor,
            header: colour('[data-role="devices"]'),
            column: colour('th'),
            cell: colour('td[data-field="shape"]'),
          };
        }"""
    )
    assert colours["text"] == "rgb(204, 204, 204)" and colours["background"] == "rgb(31, 31, 31)"
    for part in ("header", "column", "cell"):  # every text light on the dark background
        assert _luminance(colours[part]) - _luminance(colours["background"]) > 0.25, colours
    screenshot(page, "vscode-dark")
    assert page.errors == []


def _luminance(css: str) -> float:
    red, green, blue = (
        int(x) / 255 for x in css[css.index("(") + 1 : css.index(")")].split(",")[:3]
    )
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_side_falls_back_to_the_cell_with_a_note_in_vscode(notebook):
    page, cells = notebook
    cells.run("%tensor_inspector side")
    panel = page.locator(".tensor-inspector").last
    note = panel.locator('[data-role="placement"]')
    # VS Code has no side panel for widgets: the panel stays whole in the cell, and says so.
    expect(note).to_contain_text("This front end has no side panel for widgets", timeout=30_000)
    wait_for_text(field(panel, "t1", "shape"), "[3, 5]")
    expect(panel).to_have_attribute("data-folded", "false")
    assert page.errors == [] and page.evaluate("window.harnessErrors") == []
