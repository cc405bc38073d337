"""Turn the extension on or off for every kernel of the user's IPython profile, by editing
ipython_kernel_config.py, and say where its panel shows. Idempotent, and the user's other
settings stay as they were: each line we write carries a marker, and only those are changed."""

from __future__ import annotations

from pathlib import Path

MARKER = "# tensor-inspector: load the panel in every kernel"
LINE = 'c.InteractiveShellApp.extensions.append("tensor_inspector")  ' + MARKER
WHERE_MARKER = "# tensor-inspector: where the panel shows"


def where_line(where: str) -> str:
    return f"c.TensorInspector.where = {where!r}  {WHERE_MARKER}"


def enabled_text(text: str, where: str | None = None) -> str:
    """``text`` with the extension line added once and, given ``where`` ("side" or
    "inline"), the panel's place set by one line (replacing the one written before)."""
    lines = text.splitlines(keepends=True)
    if where is not None:
        lines = [line for line in lines if WHERE_MARKER not in line]
    text = "".join(lines)
    added = []
    if not any(MARKER in line for line in lines):
        added.append(LINE)
    if where is not None:
        added.append(where_line(where))
    if not added:
        return text
    prefix = "" if not text or text.endswith("\n") else "\n"
    header = "" if "c = get_config()" in text else "c = get_config()  # noqa\n"
    return text + prefix + header + "".join(f"{line}\n" for line in added)


def disabled_text(text: str) -> str:
    """``text`` without the lines we wrote (and nothing else removed)."""
    kept = [
        line
        for line in text.splitlines(keepends=True)
        if MARKER not in line and WHERE_MARKER not in line
    ]
    return "".join(kept)


def config_file(profile_dir: Path | None = None) -> Path:
    if profile_dir is None:
        from IPython.paths import get_ipython_dir

        profile_dir = Path(get_ipython_dir()) / "profile_default"
    return profile_dir / "ipython_kernel_config.py"


def enable(profile_dir: Path | None = None, where: str | None = None) -> Path:
    path = config_file(profile_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    before = path.read_text() if path.exists() else ""
    after = enabled_text(before, where)
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
