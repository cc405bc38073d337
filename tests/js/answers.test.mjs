// What a learner reads in the table: one badge for values that are not finite, a labelled
// range in the stats line, a view's move button disabled with the reason, and an action's
// answers under the row that was clicked.
import assert from "node:assert/strict";
import { test } from "node:test";
import { installFakeDocument } from "./fake_dom.mjs";

installFakeDocument();
const { TensorTable } = await import("../../js/components/TensorTable.js");
const { statsRow } = await import("../../js/components/StatsLine.js");

const row = (name, extra = {}) => ({ name, shape: [3], dtype: "torch.float32", device: "cpu", requires_grad: false, is_leaf: true, grad_fn: null, grad: null, numel: 3, nbytes: 12, storage_nbytes: 12, is_view: false, preview: [1, 2, 3], status: "", ...extra });

function find(node, test) {
  if (test(node)) return node;
  for (const child of node.childNodes ?? []) {
    const found = find(child, test);
    if (found) return found;
  }
  return null;
}

function table(rows, target = "sim:0") {
  const made = new TensorTable({ move() {}, backward() {}, zeroGrad() {}, graph() {}, stats() {}, picture() {} });
  made.context = { target };
  made.replaceAll(rows);
  return made;
}

test("a row and its stats mark NaN and Inf with the same badge", () => {
  const made = table([row("t", { preview: [1, "nan", "-inf"] })]);
  const badge = find(made.body, (node) => node.dataset?.role === "non-finite");
  assert.equal(badge.textContent, "NaN! Inf!");
  const stats = statsRow("t", { numel: 3, min: 1, max: 1, mean: 1, std: 0, nan: 1, posinf: 0, neginf: 1, zeros: 0, hist: [1], hist_range: [1, 1] }, 9);
  assert.equal(find(stats, (node) => node.dataset?.role === "non-finite").textContent, "NaN! Inf!");
  assert.match(stats.textContent, / range \[1, 1\] /);
  const finite = table([row("u")]);
  assert.equal(find(finite.body, (node) => node.dataset?.role === "non-finite"), null);
});

test("a view cannot move alone: its move button is disabled and says why", () => {
  const made = table([row("t1"), row("flat", { is_view: true })]);
  const move = (name) => find(made.body, (node) => node.dataset?.tensor === name).childNodes.at(-1).childNodes.find((b) => b.dataset?.action === "move");
  assert.equal(move("t1").disabled, false);
  assert.equal(move("flat").disabled, true);
  assert.match(move("flat").title, /^flat is a view into another tensor's memory: it cannot move alone/);
});

test("backward through a freed graph is off, and says how to get a graph again", () => {
  const output = { requires_grad: true, is_leaf: false, grad_fn: "SumBackward0", numel: 1, shape: [] };
  const made = table([row("loss", output), row("again", { ...output, graph_freed: true })]);
  const backward = (name) => find(made.body, (node) => node.dataset?.tensor === name).childNodes.at(-1).childNodes.find((b) => b.dataset?.action === "backward");
  assert.ok(!backward("loss").disabled);
  assert.equal(backward("again").disabled, true);
  assert.match(backward("again").title, /^backward\(\) already freed the graph behind again: run the cell that computes again/);
  // A one-element output's backward runs at once: its retain_graph box is under the graph.
  assert.match(backward("again").title, /use traced backward under it with retain_graph ticked/);
});

test("an action's answers show on the line under the clicked row, and go with it", () => {
  const made = table([row("a"), row("b"), row("c")]);
  const answers = document.createElement("div");
  made.answerUnder("b", answers);
  const lines = made.body.childNodes.map((line) => line.dataset.tensor ?? `answer:${line.dataset.answerFor}`);
  assert.deepEqual(lines, ["a", "b", "answer:b", "c"]);
  made.remove(["b"]);
  assert.equal(find(made.body, (node) => node === answers), null);
  made.answerUnder(null);
  assert.deepEqual(made.body.childNodes.map((line) => line.dataset.tensor), ["a", "c"]);
});
