// A row's statistics, on request: a details line under the row, with a sparkline of the
// histogram of its finite values.
import { element } from "../dom.js";
import { formatNumber as number, numberOf } from "../format.js";

const SVG = "http://www.w3.org/2000/svg";

/** The statistics as one line of text (pure). */
export function formatStats(stats) {
  const parts = [`min ${number(stats.min)}`, `max ${number(stats.max)}`, `mean ${number(stats.mean)}`, `std ${number(stats.std)}`];
  const counts = [
    ["nan", stats.nan],
    ["+inf", stats.posinf],
    ["-inf", stats.neginf],
    ["zeros", stats.zeros],
  ].map(([label, count]) => `${label} ${number(count)}`);
  return [parts.join(" "), counts.join(" · "), `${number(stats.numel)} elements`, stats.note].filter(Boolean).join(" · ");
}

/** Ten bars, their heights the histogram's counts. */
export function sparkline(hist) {
  const width = 60;
  const height = 16;
  const counts = (Array.isArray(hist) ? hist : []).map((count) => {
    const value = numberOf(count);
    return Number.isFinite(value) && value > 0 ? value : 0;
  });
  const top = Math.max(1, ...counts);
  const canvas = document.createElementNS(SVG, "svg");
  canvas.setAttribute("width", width);
  canvas.setAttribute("height", height);
  canvas.setAttribute("class", "ti-sparkline");
  canvas.dataset.role = "sparkline";
  counts.forEach((count, index) => {
    const bar = document.createElementNS(SVG, "rect");
    const barHeight = count === 0 ? 0 : Math.max(1, (count / top) * height);
    bar.setAttribute("x", index * (width / counts.length));
    bar.setAttribute("y", height - barHeight);
    bar.setAttribute("width", width / counts.length - 1);
    bar.setAttribute("height", barHeight);
    canvas.appendChild(bar);
  });
  return canvas;
}

/**
 * The one badge for values that are not finite, wherever a row shows it (its name, its stats):
 * "NaN!", "Inf!" or "NaN! Inf!", the words of the summarised values.
 * @returns {HTMLElement | string} "" when every value is finite
 */
export function nonFiniteBadge({ nan, inf }) {
  if (!nan && !inf) return "";
  const text = [nan ? "NaN!" : "", inf ? "Inf!" : ""].filter(Boolean).join(" ");
  return element("span", { className: "ti-badge ti-error", "data-role": "non-finite" }, text);
}

/** The details line of one tensor: a table row spanning every column. */
export function statsRow(name, stats, columns) {
  const range = Array.isArray(stats.hist_range) ? ` range [${number(stats.hist_range[0])}, ${number(stats.hist_range[1])}]` : "";
  const counted = (count) => numberOf(count) > 0;
  const alarm = nonFiniteBadge({ nan: counted(stats.nan), inf: counted(stats.posinf) || counted(stats.neginf) });
  const cell = element("td", { colSpan: columns }, sparkline(stats.hist), range, " ", alarm, " ", formatStats(stats));
  return element("tr", { className: "ti-stats", "data-role": "stats", "data-stats-for": name }, cell);
}
