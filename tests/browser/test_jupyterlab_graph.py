"""The autograd graph of the learner's z, and a traced backward, in a real JupyterLab 4."""

import pytest
from playwright.sync_api import expect

from tests.browser.lab import (
    click,
    copy_to_docs,
    notebook_root,
    open_panel,
    screenshot,
    start_server,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server = start_server(
        "jupyterlab", notebook_root(tmp_path_factory, ["graph.ipynb"]), tmp_path_factory
    )
    yield server
    server.stop()


def test_the_graph_of_z_shows_the_chain_rule_as_numbers(lab, page):
    panel = open_panel(page, lab, "graph.ipynb")
    click(panel, "z", "graph")
    graph = panel.locator('[data-role="graph"]')
    expect(graph).to_be_visible()
    expect(graph.locator('[data-name="z"]')).to_contain_text("MulBackward0")
    expect(graph.locator('[data-name="y"]')).to_contain_text("PowBackward0")
    leaf = graph.locator('[data-kind="leaf"]')
    expect(leaf).to_contain_text("t5")
    expect(leaf).to_contain_text("receives .grad")

    graph.locator('button[data-action="trace"]').click()
    values = graph.locator("[data-edge-label]")
    expect(values).to_have_count(4)
    assert sorted(values.all_text_contents()) == [
        "1.",
        "3.",
        "[3., 3., 3.]",
        "[6., 12., 18.]",
    ]
    graph.scroll_into_view_if_needed()
    copy_to_docs(screenshot(page, "autograd-graph"), "autograd-graph.png")
    assert page.errors == []
