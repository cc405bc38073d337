"""A real Jupyter server (JupyterLab 4, Notebook 7 or plain jupyter-server) on a free port,
with its own config, runtime and settings folders."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class JupyterServer:
    def __init__(self, app: str, root: Path, home: Path, theme: str | None = None, extra_args=()):
        self.app, self.root, self.home = app, root, home
        self.theme = theme
        self.extra_args = list(extra_args)
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        settings = self.home / "settings"
        notify = settings / "@jupyterlab" / "apputils-extension"
        notify.mkdir(parents=True)
        if self.theme:
            (notify / "themes.jupyterlab-settings").write_text(json.dumps({"theme": self.theme}))
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
        app_class = {"jupyterlab": "LabApp", "notebook": "JupyterNotebookApp"}.get(
            self.app, "ServerApp"
        )
        command = [
            sys.executable, "-m", self.app, "--no-browser",
            f"--port={self.port}", "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
            "--allow-root",
        ]  # fmt: skip
        command += self.extra_args
        if self.app != "jupyter_server":
            command.append(f"--{app_class}.expose_app_in_browser=True")
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

    @property
    def runtime_dir(self) -> Path:
        return self.home / "runtime"

    def get(self, path: str, token: bool = True, timeout: float = 30):
        """(status, body) of a GET to the server."""
        url = f"{self.url}{path}" + (f"?token={self.token}" if token else "")
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path: str, body: dict):
        request = urllib.request.Request(
            f"{self.url}{path}?token={self.token}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
