// Colour maps for pictures of values, and the pixels of a picture (pure: no DOM, node-tested).
// Sequential: viridis (perceptually uniform, readable in grey, colour-blind safe). Diverging:
// blue – white – red around zero, for values on both sides of it. NaN, +Inf and -Inf are not
// colours of either scale: each has its own mark.

import { numberOf } from "./format.js";

// Viridis, sampled at 9 evenly spaced points (matplotlib's table); linear in between.
const VIRIDIS = [
  [68, 1, 84],
  [71, 45, 123],
  [59, 82, 139],
  [44, 114, 142],
  [33, 145, 140],
  [40, 174, 128],
  [94, 201, 98],
  [173, 220, 48],
  [253, 231, 37],
];

// Blue, white, red (ColorBrewer's RdBu ends), symmetric around white at zero.
const DIVERGING = [
  [33, 102, 172],
  [103, 169, 207],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [239, 138, 98],
  [178, 24, 43],
];

/** The marks of values that have no place on a scale: a fill off every scale, and a glyph. */
export const MARKS = {
  nan: { fill: [128, 128, 128], glyph: "×", ink: [255, 255, 255], label: "NaN" },
  posinf: { fill: [0, 0, 0], glyph: "▲", ink: [255, 255, 255], label: "+Inf" },
  neginf: { fill: [255, 0, 255], glyph: "▼", ink: [0, 0, 0], label: "−Inf" },
};

function interpolate(table, t) {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const position = clamped * (table.length - 1);
  const low = Math.floor(position);
  const high = Math.min(table.length - 1, low + 1);
  const fraction = position - low;
  return table[low].map((channel, i) => Math.round(channel + (table[high][i] - channel) * fraction));
}

/** A colour of the sequential map, t in [0, 1]. */
export function viridis(t) {
  return interpolate(VIRIDIS, t);
}

/** A colour of the diverging map, t in [0, 1], white at 0.5. */
export function diverging(t) {
  return interpolate(DIVERGING, t);
}

/** A value as the kernel sends it ("nan", "inf", "-inf" as text) as a number; null if none. */
export function toNumber(value) {
  return numberOf(value) ?? null;
}

/** Which mark a value gets, or null for a finite value. */
export function markOf(value) {
  const number = toNumber(value);
  if (number == null || Number.isNaN(number)) return "nan";
  if (number === Number.POSITIVE_INFINITY) return "posinf";
  if (number === Number.NEGATIVE_INFINITY) return "neginf";
  return null;
}

/**
 * The scale of a heatmap: diverging around zero when the values straddle it (zero at its
 * middle, so equal distances from zero get equal strength), else sequential from min to max.
 * @param {number | null} min the smallest finite value shown
 * @param {number | null} max the largest
 */
export function chooseScale(min, max) {
  if (min == null || max == null) return { kind: "sequential", low: 0, high: 1, empty: true };
  if (min < 0 && max > 0) {
    const reach = Math.max(-min, max);
    return { kind: "diverging", low: -reach, high: reach };
  }
  return { kind: "sequential", low: min, high: max };
}

/** Where a finite value sits on a scale, in [0, 1]; a scale of one value puts it in the middle. */
export function position(value, scale) {
  const span = scale.high - scale.low;
  if (!(span > 0)) return 0.5;
  return Math.min(1, Math.max(0, (value - scale.low) / span));
}

/** The colour of one value on a scale, or its mark's fill. */
export function colorOf(value, scale) {
  const mark = markOf(value);
  if (mark) return MARKS[mark].fill;
  const t = position(toNumber(value), scale);
  return scale.kind === "diverging" ? diverging(t) : viridis(t);
}

/** An image pixel's channels (3 or 4 values) as RGBA bytes, mapped as the kernel says. */
export function pixelOf(channels, mapping) {
  const numbers = channels.map(toNumber);
  if (numbers.some((n) => n == null || !Number.isFinite(n))) return null; // marked instead
  const { low, high } = mapping;
  const span = high - low;
  const byte = (n) => Math.round(255 * Math.min(1, Math.max(0, span > 0 ? (n - low) / span : 0.5)));
  const [r, g, b, a] = numbers.map(byte);
  return [r, g, b, numbers.length > 3 ? a : 255];
}

/** The mark of an image pixel whose channels are not all finite (the first one found). */
export function pixelMark(channels) {
  for (const value of channels) {
    const mark = markOf(value);
    if (mark) return mark;
  }
  return null;
}

/**
 * The RGBA bytes of a picture, `cell` pixels a side per value, and the cells that carry a
 * mark. `values` is a list of rows (an image's cells are lists of channels).
 * @param {unknown[][]} values
 * @param {{image?: boolean, scale?: object, mapping?: object, cell: number}} how
 * @returns {{width: number, height: number, pixels: Uint8ClampedArray, marks: {row: number, column: number, mark: string}[]}}
 */
export function paint(values, { image = false, scale, mapping, cell }) {
  const rows = values.length;
  const columns = rows ? values[0].length : 0;
  const width = columns * cell;
  const height = rows * cell;
  const pixels = new Uint8ClampedArray(width * height * 4);
  const marks = [];
  // A heatmap's colours come from a table of 256 steps of its scale: no array per cell.
  const table = image ? null : colourTable(scale);
  const rgba = [0, 0, 0, 255];
  for (let r = 0; r < rows; r += 1) {
    const line = values[r];
    for (let c = 0; c < columns; c += 1) {
      const value = line[c];
      const mark = image ? pixelMark(value) : typeof value === "number" && Number.isFinite(value) ? null : markOf(value);
      if (mark) {
        marks.push({ row: r, column: c, mark });
        [rgba[0], rgba[1], rgba[2]] = MARKS[mark].fill;
        rgba[3] = 255;
      } else if (image) {
        [rgba[0], rgba[1], rgba[2], rgba[3]] = pixelOf(value, mapping);
      } else {
        const step = Math.round(position(toNumber(value), scale) * 255) * 3;
        rgba[0] = table[step];
        rgba[1] = table[step + 1];
        rgba[2] = table[step + 2];
        rgba[3] = 255;
      }
      for (let y = r * cell; y < (r + 1) * cell; y += 1) {
        let offset = (y * width + c * cell) * 4;
        for (let x = 0; x < cell; x += 1) {
          pixels[offset] = rgba[0];
          pixels[offset + 1] = rgba[1];
          pixels[offset + 2] = rgba[2];
          pixels[offset + 3] = rgba[3];
          offset += 4;
        }
      }
    }
  }
  return { width, height, pixels, marks };
}

const TABLES = new Map();

/** 256 colours of a scale's map, as RGB bytes (built once per map). */
function colourTable(scale) {
  const kind = scale.kind === "diverging" ? "diverging" : "sequential";
  if (!TABLES.has(kind)) {
    const colour = kind === "diverging" ? diverging : viridis;
    const table = new Uint8Array(256 * 3);
    for (let i = 0; i < 256; i += 1) table.set(colour(i / 255), i * 3);
    TABLES.set(kind, table);
  }
  return TABLES.get(kind);
}

/** CSS for a legend bar of a scale: a linear gradient of its colours. */
export function gradientCss(kind, stops = 9) {
  const colour = kind === "diverging" ? diverging : viridis;
  const parts = [];
  for (let i = 0; i < stops; i += 1) {
    const t = i / (stops - 1);
    parts.push(`rgb(${colour(t).join(", ")}) ${Math.round(t * 100)}%`);
  }
  return `linear-gradient(to right, ${parts.join(", ")})`;
}

/** Relative luminance (sRGB, 0–1): viridis rises in it, so a picture reads in grey too. */
export function luminance([r, g, b]) {
  const linear = (channel) => {
    const s = channel / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}
