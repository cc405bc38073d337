"""A real Jupyter server (JupyterLab 4 or Notebook 7) and real Chromium, per test module."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class JupyterServer:
    def __init__(self, app: str, root: Path, home: Path):
        self.app, self.root, self.home = app, root, home
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        settings = self.home / "settings"
        notify = settings / "@jupyterlab" / "apputils-extension"
        notify.mkdir(parents=True)
        (notify / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False})
        )
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(self.home / "config"),
            "JUPYTERLAB_SETTINGS_DIR": str(settings),
            "JUPYTERLAB_WORKSPACES_DIR": str(self.home / "workspaces"),
            "JUPYTER_RUNTIME_DIR": str(self.home / "runtime"),
            "IPYTHONDIR": str(self.home / "ipython"),
        }
        app_class = "LabApp" if self.app == "jupyterlab" else "JupyterNotebookApp"
        command = [
            sys.executable, "-m", self.app, "--no-browser",
            f"--port={self.port}", "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
            "--allow-root", f"--{app_class}.expose_app_in_browser=True",
        ]  # fmt: skip
        if self.app == "jupyterlab":
            command.append("--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")
        log = (self.home / "server.log").open("w")
        self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.home / "server.log").read_text())
            try:
                urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(
            "Jupyter server did not start:\n" + (self.home / "server.log").read_text()
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


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
