"""Turn the extension on or off for every kernel of the user's IPython profile, by editing
ipython_kernel_config.py. Idempotent, and the user's other settings stay as they were."""

from __future__ import annotations

from pathlib import Path

MARKER = "# tensor-inspector: load the panel in every kernel"
LINE = 'c.InteractiveShellApp.extensions.append("tensor_inspector")  ' + MARKER


def enabled_text(text: str) -> str:
    """``text`` with the extension line added once."""
    if any(MARKER in line for line in text.splitlines()):
        return text
    prefix = "" if not text or text.endswith("\n") else "\n"
    header = "" if "c = get_config()" in text else "c = get_config()  # noqa\n"
    return f"{text}{prefix}{header}{LINE}\n"


def disabled_text(text: str) -> str:
    """``text`` without the extension line (and nothing else removed)."""
    kept = [line for line in text.splitlines(keepends=True) if MARKER not in line]
    return "".join(kept)


def config_file(profile_dir: Path | None = None) -> Path:
    if profile_dir is None:
        from IPython.paths import get_ipython_dir

        profile_dir = Path(get_ipython_dir()) / "profile_default"
    return profile_dir / "ipython_kernel_config.py"


def enable(profile_dir: Path | None = None) -> Path:
    path = config_file(profile_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    before = path.read_text() if path.exists() else ""
    after = enabled_text(before)
    if after != before:
        path.write_text(after)
    return path


def disable(profile_dir: Path | None = None) -> Path:
    path = config_file(profile_dir)
    if path.exists():
        before = path.read_text()
        after = disabled_text(before)
        if after != before:
            path.write_text(after)
    return path
