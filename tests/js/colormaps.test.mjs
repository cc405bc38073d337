// Colour maps and the pixels of a picture. Run with `node --test`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { chooseScale, colorOf, diverging, gradientCss, luminance, MARKS, markOf, paint, pixelOf, position, toNumber, viridis } from "../../js/colormaps.js";

const onAnyScale = (rgb) => {
  for (let i = 0; i <= 1000; i += 1) {
    const t = i / 1000;
    for (const colour of [viridis(t), diverging(t)]) {
      if (colour.every((channel, k) => Math.abs(channel - rgb[k]) <= 12)) return true;
    }
  }
  return false;
};

test("viridis runs from dark purple to yellow and rises in luminance all the way", () => {
  assert.deepEqual(viridis(0), [68, 1, 84]);
  assert.deepEqual(viridis(1), [253, 231, 37]);
  let before = -1;
  for (let i = 0; i <= 100; i += 1) {
    const now = luminance(viridis(i / 100));
    assert.ok(now > before, `luminance falls at ${i / 100}`);
    before = now;
  }
});

test("the diverging map is white at zero and darkens symmetrically on either side", () => {
  assert.deepEqual(diverging(0.5), [247, 247, 247]);
  for (const d of [0.1, 0.25, 0.4]) {
    assert.ok(luminance(diverging(0.5 - d)) < luminance(diverging(0.5)));
    assert.ok(luminance(diverging(0.5 + d)) < luminance(diverging(0.5)));
  }
  assert.ok(diverging(0)[2] > diverging(0)[0], "negative is blue");
  assert.ok(diverging(1)[0] > diverging(1)[2], "positive is red");
});

test("values on both sides of zero get a diverging scale centred on it, others a sequential one", () => {
  assert.deepEqual(chooseScale(-0.5, 2), { kind: "diverging", low: -2, high: 2 });
  assert.deepEqual(chooseScale(0, 11), { kind: "sequential", low: 0, high: 11 });
  assert.deepEqual(chooseScale(-3, -1), { kind: "sequential", low: -3, high: -1 });
  assert.equal(chooseScale(null, null).empty, true);
  assert.equal(position(0, chooseScale(-0.5, 2)), 0.5);
  assert.equal(position(7, chooseScale(7, 7)), 0.5); // one value: the middle, not NaN
});

test("the kernel's strings for non-finite values are read as numbers and marked", () => {
  assert.ok(Number.isNaN(toNumber("nan")));
  assert.equal(toNumber("inf"), Number.POSITIVE_INFINITY);
  assert.equal(toNumber("-inf"), Number.NEGATIVE_INFINITY);
  assert.equal(toNumber(true), 1);
  assert.deepEqual(["nan", "inf", "-inf", 1, Number.NaN, null, "junk"].map(markOf), ["nan", "posinf", "neginf", null, "nan", "nan", "nan"]);
});

test("each mark is its own fill, different from the others and from every colour of both scales", () => {
  const fills = Object.values(MARKS).map((mark) => mark.fill.join());
  assert.equal(new Set(fills).size, 3);
  for (const mark of Object.values(MARKS)) assert.ok(!onAnyScale(mark.fill), `${mark.label} looks like a value`);
  const scale = chooseScale(0, 1);
  assert.deepEqual(colorOf("nan", scale), MARKS.nan.fill);
  assert.deepEqual(colorOf("-inf", scale), MARKS.neginf.fill);
});

test("a 3x4 arange paints 12 cells whose colours rise in order", () => {
  const values = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]];
  const { width, height, pixels, marks } = paint(values, { scale: chooseScale(0, 11), cell: 2 });
  assert.equal(width, 8);
  assert.equal(height, 6);
  assert.deepEqual(marks, []);
  const at = (x, y) => [...pixels.slice((y * width + x) * 4, (y * width + x) * 4 + 3)];
  const order = [];
  for (let r = 0; r < 3; r += 1) for (let c = 0; c < 4; c += 1) order.push(luminance(at(c * 2 + 1, r * 2 + 1)));
  assert.deepEqual([...order].sort((a, b) => a - b), order);
  assert.equal(new Set(order).size, 12);
  assert.deepEqual(at(0, 0), viridis(0));
  assert.deepEqual(at(7, 5), viridis(1));
});

test("non-finite cells are painted with their marks and listed", () => {
  const { pixels, marks } = paint([[1, "nan"], ["inf", "-inf"]], { scale: chooseScale(1, 1), cell: 1 });
  assert.deepEqual(marks, [
    { row: 0, column: 1, mark: "nan" },
    { row: 1, column: 0, mark: "posinf" },
    { row: 1, column: 1, mark: "neginf" },
  ]);
  assert.deepEqual([...pixels.slice(4, 7)], MARKS.nan.fill);
});

test("an image's pixels follow the kernel's mapping: uint8, clipped, or min-max", () => {
  assert.deepEqual(pixelOf([255, 0, 128], { low: 0, high: 255 }), [255, 0, 128, 255]);
  assert.deepEqual(pixelOf([1.2, -0.1, 0.5], { low: 0, high: 1 }), [255, 0, 128, 255]);
  assert.deepEqual(pixelOf([-2, 2, 0, 2], { low: -2, high: 2 }), [0, 255, 128, 255]);
  assert.equal(pixelOf(["nan", 0, 0], { low: 0, high: 1 }), null);
  const { marks } = paint([[[0, 0, 0], ["inf", 0, 0]]], { image: true, mapping: { low: 0, high: 1 }, cell: 1 });
  assert.deepEqual(marks, [{ row: 0, column: 1, mark: "posinf" }]);
});

test("the legend's gradient names the colours of its scale", () => {
  assert.match(gradientCss("sequential"), /^linear-gradient\(to right, rgb\(68, 1, 84\) 0%/);
  assert.match(gradientCss("diverging"), /rgb\(247, 247, 247\) 50%/);
});
