"""What the autograd graph costs: extracting a 5,000-node graph in the kernel (metadata only),
and laying out and drawing 200 and 1,000 nodes in Chromium (the panel's own GraphView)."""

from __future__ import annotations

import torch

from bench.browser import component_page, have_chromium
from bench.timing import measure
from tensor_inspector.graph import graph_of, with_results

RENDER = """(graph) => {
  const view = new window.GraphView({ onExpand() {}, onTrace() {} });
  document.body.replaceChildren(view.el);
  const start = performance.now();
  view.show("out", graph);
  view.el.getBoundingClientRect();  // layout and style, as the browser paints it
  return performance.now() - start;
}"""


def _network(nodes: int) -> torch.Tensor:
    """The loss of a stack of Linear + Tanh layers: about five graph nodes a layer (addmm,
    the weight's transpose, two leaves, tanh), as a small network's graph looks."""
    layers = []
    for _ in range(max(1, nodes // 5)):
        layers += [torch.nn.Linear(4, 4), torch.nn.Tanh()]
    return torch.nn.Sequential(*layers)(torch.ones(2, 4)).sum()


def _count(tensor: torch.Tensor) -> int:
    stack, seen = [tensor.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(child for child, _ in node.next_functions)
    return len(seen)


def run() -> list[str]:
    x = torch.ones(3, requires_grad=True)
    h = x
    for _ in range(5000):
        h = h * 1.0
    chain = h.sum()
    names = {id(chain): "chain", id(x): "x"}
    results = with_results([("chain", chain)])
    extract = measure(lambda: graph_of(chain, names, results, max_nodes=5000), 20)
    capped = measure(lambda: graph_of(chain, names, results), 50)
    rows = [
        "| graph | time | target |",
        "|---|---:|---:|",
        f"| extract a 5,002-node chain, all of it (kernel) | {extract.ms()} | |",
        f"| extract it capped at 200 nodes, counting the rest (kernel) | {capped.ms()} | |",
    ]
    rows += _render_rows()
    return [*rows, "", "Rendering is the panel's GraphView (dagre layout, SVG) in Debian's "
            "Chromium, headless; the graphs are those of stacks of Linear and Tanh layers."]  # fmt: skip


def _render_rows() -> list[str]:
    if not have_chromium():
        return ["| layout + render in Chromium | not measured: no /usr/bin/chromium | |"]
    rows = []
    with component_page("js/components/GraphView.js", "GraphView") as page:
        for size in (200, 1000):
            tensor = _network(size)
            graph = graph_of(tensor, {id(tensor): "out"}, {}, max_nodes=size)
            times = sorted(page.evaluate(RENDER, graph) for _ in range(7))
            rows.append(
                f"| layout + render {len(graph['nodes']):,} nodes in Chromium | "
                f"{times[3]:.1f} ms ({times[0]:.1f}–{times[-1]:.1f}) | |"
            )
    return rows
