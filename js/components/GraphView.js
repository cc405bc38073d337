// The autograd graph behind a tensor, under the table: op nodes named after the user's
// tensors, leaves that receive .grad, and after a traced backward the gradient flowing along
// each edge (the chain rule as numbers). Laid out by dagre.
import dagre from "@dagrejs/dagre";
import { button, element } from "../dom.js";
import { formatNumber, formatShape, formatValues } from "../format.js";

const SVG = "http://www.w3.org/2000/svg";
const CHAR_WIDTH = 7; // px per character of the 12px monospace labels
const LINE_HEIGHT = 15;

function svg(tag, attributes = {}, text = "") {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text) node.textContent = text;
  return node;
}

/** The gradient flowing into a node, as text: values, or a summary of a large one. */
export function formatGradient(grad) {
  if (grad == null) return "";
  if (typeof grad === "object" && !Array.isArray(grad)) {
    return `${formatShape(grad.shape)} min ${formatNumber(grad.min, 3)} max ${formatNumber(grad.max, 3)} mean ${formatNumber(grad.mean, 3)}`;
  }
  return formatValues(grad, "float");
}

function nodeLines(node) {
  const lines = [node.name ? `${node.name} = ${node.label}` : node.label];
  if (node.kind === "leaf") lines[0] = node.name ?? "(leaf)";
  if (node.shape) lines.push(`${formatShape(node.shape)} ${node.device ?? ""}`.trim());
  if (node.kind === "leaf") lines.push(node.receives_grad ? "receives .grad" : "no grad");
  return lines;
}

/** Where each node and edge goes (pure: dagre over plain data). */
export function layoutGraph(graph) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 46, marginx: 8, marginy: 22 }); // room above the root for its value
  g.setDefaultEdgeLabel(() => ({}));
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  for (const node of graph.nodes) {
    const lines = nodeLines(node);
    const width = Math.max(...lines.map((line) => line.length)) * CHAR_WIDTH + 16;
    g.setNode(node.id, { width, height: lines.length * LINE_HEIGHT + 10, lines, node });
  }
  for (const edge of graph.edges) {
    const label = formatGradient(byId.get(edge.target)?.grad);
    g.setEdge(edge.source, edge.target, { label, width: label.length * CHAR_WIDTH, height: label ? LINE_HEIGHT : 0, labelpos: "c" });
  }
  dagre.layout(g);
  return g;
}

export class GraphView {
  /** @param {{onExpand: (name: string, ids: string[]) => void, onTrace: (name: string, options: {retain_graph: boolean}) => void}} handlers */
  constructor({ onExpand, onTrace }) {
    this.onExpand = onExpand;
    this.onTrace = onTrace;
    this.name = null;
    this.expanded = [];
    this.el = element("div", { "data-role": "graph", hidden: true });
  }

  hide() {
    this.el.hidden = true;
    this.el.replaceChildren();
    this.name = null;
    this.expanded = [];
  }

  /** @param {string} name @param {object} graph what inspector.graph() returns */
  show(name, graph) {
    if (name !== this.name) this.expanded = [];
    this.name = name;
    this.el.dataset.tensor = name;
    const traced = graph.nodes.some((node) => node.grad !== undefined);
    const header = element(
      "div",
      { className: "ti-graph-header" },
      element("span", {}, `autograd graph of ${name}: ${graph.nodes.length} node${graph.nodes.length === 1 ? "" : "s"}`),
    );
    if (graph.truncated > 0) header.append(element("span", { "data-role": "graph-more" }, ` (+${graph.truncated} more)`));
    if (graph.nodes[0]?.kind === "op") {
      // A freed graph cannot run backward again: the button says why instead of failing.
      const freed = !!graph.freed;
      const keep = element("input", { type: "checkbox", name: "retain_graph", disabled: freed });
      const title = freed
        ? `backward() already freed this graph: recompute ${name} to trace it (tick retain_graph then to keep the graph)`
        : `backward() from ${name}, recording the gradient into each node`;
      const trace = button("trace", "traced backward", { title, disabled: freed, onclick: () => this.onTrace(name, { retain_graph: keep.checked }) });
      header.append(trace, element("label", { title: "Keep the graph after backward(), to run it again" }, keep, " retain_graph"));
    }
    header.append(button("close-graph", "close", { onclick: () => this.hide() }));
    const notes = [];
    if (graph.freed && !traced) {
      notes.push(
        element(
          "div",
          { className: "ti-graph-note", "data-role": "graph-freed" },
          `backward() already freed this graph's saved values: recompute ${name} to run backward again, or pass retain_graph=True to keep the graph.`,
        ),
      );
    }
    this.el.replaceChildren(header, ...notes, this.render(graph));
    this.el.hidden = false;
  }

  render(graph) {
    const g = layoutGraph(graph);
    const { width, height } = g.graph();
    const canvas = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, class: "ti-graph" });
    for (const key of g.edges()) {
      const edge = g.edge(key);
      const points = edge.points.map((p) => `${p.x},${p.y}`).join(" ");
      canvas.append(svg("polyline", { points, class: "ti-graph-edge", "data-source": key.v, "data-target": key.w }));
      if (edge.label) {
        const label = svg("text", { x: edge.x, y: edge.y + 4, class: "ti-graph-value", "data-edge-label": "", "data-target": key.w }, edge.label);
        canvas.append(label);
      }
    }
    const cut = new Set(graph.cut ?? []);
    for (const id of g.nodes()) {
      const { x, y, width: w, height: h, lines, node } = g.node(id);
      const group = svg("g", { "data-node": id, "data-kind": node.kind, "data-name": node.name ?? "", class: `ti-graph-node ti-${node.kind}` });
      group.append(svg("rect", { x: x - w / 2, y: y - h / 2, width: w, height: h, rx: 4 }));
      lines.forEach((line, index) => {
        group.append(svg("text", { x, y: y - h / 2 + 5 + LINE_HEIGHT * (index + 0.8), "text-anchor": "middle" }, line));
      });
      if (id === graph.root && node.grad !== undefined) {
        group.append(svg("text", { x, y: y - h / 2 - 4, "text-anchor": "middle", class: "ti-graph-value", "data-edge-label": "", "data-target": id }, formatGradient(node.grad)));
      }
      if (cut.has(id)) {
        const more = svg("text", { x: x + w / 2 + 4, y: y + 4, class: "ti-graph-expand", "data-action": "expand", "data-node": id }, "+ more");
        more.addEventListener("click", () => {
          this.expanded = [...this.expanded, id];
          this.onExpand(this.name, this.expanded);
        });
        group.append(more);
      }
      canvas.append(group);
    }
    return element("div", { className: "ti-graph-scroll" }, canvas);
  }
}
