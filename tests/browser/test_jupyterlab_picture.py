"""Values as pictures in a real JupyterLab 4: a heatmap in order of colour, the NaN mark, the
index of another dimension, drag-to-zoom, an image, and the docked sidebar."""

import nbformat
import pytest
from playwright.sync_api import expect

from tests.browser.lab import (
    ARTIFACTS,
    PRELUDE,
    change_theme,
    copy_to_docs,
    open_notebook,
    overflowing,
    record_page_errors,
    run_all_cells,
    run_cell_source,
    start_server,
    wait_until_idle,
)

pytestmark = pytest.mark.browser

TENSORS = """\
grid = torch.arange(12.).reshape(3, 4)
holes = torch.tensor([[1.0, float('nan')], [float('inf'), -2.0]])
cube = torch.arange(24.).reshape(2, 3, 4)
torch.manual_seed(0)
big = torch.randn(300, 300).to('sim')
ys, xs = torch.meshgrid(torch.linspace(0, 1, 32), torch.linspace(0, 1, 32), indexing='ij')
img = torch.stack([xs, ys, torch.full_like(xs, 0.5)])
model = torch.nn.Sequential(torch.nn.Linear(48, 32), torch.nn.Tanh(), torch.nn.Linear(32, 10))
# Eight 32x32 pictures: a disc moving right, its colour turning from red to green.
u, v = torch.meshgrid(torch.linspace(-1, 1, 32), torch.linspace(-1, 1, 32), indexing='ij')
discs = [((v - 0.7 + 0.2 * i) ** 2 + u ** 2 < 0.15).float() for i in range(8)]
batch = torch.stack([torch.stack([d * (1 - i / 7), d * i / 7, 0.3 + 0.4 * (u + 1) / 2 * (1 - d)])
                     for i, d in enumerate(discs)])
last = torch.ones(1)"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("picture")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(PRELUDE + "\nimport torch\n%load_ext tensor_inspector"),
        nbformat.v4.new_code_cell(TENSORS),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, root / "picture.ipynb")
    server = start_server("jupyterlab", root, tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def page(lab, browser):
    """One notebook for the whole file: its tensors are made once."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    record_page_errors(page)
    open_notebook(page, lab, "picture.ipynb")
    run_all_cells(page)
    page.locator('.tensor-inspector [data-tensor="last"]').first.wait_for(timeout=120_000)
    wait_until_idle(page)
    yield page
    context.close()


@pytest.fixture
def panel(page):
    yield page.locator(".tensor-inspector").first
    assert page.errors == []


def open_picture(panel, name: str):
    """Click a row's picture button; the picture, once its canvas is drawn."""
    view = panel.locator('[data-role="picture"]')
    if view.is_visible() and view.get_attribute("data-picture-of") == name:
        return view
    panel.locator(f'[data-tensor="{name}"] button[data-action="picture"]').click()
    expect(view.locator("[data-role=picture-title]")).to_contain_text(f"picture of {name}:")
    view.scroll_into_view_if_needed()
    return view


def cell_colours(canvas) -> list[list[int]]:
    """The colour at the centre of each cell, row by row, read from the canvas itself."""
    return canvas.evaluate(
        """(canvas) => {
          const cell = +canvas.dataset.cell, rows = +canvas.dataset.rows, cols = +canvas.dataset.columns;
          const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          const out = [];
          for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
            const i = ((Math.floor((r + 0.5) * cell)) * canvas.width + Math.floor((c + 0.5) * cell)) * 4;
            out.push([data[i], data[i + 1], data[i + 2]]);
          }
          return out;
        }"""
    )


def corner_colour(canvas, row: int, column: int) -> list[int]:
    """A cell's fill, one pixel in from its corner (a mark's glyph sits in the middle)."""
    return canvas.evaluate(
        """(canvas, [row, column]) => {
          const cell = +canvas.dataset.cell;
          const d = canvas.getContext('2d').getImageData(column * cell + 1, row * cell + 1, 1, 1).data;
          return [d[0], d[1], d[2]];
        }""",
        [row, column],
    )


def hover(page, canvas, row: int, column: int) -> None:
    box = canvas.bounding_box()
    rows, columns = (
        int(canvas.get_attribute("data-rows")),
        int(canvas.get_attribute("data-columns")),
    )
    page.mouse.move(
        box["x"] + (column + 0.5) * box["width"] / columns,
        box["y"] + (row + 0.5) * box["height"] / rows,
    )


def luminance(rgb) -> float:
    def linear(channel):
        s = channel / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def test_the_heatmap_of_an_arange_has_12_cells_in_order_of_colour(page, panel):
    view = open_picture(panel, "grid")
    canvas = view.locator("canvas[data-role=picture-canvas]")
    expect(canvas).to_have_attribute("data-rows", "3")
    expect(canvas).to_have_attribute("data-columns", "4")
    expect(canvas).to_have_attribute("data-scale", "sequential")
    light = [luminance(rgb) for rgb in cell_colours(canvas)]
    assert light == sorted(light) and len(set(light)) == 12, light
    hover(page, canvas, 1, 2)
    expect(view.locator("[data-role=picture-hover]")).to_have_text("[1, 2] = 6")
    expect(view.locator("[data-role=picture-legend]")).to_contain_text("min 0")
    expect(view.locator("[data-role=picture-legend]")).to_contain_text("max 11")


def test_a_nan_cell_carries_the_nan_mark(page, panel):
    view = open_picture(panel, "holes")
    canvas = view.locator("canvas[data-role=picture-canvas]")
    expect(canvas).to_have_attribute("data-marks", "nan:0,1 posinf:1,0")
    assert corner_colour(canvas, 0, 1) == [128, 128, 128]  # the NaN fill, on no scale
    assert corner_colour(canvas, 1, 0) == [0, 0, 0]  # +Inf's
    assert corner_colour(canvas, 0, 0) != corner_colour(canvas, 0, 1)
    expect(view.locator('[data-mark="nan"]')).to_have_text("× NaN 1")
    expect(view.locator('[data-mark="posinf"]')).to_have_text("▲ +Inf 1")
    hover(page, canvas, 0, 1)
    expect(view.locator("[data-role=picture-hover]")).to_have_text("[0, 1] = nan")
    # Values on both sides of zero: a diverging scale, white at zero.
    expect(canvas).to_have_attribute("data-scale", "diverging")


def test_changing_at_changes_the_slice(page, panel):
    view = open_picture(panel, "cube")
    canvas = view.locator("canvas[data-role=picture-canvas]")
    hover_text = view.locator("[data-role=picture-hover]")
    hover(page, canvas, 2, 3)
    expect(hover_text).to_have_text("[0, 2, 3] = 11")
    index = view.locator('input[name="at-0"]')
    index.fill("1")
    index.press("Enter")
    expect(view.locator('input[name="at-0"]')).to_have_value("1")
    expect(view.locator("[data-role=picture-info]")).to_contain_text("rows: dim 1")
    page.wait_for_function("() => !document.querySelector('[data-role=picture][data-loading]')")
    hover(page, canvas := view.locator("canvas[data-role=picture-canvas]"), 2, 3)
    expect(hover_text).to_have_text("[1, 2, 3] = 23")
    # Shift+arrow steps the index back.
    view.locator('input[name="at-0"]').press("Shift+ArrowLeft")
    expect(view.locator('input[name="at-0"]')).to_have_value("0")
    hover(page, view.locator("canvas[data-role=picture-canvas]"), 0, 0)
    expect(hover_text).to_have_text("[0, 0, 0] = 0")
    # The drop-down shows other dims: depth (dim 0) down the rows.
    view.locator('select[name="dims"]').select_option("0,2")
    expect(view.locator("canvas[data-role=picture-canvas]")).to_have_attribute("data-rows", "2")
    expect(view.locator('input[name="at-1"]')).to_have_value("0")


def test_a_zoom_requests_the_window_at_full_resolution_and_esc_zooms_out(page, panel):
    view = open_picture(panel, "big")
    info = view.locator("[data-role=picture-info]")
    expect(info).to_contain_text("every 5th row and column")
    canvas = view.locator("canvas[data-role=picture-canvas]")
    expect(canvas).to_have_attribute("data-rows", "60")
    box = canvas.bounding_box()
    cell = box["width"] / 60
    page.mouse.move(box["x"] + cell / 2, box["y"] + cell / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 9.5 * cell, box["y"] + 9.5 * cell, steps=5)
    page.mouse.up()
    # Ten strided cells a side cover rows and columns 0-49: read again, every value.
    expect(info).to_contain_text("rows: dim 0 [0:50], columns: dim 1 [0:50]")
    expect(info).not_to_contain_text("every")
    expect(view.locator("canvas[data-role=picture-canvas]")).to_have_attribute("data-rows", "50")
    view.press("Escape")
    expect(info).to_contain_text("rows: dim 0 [0:300]")
    expect(view.locator("canvas[data-role=picture-canvas]")).to_have_attribute("data-rows", "60")


def test_a_changed_tensor_offers_a_redraw(page, panel):
    view = open_picture(panel, "big")
    run_cell_source(page, "big.mul_(-1);")
    wait_until_idle(page)
    redraw = view.locator('button[data-action="redraw"]')
    expect(redraw).to_have_text("changed: redraw")
    redraw.click()
    expect(redraw).to_have_count(0)


def test_a_3x32x32_tensor_renders_as_an_image(page, panel):
    view = open_picture(panel, "img")
    expect(view.locator("canvas[data-role=picture-canvas]")).to_have_attribute(
        "data-scale", "sequential"
    )
    view.locator('button[data-action="as-image"]').click()
    canvas = view.locator("canvas[data-role=picture-canvas]")
    expect(canvas).to_have_attribute("data-scale", "image")
    expect(canvas).to_have_attribute("data-rows", "32")
    expect(view.locator("[data-role=picture-info]")).to_contain_text(
        "channels in dim 0, clipped to [0, 1]"
    )
    colours = cell_colours(canvas)
    assert colours[31] == [255, 0, 128]  # row 0, last column: x = 1, y = 0, blue 0.5
    assert colours[31 * 32] == [0, 255, 128]
    hover(page, canvas, 0, 31)
    expect(view.locator("[data-role=picture-hover]")).to_have_text("[:, 0, 31] = (1, 0, 0.5)")


def test_pictures_of_a_weight_matrix_and_an_image_batch(page, panel):
    view = open_picture(panel, "model.0.weight")
    expect(view.locator("canvas[data-role=picture-canvas]")).to_have_attribute("data-rows", "32")
    expect(view.locator("canvas[data-role=picture-canvas]")).to_have_attribute(
        "data-scale", "diverging"
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    view.screenshot(path=str(ARTIFACTS / "picture-weight.png"))
    copy_to_docs(ARTIFACTS / "picture-weight.png", "picture-weight.png")

    view = open_picture(panel, "batch")
    view.locator('button[data-action="as-image"]').click()
    expect(view.locator("canvas[data-role=picture-canvas]")).to_have_attribute(
        "data-scale", "image"
    )
    view.locator('input[name="at-0"]').fill("3")
    view.locator('input[name="at-0"]').press("Enter")
    expect(view.locator("[data-role=picture-hover]")).to_be_visible()
    page.wait_for_function("() => !document.querySelector('[data-role=picture][data-loading]')")
    hover(page, view.locator("canvas[data-role=picture-canvas]"), 16, 16)
    expect(view.locator("[data-role=picture-hover]")).to_contain_text("[3, :, 16, 16]")
    view.screenshot(path=str(ARTIFACTS / "picture-batch.png"))
    copy_to_docs(ARTIFACTS / "picture-batch.png", "picture-batch.png")


def css_luminance(locator, prop: str) -> float:
    rgb = locator.evaluate(f"(node) => getComputedStyle(node).{prop}")
    channels = [int(part) for part in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    return luminance(channels)


def test_the_picture_reads_in_the_dark_theme(page, panel):
    view = open_picture(panel, "holes")
    change_theme(page, "JupyterLab Dark")
    info = view.locator("[data-role=picture-info]")
    legend = view.locator('[data-mark="nan"]')
    expect(legend).to_have_text("× NaN 1")
    assert css_luminance(panel, "backgroundColor") < 0.1
    assert css_luminance(info, "color") > 0.3 and css_luminance(legend, "color") > 0.5
    # The marks keep their own colours whatever the theme.
    canvas = view.locator("canvas[data-role=picture-canvas]")
    assert corner_colour(canvas, 0, 1) == [128, 128, 128]
    change_theme(page, "JupyterLab Light")


def test_the_picture_fits_a_360_px_window_and_the_docked_sidebar(page, panel):
    open_picture(panel, "model.0.weight")
    page.set_viewport_size({"width": 360, "height": 800})
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    page.wait_for_timeout(300)
    assert not (found := overflowing(panel)), found

    page.set_viewport_size({"width": 1024, "height": 900})
    run_cell_source(page, "%tensor_inspector side")
    docked = page.locator("#jp-right-stack .tensor-inspector")
    docked.locator('[data-tensor="last"]').wait_for(timeout=60_000)
    wait_until_idle(page)
    width = docked.evaluate("(root) => root.clientWidth")
    assert width <= 320, f"the sidebar is {width} px wide"
    docked.locator('[data-tensor="model.0.weight"] button[data-action="picture"]').click()
    view = docked.locator('[data-role="picture"]')
    canvas = view.locator("canvas[data-role=picture-canvas]")
    expect(canvas).to_have_attribute("data-rows", "32")
    view.scroll_into_view_if_needed()
    assert not (found := overflowing(docked)), found
    assert canvas.bounding_box()["width"] <= width
