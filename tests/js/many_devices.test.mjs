// Many devices in the panel's words: a module split over devices, a DTensor's shape cell.
// Run with `node --test`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatModule } from "../../js/components/ModuleLines.js";
import { formatDTensor, formatPlacement } from "../../js/format.js";

test("a DTensor reads its global shape, placements, mesh and local shape", () => {
  const dtensor = { placements: ["Shard(dim=0)"], mesh: { device_type: "cpu", shape: [2], dim_names: ["dp"] }, local_shape: [4, 4], rank: 1 };
  assert.equal(formatDTensor([8, 4], dtensor), "[8, 4] · Shard(0) on cpu[2] · local [4, 4]");
  const mesh2d = { placements: ["Replicate()", "Partial(sum)"], mesh: { device_type: "cuda", shape: [2, 4], dim_names: null }, local_shape: [8, 4] };
  assert.equal(formatDTensor([8, 4], mesh2d), "[8, 4] · Replicate(), Partial(sum) on cuda[2, 4] · local [8, 4]");
  assert.equal(formatPlacement("Shard(dim=-1)"), "Shard(-1)");
  // Whatever arrives, a cell gets text, never an exception.
  assert.equal(typeof formatDTensor(null, {}), "string");
  assert.equal(typeof formatDTensor([1], null), "string");
});

test("a module on one device reads as before; split over two, it counts each", () => {
  const one = { name: "net", type: "Linear", devices: ["cuda:0"], device_counts: { "cuda:0": 2 }, tensors: 2, fully_shard: false };
  assert.equal(formatModule(one), "net: Linear, 2 tensors on cuda:0");
  const split = { name: "model", type: "Sequential", devices: ["cuda:0", "cuda:1"], device_counts: { "cuda:0": 2, "cuda:1": 6 }, tensors: 8 };
  assert.equal(formatModule(split), "model: Sequential, 8 tensors split over 2 devices: 2 on cuda:0, 6 on cuda:1");
  const sharded = { name: "mlp", type: "FSDPSequential", devices: ["cpu"], device_counts: { cpu: 4 }, tensors: 4, fully_shard: true };
  assert.equal(formatModule(sharded), "mlp: FSDPSequential, 4 tensors on cpu · sharded with fully_shard");
  assert.equal(formatModule({ name: "empty", type: "ReLU", tensors: 0 }), "empty: ReLU, 0 tensors on no device");
});
