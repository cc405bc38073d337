"""One panel component alone in a blank page of Debian's Chromium, headless: what the
browser-side figures (graph layout, picture drawing) are measured in."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


def have_chromium() -> bool:
    return Path(CHROMIUM).exists()


@contextmanager
def component_page(source: str, export: str) -> Iterator:
    """A Playwright page with ``export`` of the JS module ``source`` (relative to the repo)
    bundled by esbuild and set as ``window[export]``."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        bundle = Path(folder) / "component.js"
        subprocess.run(
            [str(REPO / "node_modules" / ".bin" / "esbuild"), source, "--bundle",
             "--format=iife", "--global-name=Component", f"--outfile={bundle}"],
            cwd=REPO, check=True, capture_output=True,
        )  # fmt: skip
        script = bundle.read_text() + f"\nwindow.{export} = Component.{export};"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                page = browser.new_page()
                page.set_content("<html><body></body></html>")
                page.add_script_tag(content=script)
                yield page
            finally:
                browser.close()
