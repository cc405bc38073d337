// What a view says about where the panel is. Run with `node --test`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { placementText } from "../../js/components/PlacementLine.js";

test("the cell's copy of a docked panel says where it went; the docked view says nothing", () => {
  const docked = { state: "side", note: "" };
  assert.equal(placementText(docked, { docked: false, folded: true }), "The tensor panel is docked in the right sidebar.");
  assert.equal(placementText(docked, { docked: true, folded: false }), "");
  assert.equal(placementText(docked, { docked: false, folded: false }), ""); // shown here again
});

test("a panel that cannot dock, or was closed, keeps the kernel's note", () => {
  const note = "This front end has no side panel for widgets";
  assert.equal(placementText({ state: "unsupported", note }, { docked: false, folded: false }), note);
  assert.equal(placementText({ state: "closed", note: "closed" }, { docked: false, folded: false }), "closed");
  assert.equal(placementText({ state: "inline" }, { docked: false, folded: false }), "");
  assert.match(placementText({ state: "docking" }, { docked: false, folded: false }), /reload the page/);
});
