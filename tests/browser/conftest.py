"""A real Jupyter server (JupyterLab 4 or Notebook 7) and real Chromium, per test module."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.servers import JupyterServer

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"


def notebook_root(tmp_path_factory, names: list[str], prelude: str | None = None) -> Path:
    """A folder holding a copy of the example notebook under each name (one kernel each);
    `prelude` becomes its first code cell."""
    import nbformat

    root = tmp_path_factory.mktemp("notebooks")
    notebook = nbformat.read(REPO / "examples" / "tensor_basics.ipynb", as_version=4)
    if prelude:
        notebook.cells.insert(0, nbformat.v4.new_code_cell(prelude))
    for name in names:
        nbformat.write(notebook, root / name)
    return root


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update"],
        )  # fmt: skip
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


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
    """Pictures the README shows come from these runs."""
    docs = REPO / "docs"
    docs.mkdir(exist_ok=True)
    shutil.copyfile(path, docs / name)
