"""Installing the wheel registers the server extension and the kernelspec; a clean
pip uninstall leaves neither behind."""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CONFIG = Path("etc/jupyter/jupyter_server_config.d/tensor_inspector.json")
KERNELSPEC = Path("share/jupyter/kernels/python3-tensor-inspector/kernel.json")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
    )
    (built,) = out.glob("tensor_inspector-*.whl")
    return built


def test_the_wheel_carries_the_front_end_bundle(wheel):
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "tensor_inspector/static/widget.js" in names
    assert "tensor_inspector/static/widget.css" in names


def test_install_registers_and_uninstall_removes(wheel, tmp_path):
    env_dir = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip"]
    subprocess.run([*pip, "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    assert (env_dir / CONFIG).exists()
    assert (env_dir / KERNELSPEC).exists()

    # The server extension is found and enabled from the installed config.
    site = sysconfig.get_path("purelib", vars={"base": str(env_dir), "platbase": str(env_dir)})
    listed = subprocess.run(
        [sys.executable, "-m", "jupyter_server", "extension", "list"],
        env={**os.environ, "JUPYTER_CONFIG_PATH": str(env_dir / "etc/jupyter"), "PYTHONPATH": site},
        capture_output=True,
        text=True,
    )
    output = listed.stdout + listed.stderr
    assert "tensor_inspector" in output and "enabled" in output
    assert "tensor_inspector 0.1.0" in output and "OK" in output

    subprocess.run([*pip, "uninstall", "-y", "-q", "tensor-inspector"], check=True)
    assert not (env_dir / CONFIG).exists()
    assert not (env_dir / KERNELSPEC).exists()
    assert not (env_dir / KERNELSPEC.parent).exists()
    leftovers = [p for p in env_dir.rglob("*tensor_inspector*")]
    assert leftovers == []
