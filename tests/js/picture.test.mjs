// The picture view's pure parts: full indices, zoom windows, stride words. Run with `node --test`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatValue, indexOf, strideText, windowOf } from "../../js/components/PictureView.js";

const cube = { shape: [2, 300, 5, 300], dims: [1, 3], at: { 0: 1, 2: 4 }, window: [0, 300, 0, 300], step: [5, 5], channels: null };

test("a cell's full index counts the stride and the window, and names the other dims' indices", () => {
  assert.equal(indexOf(cube, 0, 0), "[1, 0, 4, 0]");
  assert.equal(indexOf(cube, 2, 3), "[1, 10, 4, 15]");
  assert.equal(indexOf({ ...cube, window: [100, 150, 7, 20], step: [1, 1] }, 2, 3), "[1, 102, 4, 10]");
  // The kernel's JSON keys are text.
  assert.equal(indexOf({ ...cube, at: { 0: 0, 2: 2 } }, 0, 0), "[0, 0, 2, 0]");
});

test("an image's channels read as ':' and a vector's cells by column", () => {
  const image = { shape: [8, 3, 32, 32], dims: [2, 3], at: { 0: 3 }, window: [0, 32, 0, 32], step: [1, 1], channels: 1 };
  assert.equal(indexOf(image, 5, 6), "[3, :, 5, 6]");
  assert.equal(indexOf({ shape: [40], dims: [0], at: {}, window: [0, 1, 10, 40], step: [1, 1] }, 0, 2), "[12]");
});

test("a dragged rectangle becomes the window it covers, in either direction, inside the old one", () => {
  assert.deepEqual(windowOf(cube, { row: 0, column: 0 }, { row: 9, column: 9 }), [0, 50, 0, 50]);
  assert.deepEqual(windowOf(cube, { row: 9, column: 59 }, { row: 2, column: 50 }), [10, 50, 250, 300]);
  const zoomed = { ...cube, window: [10, 20, 30, 33], step: [1, 1] };
  assert.deepEqual(windowOf(zoomed, { row: 1, column: 0 }, { row: 3, column: 2 }), [11, 14, 30, 33]);
});

test("stride words, and values read out whole", () => {
  assert.equal(strideText([1, 1]), "");
  assert.equal(strideText([5, 5]), "every 5th row and column");
  assert.equal(strideText([2, 1]), "every 2nd row, every column");
  assert.equal(strideText([64, 3]), "every 64th row, every 3rd column");
  assert.equal(formatValue("nan"), "nan");
  assert.equal(formatValue(0.123456789), "0.123457");
  assert.equal(formatValue([1, 0, 0.5]), "(1, 0, 0.5)");
});
