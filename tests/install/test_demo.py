"""`make demo` in a fresh clone: JupyterLab starts on a copy of the example, prints the URL
to open (with its token), and nothing alarming, even when the page asks for its build status
(what JupyterLab does each time a notebook opens).

The clone's .venv is a real venv inside the clone, as `make demo` makes it, holding its own copy
of the jupyterlab package (the node scripts that failed ran from there, under the repo's
package.json); its other packages come from this test run's environment, so nothing is
downloaded."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ALARMING = re.compile(
    r"Error|error:|require is not defined|Dynamic require|Could not determine|Traceback|"
    r"Build recommended|node-version-check",
)


def venv_in(clone: Path) -> Path:
    """clone/.venv: a venv with its own jupyterlab package, seeing this environment's others."""
    venv = clone / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    here = Path(sysconfig.get_path("purelib"))
    site = venv / here.relative_to(sys.prefix)
    shutil.copytree(here / "jupyterlab", site / "jupyterlab")
    # addsitedir, not a bare path: this environment's own .pth files (the editable install of
    # tensor-inspector) must be read too.
    (site / "environment.pth").write_text(f"import site; site.addsitedir({str(here)!r})\n")
    for shared in ("share", "etc"):  # the built JupyterLab, labextensions, server config
        (venv / shared).symlink_to(Path(sys.prefix) / shared)
    for script, entry in (
        ("jupyter", "jupyter_core.command"),
        ("jupyter-lab", "jupyterlab.labapp"),
    ):
        path = venv / "bin" / script
        path.write_text(
            f"#!{venv / 'bin' / 'python'}\nimport sys\nfrom {entry} import main\nsys.exit(main())\n"
        )
        path.chmod(0o755)
    (venv / ".installed").touch()  # make's install target: done, newer than its inputs
    return venv


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_make_demo_prints_the_url_and_nothing_alarming(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    venv_in(clone)
    home = tmp_path / "home"
    # As a user types it: not a make inside make (`make test`), which would print its
    # "Entering directory" lines.
    outer_make = ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES")
    env = {
        **{key: value for key, value in os.environ.items() if key not in outer_make},
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
    }
    port = free_port()
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        demo = subprocess.Popen(
            ["make", "demo", f"DEMO_ARGS=--no-browser --port={port}"],
            cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while not (
            url := re.search(rf"http://127\.0\.0\.1:{port}/lab\S*\?token=\w+", log.read_text())
        ):
            assert demo.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        token = url.group(0).split("token=")[1]
        for path in ("/lab/tree/tensor_basics.ipynb", "/lab/api/build"):
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}{path}?token={token}", timeout=120
            ) as page:
                assert page.status == 200
        output = log.read_text()
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
    assert output.startswith("Starting JupyterLab on .demo/tensor_basics.ipynb"), output
    assert "Ctrl+C" in output
    assert not ALARMING.search(output), output
    assert len(output) < 2_000, output  # the URL, not pages of log
    # The demo runs on an ignored copy: the tracked notebook is untouched.
    assert (clone / ".demo" / "tensor_basics.ipynb").exists()
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True
    )
    assert status.stdout == "", status.stdout
