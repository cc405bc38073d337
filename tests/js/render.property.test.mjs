// Whatever numbers the kernel sends (strict JSON: "nan", "inf" and "-inf" as strings; null
// for a missing value; huge, tiny and negative zero numbers), the table, the stats line, the
// module lines, the graph and the memory line render, and never write JavaScript's NaN.
// Random inputs from a seeded generator: a failure prints its seed and case.
import assert from "node:assert/strict";
import { test } from "node:test";
import { installFakeDocument } from "./fake_dom.mjs";

installFakeDocument();
const { formatNumber, formatBytes, formatValues, summarizeValues, formatGrad, formatGradFull } = await import("../../js/format.js");
const { TensorTable } = await import("../../js/components/TensorTable.js");
const { formatStats, statsRow } = await import("../../js/components/StatsLine.js");
const { ModuleLines } = await import("../../js/components/ModuleLines.js");
const { GraphView, formatGradient } = await import("../../js/components/GraphView.js");
const { MemoryLine } = await import("../../js/components/MemoryLine.js");

const CASES = 300;

function generator(seed) {
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const pick = (choices) => choices[Math.floor(random() * choices.length)];
  const SPECIAL = [null, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, "nan", "inf", "-inf",
    1.7976931348623157e308, -1e308, 5e-324, 0, -0, 1, 2.5, 2 ** 53 + 2, 1e21, -3.75e-12, "", "not a number"];
  const number = () => {
    const roll = random();
    if (roll < 0.5) return pick(SPECIAL);
    if (roll < 0.75) return Math.floor(random() * 1e6) - 5e5;
    return (random() - 0.5) * 10 ** Math.floor(random() * 620 - 310);
  };
  const list = (depth = 0) => Array.from({ length: Math.floor(random() * 6) }, () => (depth < 2 && random() < 0.3 ? list(depth + 1) : number()));
  const maybe = (make) => (random() < 0.2 ? null : make());
  const dtype = () => pick(["torch.float32", "torch.float16", "torch.int64", "torch.bool", "torch.complex64", null]);
  const row = (index) => ({
    name: `t${index}`,
    aliases: random() < 0.3 ? [`a${index}`] : [],
    shape: maybe(() => list().flat(2)),
    dtype: dtype(),
    type: pick(["torch.FloatTensor", null]),
    device: pick(["cpu", "cuda:0", "sim:0", null]),
    requires_grad: pick([true, false, null]),
    is_leaf: pick([true, false, null]),
    grad_fn: pick([null, "MulBackward0"]),
    grad: maybe(() => ({ shape: maybe(() => list().flat(2)), dtype: dtype(), device: "cpu", preview: maybe(list) })),
    numel: number(),
    nbytes: number(),
    storage_nbytes: number(),
    is_view: pick([true, false]),
    preview: pick([null, list(), number()]),
    status: pick(["", "new", "changed", "error"]),
  });
  const stats = () => ({
    numel: number(), min: number(), max: number(), mean: number(), std: number(),
    nan: number(), posinf: number(), neginf: number(), zeros: number(),
    hist: pick([null, Array.from({ length: 10 }, number)]),
    hist_range: pick([null, [number(), number()]]),
    note: pick([null, "integers: nan and inf cannot occur"]),
  });
  const moduleStats = () => ({
    parameters: Object.fromEntries(
      Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) => [
        `model.${i}.weight`, { ...stats(), grad_norm: number(), grad_health: pick([null, "dead", "vanishing", "exploding"]) },
      ]),
    ),
  });
  const graph = () => {
    const count = 1 + Math.floor(random() * 5);
    const nodes = Array.from({ length: count }, (_, i) => ({
      id: `n${i}`, label: i === count - 1 ? "AccumulateGrad" : "MulBackward0", kind: i === count - 1 ? "leaf" : "op",
      name: pick([null, `x${i}`]), receives_grad: pick([true, false]), shape: maybe(() => list().flat(2)), device: pick([null, "cpu"]),
      grad: pick([undefined, null, number(), list(), { shape: list().flat(2), min: number(), max: number(), mean: number() }]),
    }));
    const edges = nodes.slice(1).map((node, i) => ({ source: `n${i}`, target: node.id }));
    return { root: "n0", nodes, edges, truncated: number(), cut: pick([[], ["n0"]]), freed: pick([true, false]) };
  };
  const memory = () => ({
    unnamed: Array.from({ length: Math.floor(random() * 3) }, () => ({ shape: maybe(() => list().flat(2)), dtype: dtype(), device: "cpu", nbytes: number(), held_by: ["Out[3]"] })),
    count: number(),
    totals: { cpu: number(), "cuda:0": number() },
  });
  return { number, list, row, stats, moduleStats, graph, memory, pick };
}

// JavaScript's own NaN, Infinity or undefined in a text means a number went unformatted.
const LEAKED = /NaN(?![!/])|Infinity|undefined/;

function text(node) {
  return node?.textContent ?? "";
}

function eachCase(check) {
  for (let seed = 1; seed <= CASES; seed += 1) {
    const make = generator(seed * 2654435761);
    try {
      check(make);
    } catch (error) {
      error.message = `seed ${seed}: ${error.message}`;
      throw error;
    }
  }
}

test("formatNumber writes every value the kernel can send as text", () => {
  assert.equal(formatNumber("nan"), "nan");
  assert.equal(formatNumber("inf"), "inf");
  assert.equal(formatNumber("-inf"), "-inf");
  assert.equal(formatNumber(null), "–");
  assert.equal(formatNumber(1.7976931348623157e308), "1.798e+308");
  assert.equal(formatNumber(Number.NaN), "nan");
  assert.equal(formatNumber(-0.000123456, 3), "-0.000123");
  eachCase(({ number }) => {
    const value = number();
    const written = formatNumber(value, 3);
    assert.equal(typeof written, "string");
    assert.doesNotMatch(written, LEAKED, `${String(value)} -> ${written}`);
    for (const format of [formatBytes, formatValues, summarizeValues]) assert.equal(typeof format(value), "string");
  });
});

test("random rows render in the table, with their values, grads and stats open", () => {
  eachCase(({ row, stats, pick }) => {
    const table = new TensorTable({ move() {}, backward() {}, zeroGrad() {}, graph() {}, stats() {} });
    table.setContext({ target: pick([null, "cuda:0"]) });
    const rows = Array.from({ length: 4 }, (_, i) => row(i));
    table.replaceAll(rows);
    for (const shown of rows) {
      table.showStats(shown.name, stats());
      table.toggleValues(shown.name);
      assert.equal(typeof formatGrad(shown.grad), "string");
      assert.equal(typeof formatGradFull(shown.grad), "string");
    }
    table.setOptions({ group: true, sort: "memory" });
    for (const tr of table.body.childNodes) {
      if (tr.dataset.status !== "error") assert.doesNotMatch(text(tr), LEAKED, text(tr));
    }
  });
});

test("random statistics render as their line and sparkline", () => {
  eachCase(({ stats }) => {
    const computed = stats();
    const line = formatStats(computed);
    assert.doesNotMatch(line, LEAKED, line);
    assert.doesNotMatch(text(statsRow("t", computed, 9)), LEAKED);
  });
});

test("random module statistics render as the module's parameter list", () => {
  eachCase(({ moduleStats, pick }) => {
    const lines = new ModuleLines({ onMove() {}, onStats() {} });
    const modules = [{ name: "model", type: "Sequential", tensors: 4, devices: ["cpu"] }];
    lines.showStats("model", moduleStats(), modules, { target: pick([null, "cuda:0"]) });
    assert.doesNotMatch(text(lines.el), LEAKED, text(lines.el));
  });
});

test("random graphs, traced or not, render with their edge values", () => {
  eachCase(({ graph }) => {
    const drawn = graph();
    const view = new GraphView({ onExpand() {}, onTrace() {} });
    view.show("z", drawn);
    for (const node of drawn.nodes) assert.doesNotMatch(formatGradient(node.grad), LEAKED);
  });
});

test("random memory held without a name renders", () => {
  eachCase(({ memory }) => {
    const line = new MemoryLine({ onScan() {}, onRelease() {} });
    line.show(memory());
    assert.doesNotMatch(text(line.el), LEAKED, text(line.el));
  });
});
