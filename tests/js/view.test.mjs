// The table's view over 10,000 rows: filter, sort, group, pages. Run with `node --test`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildView, deviceTotals, memoryOf, PAGE_SIZE } from "../../js/view.js";

function rows(count) {
  return Array.from({ length: count }, (_, i) => ({
    name: `t${i}`,
    aliases: i === 3 ? ["weights"] : [],
    device: i % 3 === 0 ? "cuda:0" : "cpu",
    storage_nbytes: (i % 7) * 100,
    nbytes: (i % 7) * 100,
    is_view: i % 50 === 1,
  }));
}

test("ten thousand rows render one page at a time", () => {
  const view = buildView(rows(10_000));
  assert.equal(view.items.length, PAGE_SIZE);
  assert.equal(view.total, 10_000);
  assert.equal(view.pages, Math.ceil(10_000 / PAGE_SIZE));
  const last = buildView(rows(10_000), { page: 999 });
  assert.equal(last.page, view.pages - 1);
  assert.equal(last.items.at(-1).row.name, "t9999");
});

test("the filter narrows by name and alias", () => {
  assert.deepEqual(buildView(rows(10_000), { filter: "t9999" }).items.map((i) => i.row.name), ["t9999"]);
  assert.deepEqual(buildView(rows(10), { filter: "WEIGHT" }).items.map((i) => i.row.name), ["t3"]);
  assert.equal(buildView(rows(10), { filter: "nothing" }).shown, 0);
});

test("sorting by name is natural, by memory largest first, by device grouped", () => {
  const byName = buildView(rows(12), { sort: "name" }).items.map((i) => i.row.name);
  assert.deepEqual(byName.slice(0, 3), ["t0", "t1", "t2"]);
  assert.equal(byName.at(-1), "t11");
  const byMemory = buildView(rows(12), { sort: "memory" }).items.map((i) => memoryOf(i.row));
  assert.deepEqual(byMemory, [...byMemory].sort((a, b) => b - a));
  const byDevice = buildView(rows(12), { sort: "device" }).items.map((i) => i.row.device);
  assert.deepEqual(byDevice, [...byDevice].sort());
});

test("grouping by device adds a subtotal header per device, counting views once", () => {
  const data = rows(100);
  const view = buildView(data, { group: true });
  const groups = view.items.filter((i) => i.group).map((i) => i.group);
  assert.deepEqual(groups.map((g) => g.device), ["cpu", "cuda:0"]);
  const totals = deviceTotals(data);
  assert.equal(groups[0].count + groups[1].count, 100);
  const expectedCpu = data.filter((r) => r.device === "cpu" && !r.is_view).reduce((s, r) => s + r.storage_nbytes, 0);
  assert.equal(totals.get("cpu").bytes, expectedCpu);
});
