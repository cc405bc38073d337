"""The panel follows JupyterLab's theme: in the dark theme it is dark, with light text."""

import time

import pytest

from tests.browser.lab import (
    notebook_root,
    open_notebook,
    run_cell_source,
    screenshot,
    wait_until_idle,
)
from tests.servers import JupyterServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def dark_lab(tmp_path_factory):
    root = notebook_root(tmp_path_factory, ["dark.ipynb"])
    server = JupyterServer(
        "jupyterlab", root, tmp_path_factory.mktemp("dark-home"), theme="JupyterLab Dark"
    )
    server.start()
    yield server
    server.stop()


def luminance(css_color: str) -> float:
    """Relative brightness 0..1 of a computed colour: rgb(r, g, b) or color(srgb r g b)."""
    inside = css_color[css_color.index("(") + 1 : css_color.rindex(")")]
    if inside.startswith("srgb"):
        red, green, blue = (float(part) for part in inside.split()[1:4])
    else:
        red, green, blue = (float(part) / 255 for part in inside.split(",")[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def computed(locator, prop: str, limit: float = 60) -> str:
    """A computed style of the element, read while it is in the page: a refresh can replace
    a row between finding it and reading it, and a detached element has no style. Each try
    finds the element again."""
    deadline = time.monotonic() + limit
    while True:
        value = locator.evaluate(
            "(el, prop) => el.isConnected ? getComputedStyle(el)[prop] : ''", prop
        )
        if value or time.monotonic() > deadline:
            return value


def test_the_panel_is_dark_in_the_dark_theme(dark_lab, page):
    open_notebook(page, dark_lab, "dark.ipynb")
    run_cell_source(page, "%load_ext tensor_inspector\nimport torch\nt1 = torch.ones([3, 5])")
    wait_until_idle(page)
    panel = page.locator(".tensor-inspector").first
    cell = panel.locator('[data-tensor="t1"] [data-field="shape"]')
    cell.wait_for()
    background = computed(panel, "backgroundColor")
    text = computed(cell, "color")
    assert luminance(background) < 0.3, background
    assert luminance(text) > 0.6, text
    # A new row is marked, and stays readable: dark tint, light text.
    marked = computed(cell, "backgroundColor")
    assert marked != background
    assert luminance(marked) < 0.35, marked
    panel.scroll_into_view_if_needed()
    screenshot(page, "dark-theme")
    assert page.errors == []
