// The graph view's pure parts: the layout (dagre over plain data) and the edge values.
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatGradient, layoutGraph } from "../../js/components/GraphView.js";

const chain = {
  root: "a",
  nodes: [
    { id: "a", label: "MulBackward0", kind: "op", name: "z", shape: [], device: "cpu", grad: 1 },
    { id: "b", label: "SumBackward0", kind: "op", name: null, shape: null, device: null, grad: 3 },
    { id: "c", label: "PowBackward0", kind: "op", name: "y", shape: [3], device: "cpu", grad: [3, 3, 3] },
    { id: "d", label: "AccumulateGrad", kind: "leaf", name: "t5", receives_grad: true, shape: [3], device: "cpu", grad: [6, 12, 18] },
  ],
  edges: [
    { source: "a", target: "b" },
    { source: "b", target: "c" },
    { source: "c", target: "d" },
  ],
};

test("every node gets a place, each below the one it feeds", () => {
  const g = layoutGraph(chain);
  const y = (id) => g.node(id).y;
  assert.ok(y("a") < y("b") && y("b") < y("c") && y("c") < y("d"));
  assert.deepEqual(g.node("d").lines, ["t5", "[3] cpu", "receives .grad"]);
  assert.deepEqual(g.node("c").lines, ["y = PowBackward0", "[3] cpu"]);
});

test("an edge carries the gradient flowing into the node it points to", () => {
  const g = layoutGraph(chain);
  assert.equal(g.edge("a", "b").label, "3.");
  assert.equal(g.edge("c", "d").label, "[6., 12., 18.]");
});

test("a large gradient is summarised", () => {
  assert.equal(formatGradient({ shape: [100, 100], min: -1.5, max: 2, mean: 0.125 }), "[100, 100] min -1.5 max 2 mean 0.125");
  assert.equal(formatGradient(undefined), "");
});
