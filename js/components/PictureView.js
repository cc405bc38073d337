// A tensor's values as a picture, under the table: a heatmap of two dimensions (or an RGB(A)
// image) drawn on one canvas, with a legend, hover read-out, an index control per other
// dimension (Shift+arrows step it), a drop-down of the two shown dimensions, drag-to-zoom and
// Esc to zoom out. It asks the kernel for what it shows, and only that (the picture command).
import { chooseScale, gradientCss, MARKS, paint } from "../colormaps.js";
import { button, element } from "../dom.js";
import { formatDtype, formatNumber, formatShape } from "../format.js";

// The canvas is drawn at up to this many pixels a side (it fits the inline panel's height
// with its controls and legend), then scaled down by CSS to a narrower panel.
const CANVAS_SIDE = 256;
const LARGEST_CELL = 24;
// Cells at least this large carry their mark's glyph as well as its fill.
const GLYPH_CELL = 8;
// A picture this small (cells shown) redraws by itself when its tensor changes.
const AUTO_REDRAW = 64 * 64;
export const MAX_SIDE = 64;

/** A value for the read-out: full precision, the kernel's strings as they are. */
export function formatValue(value) {
  if (Array.isArray(value)) return `(${value.map(formatValue).join(", ")})`;
  return formatNumber(value, 6);
}

/** The full index of a cell of the picture, as PyTorch indexes it: `[2, :, 5, 7]`. */
export function indexOf(picture, row, column) {
  const { shape, dims, at, window, step, channels } = picture;
  const index = shape.map((_, dim) => at[dim] ?? at[String(dim)] ?? 0);
  if (dims.length === 2) {
    index[dims[0]] = window[0] + row * step[0];
    index[dims[1]] = window[2] + column * step[1];
  } else if (dims.length === 1) {
    index[dims[0]] = window[2] + column * step[1];
  }
  const parts = index.map(String);
  if (channels != null) parts[channels] = ":";
  return `[${parts.join(", ")}]`;
}

/** The window (in the shown dimensions' own indices) that a dragged rectangle of cells covers. */
export function windowOf(picture, from, to) {
  const { window, step } = picture;
  const rows = [Math.min(from.row, to.row), Math.max(from.row, to.row)];
  const columns = [Math.min(from.column, to.column), Math.max(from.column, to.column)];
  return [
    window[0] + rows[0] * step[0],
    Math.min(window[1], window[0] + (rows[1] + 1) * step[0]),
    window[2] + columns[0] * step[1],
    Math.min(window[3], window[2] + (columns[1] + 1) * step[1]),
  ];
}

/** How strided a picture is, in words, or "" when every value is shown. */
export function strideText(step) {
  const [rows, columns] = step;
  if (rows === 1 && columns === 1) return "";
  const nth = (k) => (k === 1 ? "every" : `every ${k}${k % 10 === 2 && k % 100 !== 12 ? "nd" : k % 10 === 3 && k % 100 !== 13 ? "rd" : "th"}`);
  if (rows === columns) return `${nth(rows)} row and column`;
  return `${nth(rows)} row, ${nth(columns)} column`;
}

function dimPairs(ndim) {
  const pairs = [];
  for (let r = 0; r < ndim; r += 1) for (let c = 0; c < ndim; c += 1) if (r !== c) pairs.push([r, c]);
  return pairs;
}

export class PictureView {
  /** @param {{request: (msg: object) => Promise<object>}} handlers */
  constructor({ request }) {
    this.request = request;
    this.name = null;
    this.el = element("div", { "data-role": "picture", hidden: true, tabIndex: 0, onkeydown: (event) => this.onKey(event) });
    this.reset();
    this.serial = 0;
  }

  reset() {
    this.of = "values";
    this.dims = null;
    this.at = {};
    this.window = null;
    this.zooms = [];
    this.image = false;
    this.picture = null;
    this.activeDim = null;
    this.stale = false;
  }

  get open() {
    return !this.el.hidden && this.name != null;
  }

  hide() {
    this.el.hidden = true;
    this.el.replaceChildren();
    this.name = null;
    this.reset();
  }

  /** Show `name`'s values (or its grad's); the same again closes it. */
  toggle(name, of = "values") {
    if (this.open && this.name === name && this.of === of) return this.hide();
    this.reset();
    this.name = name;
    this.of = of;
    this.el.dataset.pictureOf = of === "grad" ? `${name}.grad` : name;
    return this.load();
  }

  async load() {
    const serial = ++this.serial;
    const msg = { name: this.name, of: this.of, at: this.at, image: this.image, max_side: MAX_SIDE };
    if (this.dims) msg.dims = this.dims;
    if (this.window) msg.window = this.window;
    this.el.dataset.loading = "true";
    const reply = await this.request(msg);
    if (serial !== this.serial || this.name == null) return; // a later request, or closed
    delete this.el.dataset.loading;
    if (!reply.ok) return this.showError(reply.text);
    this.picture = reply.picture;
    this.stale = false;
    this.render();
  }

  /** The pictured row arrived again: ask the kernel whether the tensor changed (its version,
   * metadata only), then redraw a small picture, or offer to redraw a large one. */
  async rowChanged(row) {
    if (!this.open || row.name !== this.name || !this.picture || this.stale) return;
    const before = this.picture;
    const reply = await this.request({ name: this.name, of: this.of, check: true });
    if (this.picture !== before || this.stale) return; // redrawn or marked meanwhile
    if (reply.ok && reply.version === before.version) return;
    if (row.shape && formatShape(row.shape) !== formatShape(before.shape)) {
      const { of } = this;
      this.reset();
      this.of = of;
      return this.load();
    }
    const shown = before.values.length * (before.values[0]?.length ?? 0);
    if (before.step[0] === 1 && before.step[1] === 1 && shown <= AUTO_REDRAW) return this.load();
    this.stale = true;
    this.render();
  }

  rowRemoved(name) {
    if (!this.open || name !== this.name) return;
    this.showError(`${name} no longer exists.`);
  }

  showError(text) {
    const header = element("div", { className: "ti-picture-header" }, element("span", {}, `picture of ${this.title()}`), button("close-picture", "close", { onclick: () => this.hide() }));
    this.el.replaceChildren(header, element("div", { className: "ti-picture-error", "data-role": "picture-error" }, text));
    this.el.hidden = false;
  }

  title() {
    return this.of === "grad" ? `${this.name}.grad` : this.name;
  }

  render() {
    const picture = this.picture;
    if (!picture) return;
    const header = element(
      "div",
      { className: "ti-picture-header" },
      element("span", { "data-role": "picture-title" }, `picture of ${this.title()}: ${formatShape(picture.shape)} ${formatDtype(picture.dtype)}, on ${picture.device}`),
    );
    if (picture.image_offer) header.append(button("as-image", "as image", { title: "Show this slice's channels as an RGB(A) image", onclick: () => this.setImage(true) }));
    if (picture.image) header.append(button("as-heatmap", "as heatmap", { title: "Show one channel as a heatmap", onclick: () => this.setImage(false) }));
    if (this.zooms.length) header.append(button("zoom-out", "zoom out", { title: "Back to the previous view (Esc)", onclick: () => this.zoomOut() }));
    header.append(button("close-picture", "close", { onclick: () => this.hide() }));
    const parts = [header, this.controls(picture), this.describe(picture)];
    if (this.stale) {
      parts.push(element("div", { className: "ti-picture-stale" }, button("redraw", "changed: redraw", { title: `${this.title()} changed since this picture was read`, onclick: () => this.load() })));
    }
    const { frame, canvas } = this.canvas(picture);
    parts.push(frame, element("div", { className: "ti-picture-hover", "data-role": "picture-hover" }, "hover a cell for its index and value; drag to zoom"), this.legend(picture));
    // Redrawing replaces the controls: keep the keyboard where it was (an index input, or
    // the view itself), so Shift+arrows keep stepping.
    const active = this.el.contains(document.activeElement) ? document.activeElement : null;
    const focusedName = active?.getAttribute("name");
    this.el.replaceChildren(...parts);
    this.el.hidden = false;
    this.canvasEl = canvas;
    if (active) {
      const again = focusedName ? this.el.querySelector(`[name="${focusedName}"]`) : null;
      (again ?? this.el).focus({ preventScroll: true });
    }
  }

  /** The drop-down of the shown dimensions and an index input per other dimension. */
  controls(picture) {
    const { shape, dims, channels } = picture;
    const line = element("div", { className: "ti-picture-controls" });
    if (shape.length >= 2 && !picture.image) {
      const select = element("select", { name: "dims", title: "The dimensions shown as rows and columns" });
      for (const pair of dimPairs(shape.length)) {
        const option = element("option", { value: pair.join(",") }, `rows ${pair[0]} × columns ${pair[1]}`);
        if (pair[0] === dims[0] && pair[1] === dims[1]) option.selected = true;
        select.append(option);
      }
      select.addEventListener("change", () => {
        this.dims = select.value.split(",").map(Number);
        this.window = null;
        this.zooms = [];
        this.load();
      });
      line.append(element("label", {}, "dims ", select));
    }
    for (let dim = 0; dim < shape.length; dim += 1) {
      if (dims.includes(dim) || dim === channels) continue;
      const input = element("input", {
        type: "number",
        name: `at-${dim}`,
        min: 0,
        max: shape[dim] - 1,
        step: 1,
        value: picture.at[dim] ?? picture.at[String(dim)] ?? 0,
        title: `Index of dimension ${dim} (Shift+arrows step it)`,
      });
      input.addEventListener("focus", () => {
        this.activeDim = dim;
      });
      const commit = () => {
        const value = Number.parseInt(input.value, 10);
        const shown = picture.at[dim] ?? 0;
        if (Number.isInteger(value) && value !== shown) this.setAt(dim, value);
      };
      input.addEventListener("change", commit);
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") commit();
      });
      line.append(element("label", {}, `dim ${dim} `, input, ` of ${shape[dim]}`));
    }
    return line;
  }

  describe(picture) {
    const { dims, window, step } = picture;
    const words = [];
    if (dims.length === 2) words.push(`rows: dim ${dims[0]} [${window[0]}:${window[1]}], columns: dim ${dims[1]} [${window[2]}:${window[3]}]`);
    else if (dims.length === 1) words.push(`one row: dim ${dims[0]} [${window[2]}:${window[3]}]`);
    const strided = strideText(step);
    if (strided) words.push(`${strided} (at most ${MAX_SIDE} a side: drag to zoom in)`);
    if (picture.image) words.push(`image: channels in dim ${picture.channels}, ${picture.mapping.text}`);
    if (picture.note) words.push(picture.note);
    return element("div", { className: "ti-picture-info", "data-role": "picture-info" }, words.join(" · "));
  }

  canvas(picture) {
    const { values } = picture;
    const rows = values.length;
    const columns = rows ? values[0].length : 0;
    const cell = Math.max(1, Math.min(LARGEST_CELL, Math.floor(CANVAS_SIDE / Math.max(rows, columns, 1))));
    const scale = chooseScale(picture.min, picture.max);
    this.scale = scale;
    const painted = paint(values, { image: picture.image, scale, mapping: picture.mapping, cell });
    const canvas = element("canvas", { width: Math.max(1, painted.width), height: Math.max(1, painted.height), className: "ti-picture-canvas" });
    Object.assign(canvas.dataset, { role: "picture-canvas", rows, columns, cell, scale: picture.image ? "image" : scale.kind });
    canvas.dataset.marks = painted.marks.map(({ row, column, mark }) => `${mark}:${row},${column}`).join(" ");
    canvas.style.width = `${painted.width}px`; // CSS scales it down to the panel's width
    const context = canvas.getContext("2d");
    if (context && painted.width && painted.height) {
      context.putImageData(new ImageData(painted.pixels, painted.width, painted.height), 0, 0);
      if (cell >= GLYPH_CELL) {
        context.font = `${Math.floor(cell * 0.6)}px sans-serif`;
        context.textAlign = "center";
        context.textBaseline = "middle";
        for (const { row, column, mark } of painted.marks) {
          context.fillStyle = `rgb(${MARKS[mark].ink.join(", ")})`;
          context.fillText(MARKS[mark].glyph, (column + 0.5) * cell, (row + 0.5) * cell);
        }
      }
    }
    const selection = element("div", { className: "ti-picture-selection", hidden: true });
    const frame = element("div", { className: "ti-picture-frame" }, canvas, selection);
    this.wireCanvas(canvas, selection, picture, cell);
    return { frame, canvas };
  }

  /** Hover read-out and drag-to-zoom, in cells of the canvas whatever its CSS size. */
  wireCanvas(canvas, selection, picture, cell) {
    const rows = picture.values.length;
    const columns = rows ? picture.values[0].length : 0;
    const cellAt = (event) => {
      const box = canvas.getBoundingClientRect();
      const x = ((event.clientX - box.left) / box.width) * canvas.width;
      const y = ((event.clientY - box.top) / box.height) * canvas.height;
      return { row: Math.min(rows - 1, Math.max(0, Math.floor(y / cell))), column: Math.min(columns - 1, Math.max(0, Math.floor(x / cell))) };
    };
    let dragFrom = null;
    const showSelection = (to) => {
      const box = canvas.getBoundingClientRect();
      const ratio = box.width / canvas.width;
      const top = Math.min(dragFrom.row, to.row) * cell * ratio;
      const left = Math.min(dragFrom.column, to.column) * cell * ratio;
      Object.assign(selection.style, {
        top: `${top}px`,
        left: `${left}px`,
        width: `${(Math.abs(to.column - dragFrom.column) + 1) * cell * ratio}px`,
        height: `${(Math.abs(to.row - dragFrom.row) + 1) * cell * ratio}px`,
      });
      selection.hidden = false;
    };
    canvas.addEventListener("mousemove", (event) => {
      const at = cellAt(event);
      const value = picture.values[at.row]?.[at.column];
      const hover = this.el.querySelector('[data-role="picture-hover"]');
      if (hover) hover.textContent = `${indexOf(picture, at.row, at.column)} = ${formatValue(value)}`;
      if (dragFrom) showSelection(at);
    });
    canvas.addEventListener("mousedown", (event) => {
      event.preventDefault();
      this.el.focus({ preventScroll: true });
      dragFrom = cellAt(event);
    });
    const finish = (event) => {
      if (!dragFrom) return;
      const to = cellAt(event);
      const from = dragFrom;
      dragFrom = null;
      selection.hidden = true;
      if (from.row === to.row && from.column === to.column) return; // a click, not a drag
      this.zoomTo(windowOf(picture, from, to));
    };
    canvas.addEventListener("mouseup", finish);
    canvas.addEventListener("mouseleave", (event) => {
      if (dragFrom) finish(event);
    });
  }

  legend(picture) {
    const legend = element("div", { className: "ti-picture-legend", "data-role": "picture-legend" });
    if (!picture.image) {
      const scale = this.scale;
      const bar = element("div", { className: "ti-picture-bar", "data-scale": scale.kind });
      bar.style.background = gradientCss(scale.kind);
      const labels = [`min ${formatNumber(picture.min, 3)}`];
      if (scale.kind === "diverging") labels.push("0");
      labels.push(`max ${formatNumber(picture.max, 3)}`);
      const names = element("div", { className: "ti-picture-bar-labels" }, ...labels.map((text) => element("span", {}, text)));
      legend.append(element("div", { className: "ti-picture-scale" }, bar, names));
      legend.append(element("div", { className: "ti-picture-scale-name" }, scale.kind === "diverging" ? "diverging: blue below 0, red above, white at 0" : "viridis: dark is low, yellow is high"));
    }
    const counts = [
      ["nan", picture.nan],
      ["posinf", picture.posinf],
      ["neginf", picture.neginf],
    ].filter(([, count]) => count > 0);
    for (const [mark, count] of counts) {
      const { fill, ink, glyph, label } = MARKS[mark];
      const swatch = element("span", { className: "ti-picture-mark" }, glyph);
      swatch.style.background = `rgb(${fill.join(", ")})`;
      swatch.style.color = `rgb(${ink.join(", ")})`;
      legend.append(element("span", { className: "ti-picture-mark-count", "data-mark": mark }, swatch, ` ${label} ${count}`));
    }
    return legend;
  }

  setImage(image) {
    this.image = image;
    this.dims = null;
    this.window = null;
    this.zooms = [];
    this.load();
  }

  setAt(dim, index) {
    const size = this.picture?.shape[dim];
    if (size == null) return;
    const clamped = Math.min(size - 1, Math.max(0, index));
    this.at = { ...this.at, [dim]: clamped };
    this.activeDim = dim;
    this.load();
  }

  zoomTo(window) {
    this.zooms.push(this.window);
    this.window = window;
    this.load();
  }

  zoomOut() {
    if (!this.zooms.length) return;
    this.window = this.zooms.pop();
    this.load();
  }

  onKey(event) {
    if (event.key === "Escape" && this.zooms.length) {
      event.preventDefault();
      this.zoomOut();
      return;
    }
    if (!event.shiftKey || !event.key.startsWith("Arrow") || !this.picture) return;
    const { shape, dims, channels } = this.picture;
    const others = shape.map((_, dim) => dim).filter((dim) => !dims.includes(dim) && dim !== channels);
    if (!others.length) return;
    const dim = others.includes(this.activeDim) ? this.activeDim : others[0];
    const delta = event.key === "ArrowRight" || event.key === "ArrowUp" ? 1 : -1;
    event.preventDefault();
    const current = this.picture.at[dim] ?? this.picture.at[String(dim)] ?? 0;
    this.setAt(dim, current + delta);
  }
}
