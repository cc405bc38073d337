"""A real Jupyter server (JupyterLab 4, Notebook 7 or plain jupyter-server) on a free port,
with its own config, runtime and settings folders, and clients of the kernels it starts.

Everything here waits for readiness by polling, with limits sized for a slow, loaded CI
machine (two cores, other jobs beside it): a kernel can take tens of seconds to start there."""

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
from queue import Empty

# How long a server or a kernel may take to start on a loaded machine, in seconds.
STARTUP_LIMIT = 180


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
        # The server's own wait for a new kernel's first kernel_info reply (60 s by default).
        command.append(f"--MappingKernelManager.kernel_info_timeout={STARTUP_LIMIT}")
        command += self.extra_args
        if self.app != "jupyter_server":
            command.append(f"--{app_class}.expose_app_in_browser=True")
        if self.app == "jupyterlab":
            command.append("--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")
        log = (self.home / "server.log").open("w")
        self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_LIMIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.home / "server.log").read_text())
            try:
                urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=5)
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

    def kernel_state(self, kernel_id: str) -> str:
        """What the server knows of a kernel it runs: "starting", "idle", "busy", "dead"...;
        "gone" once the server no longer lists it."""
        status, body = self.get(f"/api/kernels/{kernel_id}")
        return json.loads(body)["execution_state"] if status == 200 else "gone"

    def kernel_client(self, kernel_id: str, timeout: float = STARTUP_LIMIT):
        """A client of a kernel this server started, once the kernel answers.

        The way jupyter_server itself waits: its kernel manager knows from the process
        whether the kernel lives (here, asked through /api/kernels), and it asks kernel_info
        until a reply comes on the shell channel and a message on iopub. jupyter_client's
        heartbeat check is left out: a kernel still importing on a loaded machine misses its
        one-second heartbeat, and a client that has no kernel manager then reports it dead.
        """
        from jupyter_client import BlockingKernelClient

        deadline = time.monotonic() + timeout
        # The server reports "starting" until a client's request makes the kernel publish a
        # status: the nudges below are that request, so only "dead" is worth waiting on here.
        if (state := self.kernel_state(kernel_id)) in ("dead", "gone"):
            raise RuntimeError(f"kernel {kernel_id} is {state}:\n{self.log()}")
        client = BlockingKernelClient(
            connection_file=str(self.runtime_dir / f"kernel-{kernel_id}.json")
        )
        client.load_connection_file()
        client.start_channels(hb=False)
        while True:
            client.kernel_info()
            try:
                reply = client.get_shell_msg(timeout=2)
                if reply["msg_type"] == "kernel_info_reply":
                    client.get_iopub_msg(timeout=1)  # iopub is connected too
                    break
            except Empty:
                pass
            if self.kernel_state(kernel_id) in ("dead", "gone"):
                raise RuntimeError(f"kernel {kernel_id} died while starting:\n{self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"kernel {kernel_id} did not answer in {timeout:.0f} s")
        while True:  # what the nudges left on iopub
            try:
                client.get_iopub_msg(timeout=0.2)
            except Empty:
                return client

    def log(self) -> str:
        return (self.home / "server.log").read_text()

    def post(self, path: str, body: dict):
        request = urllib.request.Request(
            f"{self.url}{path}?token={self.token}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=STARTUP_LIMIT) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
