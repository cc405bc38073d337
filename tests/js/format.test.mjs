// How values read in the table: as PyTorch prints them. Run with `node --test`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatGrad, formatShapeDtype, formatValues } from "../../js/format.js";

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
  assert.equal(formatLastCell(memory), " · last cell: +3.9 KB on cpu, -2.0 KB on cuda:0, cuda:0 allocator -2.0 KB, 2.0 MB reserved");
});
