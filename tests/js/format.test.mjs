// How values read in the table: as PyTorch prints them. Run with `node --test`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatGrad, formatGradFull, formatShapeDtype, formatValues, summarizeValues } from "../../js/format.js";

test("a float tensor's whole numbers keep PyTorch's trailing dot", () => {
  assert.equal(formatValues([2, 4, 6], "torch.float32"), "[2., 4., 6.]");
  assert.equal(formatValues([0.5, 1.25], "torch.float64"), "[0.5, 1.25]");
});

test("an integer tensor's values print as integers", () => {
  assert.equal(formatValues([1, 2, 3], "torch.int64"), "[1, 2, 3]");
  assert.equal(formatValues([[0, 1], [2, 3]], "torch.uint8"), "[[0, 1], [2, 3]]");
});

test("booleans and non-finite values read as PyTorch writes them", () => {
  assert.equal(formatValues([true, false], "torch.bool"), "[True, False]");
  assert.equal(formatValues([Number.NaN, Number.POSITIVE_INFINITY], "torch.float32"), "[nan, inf]");
});

test("a grad uses its own dtype, and a large one its shape and device", () => {
  assert.equal(formatGrad({ shape: [3], dtype: "torch.float32", device: "cpu", preview: [6, 12, 18] }), "[6., 12., 18.]");
  assert.equal(formatGrad({ shape: [3], dtype: "torch.float32", device: "cuda:0" }), "[3] on cuda:0");
  assert.equal(formatGrad(null), "None");
});

test("one formatter writes shape, dtype and device", () => {
  assert.equal(formatShapeDtype({ shape: [3], dtype: "torch.float32", device: "cpu" }), "[3], float32, on cpu");
});

test("statistics read as one line, with the non-finite counts", async () => {
  const { formatStats } = await import("../../js/components/StatsLine.js");
  const text = formatStats({ numel: 3, min: 0, max: 1, mean: 0.5, std: 0.7071, nan: 1, posinf: 0, neginf: 0, zeros: 1, note: null });
  assert.equal(text, "min 0 max 1 mean 0.5 std 0.7071 · nan 1 · +inf 0 · -inf 0 · zeros 1 · 3 elements");
});

test("what the last cell cost reads per device, with the allocator on accelerators", async () => {
  const { formatLastCell } = await import("../../js/components/DeviceHeader.js");
  assert.equal(formatLastCell({ last_cell: {}, allocator: {} }), "");
  const memory = { last_cell: { cpu: 4000, "cuda:0": -2048 }, allocator: { "cuda:0": { allocated: 0, reserved: 2097152, allocated_change: -2048 } } };
  assert.equal(formatLastCell(memory), "last cell: +3.9 KB on cpu, -2.0 KB on cuda:0, cuda:0 allocator -2.0 KB, 2.0 MB reserved");
});

test("short values stay whole in their cell; long ones read as their range and count", () => {
  assert.equal(summarizeValues([2, 4, 6], "torch.float32"), "[2., 4., 6.]");
  const sixtyFour = Array.from({ length: 64 }, (_, i) => -0.16 + (0.25 * i) / 63);
  assert.equal(summarizeValues(sixtyFour, "torch.float32"), "x∈[-0.16, 0.09] n=64");
  assert.equal(summarizeValues([[1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11, 12, 13, 14, 15, 16]], "torch.int64"), "x∈[1, 16] n=16");
});

test("a summary says when values are not finite", () => {
  const values = [0.5, "nan", 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, "-inf", 7.5];
  assert.equal(summarizeValues(values, "torch.float32"), "x∈[0.5, 7.5] n=10 NaN! Inf!");
  assert.equal(summarizeValues(["nan", "nan", "nan", "nan", "nan", "nan", "nan"], "torch.float32"), "n=7 NaN!");
});

test("a grad's cell is summarised, and its full values are kept for the values line", () => {
  const grad = { shape: [12], dtype: "torch.float32", device: "cpu", preview: Array.from({ length: 12 }, (_, i) => i * 0.5) };
  assert.equal(formatGrad(grad), "x∈[0., 5.5] n=12");
  assert.equal(formatGradFull(grad), "[0., 0.5, 1., 1.5, 2., 2.5, 3., 3.5, 4., 4.5, 5., 5.5]");
  assert.match(formatGradFull({ shape: [3], dtype: "torch.float32", device: "cuda:0" }), /not read yet/);
});
