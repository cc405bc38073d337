// The tensor table: one <tr data-tensor=NAME> per row of the current view, with its actions.
// Narrower than 600px (a container query in style.css), each row shows name, shape, device and
// grad, and wraps the other cells into a details line under them: the DOM is the same.
import { button, element } from "../dom.js";
import { formatBytes, formatDTensor, formatDtype, formatGrad, formatGradFull, formatShape, formatValues } from "../format.js";
import { buildView } from "../view.js";
import { nonFiniteBadge, statsRow } from "./StatsLine.js";

const COLUMNS = [
  ["name", "name"],
  ["shape", "shape"],
  ["dtype", "dtype"],
  ["device", "device"],
  ["requires_grad", "requires_grad"],
  ["grad_fn", "grad_fn"],
  ["grad", "grad"],
  ["memory", "memory"],
  ["actions", ""],
];

const FIELD_TEXT = {
  name: (row) => row.name,
  shape: (row) => (row.dtensor ? formatDTensor(row.shape, row.dtensor) : formatShape(row.shape)),
  dtype: (row) => formatDtype(row.dtype),
  device: (row) => row.device ?? "",
  requires_grad: (row) => (row.requires_grad == null ? "" : row.requires_grad ? "True" : "False"),
  grad_fn: (row) => row.grad_fn ?? "",
  grad: (row) => (row.status === "error" ? String(row.preview ?? "") : formatGrad(row.grad)),
  memory: (row) => formatBytes(row.storage_nbytes ?? row.nbytes),
  actions: () => "",
};

/**
 * @typedef {object} RowActions
 * @property {(name: string) => void} move
 * @property {(name: string) => void} backward
 * @property {(name: string) => void} zeroGrad
 * @property {(name: string) => void} graph
 * @property {(name: string) => void} stats
 * @property {(name: string, of: "values" | "grad") => void} picture
 */

export class TensorTable {
  /** @param {RowActions} actions */
  constructor(actions) {
    this.actions = actions;
    const head = element("tr", {}, ...COLUMNS.map(([, label]) => element("th", {}, label)));
    this.body = element("tbody");
    this.el = element("table", { className: "ti-table" }, element("thead", {}, head), this.body);
    /** @type {import("../types.js").MoveContext} */
    this.context = { target: null };
    /** @type {Map<string, import("../types.js").Row>} name -> row, in arrival order */
    this.data = new Map();
    this.options = { filter: "", sort: "", group: false, page: 0 };
    this.view = buildView([], this.options);
    this.onRender = null;
    /** @type {Map<string, object>} name -> statistics shown under its row */
    this.stats = new Map();
    /** @type {Set<string>} names whose full values show under their row */
    this.valuesOpen = new Set();
    /** @type {{name: string, el: HTMLElement} | null} the prompt and message of a row's action, shown under that row */
    this.answer = null;
  }

  /** Show `el` (the prompt and message of an action) under the row `name`; null takes it away. */
  answerUnder(name, el) {
    this.answer = name == null ? null : { name, el };
    this.render();
  }

  row(name) {
    return this.data.get(name);
  }

  get size() {
    return this.data.size;
  }

  setContext(context) {
    this.context = context;
    this.render();
  }

  setOptions(options) {
    this.options = { ...this.options, ...options };
    this.render();
  }

  replaceAll(rows) {
    this.data.clear();
    this.upsert(rows);
  }

  upsert(rows) {
    for (const row of rows) {
      this.data.set(row.name, row);
      this.stats.delete(row.name); // its values may have changed: ask again
    }
    this.render();
  }

  showStats(name, stats) {
    if (stats == null) this.stats.delete(name);
    else this.stats.set(name, stats);
    this.render();
  }

  remove(names) {
    for (const name of names) this.data.delete(name);
    this.render();
  }

  render() {
    this.view = buildView([...this.data.values()], this.options);
    const rows = this.view.items.flatMap((item) => {
      if (item.group) return [this.renderGroup(item.group)];
      const { name } = item.row;
      const lines = [this.renderRow(item.row)];
      if (this.valuesOpen.has(name)) lines.push(valuesRow(item.row, COLUMNS.length));
      const stats = this.stats.get(name);
      if (stats) lines.push(statsRow(name, stats, COLUMNS.length));
      if (this.answer?.name === name) lines.push(answerRow(name, this.answer.el, COLUMNS.length));
      return lines;
    });
    this.body.replaceChildren(...rows);
    this.onRender?.(this.view);
  }

  renderRow(row) {
    const cells = COLUMNS.map(([field, label]) => {
      const td = element("td", { "data-field": field, "data-label": label, "data-quiet": isQuiet(field, row) || null }, FIELD_TEXT[field](row));
      const title = cellTitle(field, row);
      if (title) td.title = title;
      if (field === "name") td.append(...nameExtras(row));
      if (field === "grad" && row.grad?.preview != null && row.status !== "error") {
        td.classList.add("ti-clickable");
        td.addEventListener("click", () => this.toggleValues(row.name));
      }
      if (field === "grad" && row.grad != null && row.status !== "error") td.append(this.gradPictureButton(row));
      if (field === "actions") td.append(...this.buttons(row));
      return td;
    });
    return element("tr", { "data-tensor": row.name, "data-status": row.status ?? "" }, ...cells);
  }

  /** The grad cell's own picture button: the grad as a heatmap. Its glyph comes from CSS, so
   * the cell's text stays the grad's. */
  gradPictureButton(row) {
    return button("picture-grad", "", {
      title: `${row.name}.grad as a heatmap`,
      ariaLabel: `picture of ${row.name}.grad`,
      className: "ti-icon-button",
      onclick: (event) => {
        event.stopPropagation(); // the cell's own click shows the values
        this.actions.picture(row.name, "grad");
      },
    });
  }

  renderGroup(group) {
    const text = `${group.device}: ${group.count} tensor${group.count === 1 ? "" : "s"}, ${formatBytes(group.bytes)}`;
    return element("tr", { className: "ti-group", "data-device": group.device }, element("td", { colSpan: COLUMNS.length }, text));
  }

  /** Show or hide the full values of a row (its own and its grad's) under it. */
  toggleValues(name) {
    if (!this.valuesOpen.delete(name)) this.valuesOpen.add(name);
    this.render();
  }

  /** The buttons a row offers: move (where there is somewhere to move to), backward, zero grad. */
  buttons(row) {
    if (row.status === "error") return [];
    const { target } = this.context;
    const buttons = [];
    if (target) {
      // Without an accelerator there is nowhere to move to: the header says why.
      const canMove = row.device !== target && !row.is_view && !row.dtensor;
      const move = button("move", canMove ? `→ ${target}` : "move", {
        title: moveTitle(row, target, canMove),
        onclick: () => this.actions.move(row.name),
      });
      move.disabled = !canMove;
      buttons.push(move);
    }
    if (row.grad_fn) {
      // A one-element output runs at once, with no prompt to tick retain_graph in: say where it is.
      const title = row.numel === 1 ? `Call ${row.name}.backward(), which frees its graph (to keep it, use traced backward under its graph with retain_graph ticked)` : `Call ${row.name}.backward(): asks for the gradient, with retain_graph`;
      const backward = button("backward", "backward", { title, onclick: () => this.actions.backward(row.name) });
      if (row.graph_freed) {
        // A second backward() through a freed graph can only fail: say what works instead.
        backward.disabled = true;
        const keep = row.numel === 1 ? "to keep a graph, use traced backward under it with retain_graph ticked" : "tick retain_graph in the gradient prompt then to keep the graph";
        backward.title = `backward() already freed the graph behind ${row.name}: run the cell that computes ${row.name} again to call it (${keep})`;
      }
      buttons.push(backward);
    }
    if (row.grad_fn || (row.is_leaf && row.requires_grad)) {
      buttons.push(button("graph", "graph", { title: `Show the autograd graph behind ${row.name}`, onclick: () => this.actions.graph(row.name) }));
    }
    if (hasValues(row)) {
      const shown = this.valuesOpen.has(row.name);
      buttons.push(button("values", shown ? "hide values" : "values", { title: `${row.name}'s values and its grad's, in full`, onclick: () => this.toggleValues(row.name) }));
    }
    if (row.numel) {
      // A meta tensor has no values (a freed storage is turned off below, with the readers).
      const meta = row.device === "meta";
      const title = meta ? "No picture: a meta tensor has no values" : `${row.name}'s values as a heatmap (or an image): a slice, read when asked`;
      const picture = button("picture", "picture", { title, onclick: () => this.actions.picture(row.name, "values") });
      picture.disabled = meta;
      buttons.push(picture);
    }
    const open = this.stats.has(row.name);
    buttons.push(button("stats", open ? "hide stats" : "stats", { title: `min, max, mean, std, NaN and Inf counts and a histogram of ${row.name}'s values`, onclick: () => this.actions.stats(row.name) }));
    if (row.is_leaf && row.requires_grad) {
      const zero = button("zero-grad", "zero grad", { title: `${row.name}.grad = None`, onclick: () => this.actions.zeroGrad(row.name) });
      zero.disabled = row.grad == null;
      buttons.push(zero);
    }
    if (row.unreadable) {
      // A freed storage: reading its values would crash the kernel, so nothing offers to.
      for (const reads of buttons.filter((b) => VALUE_READERS.has(b.dataset.action))) {
        reads.disabled = true;
        reads.title = `${row.name}: ${row.unreadable}`;
      }
    }
    return buttons;
  }
}

// Buttons whose action reads the tensor's values.
const VALUE_READERS = new Set(["move", "stats", "picture", "values", "backward"]);

function moveTitle(row, target, canMove) {
  if (canMove) return `Move ${row.name} to ${target}; every name that holds it follows`;
  if (row.device === target) return `${row.name} is already on ${target}`;
  if (row.dtensor) return `${row.name} is a DTensor, spread over its mesh's ranks: redistribute it, or distribute_tensor its full value onto another mesh`;
  // A view shares its base's memory: it moves with its base, never apart from it.
  return `${row.name} is a view into another tensor's memory: it cannot move alone. Move the tensor it was sliced from, or make a copy to move (${row.name}.clone())`;
}

function cellTitle(field, row) {
  if (field === "shape" && row.dtensor) return dtensorTitle(row.dtensor);
  if (field === "dtype" && row.type) return row.type;
  if (field === "name" && row.preview != null && row.status !== "error") return formatValues(row.preview, row.dtype);
  if (field === "grad" && row.grad?.preview != null) return formatGradFull(row.grad);
  return "";
}

/** A DTensor's mesh and placements in full, as PyTorch writes them. */
function dtensorTitle({ placements, mesh, local_shape: local }) {
  const names = Array.isArray(mesh?.dim_names) ? ` (${mesh.dim_names.join(", ")})` : "";
  const placed = Array.isArray(placements) ? placements.join(", ") : "?";
  return `DTensor: ${placed} on a ${mesh?.device_type ?? "?"} mesh of shape ${formatShape(mesh?.shape)}${names}; this rank holds ${formatShape(local)}`;
}

/** A cell that says nothing a narrow panel needs: no grad_fn, requires_grad False, no grad
 * where none will come. The narrow layout leaves these out. */
function isQuiet(field, row) {
  if (field === "grad_fn") return !row.grad_fn;
  if (field === "requires_grad") return !row.requires_grad;
  // A result (it has a grad_fn) gets no .grad either: backward() fills the leaves'.
  if (field === "grad") return row.grad == null && (!row.requires_grad || !!row.grad_fn) && row.status !== "error";
  return false;
}

/** Whether the kernel sent values of the tensor or its grad. */
function hasValues(row) {
  return row.status !== "error" && (row.preview != null || row.grad?.preview != null);
}

/** The line under a row that holds its action's prompt and message, where the click was. */
function answerRow(name, el, columns) {
  return element("tr", { className: "ti-answer", "data-answer-for": name }, element("td", { colSpan: columns }, el));
}

/** The full values line under a row: its values and its grad's, wrapped to the panel's width. */
function valuesRow(row, columns) {
  const lines = [];
  // A DTensor's values are this rank's shard's: the whole tensor would need a collective.
  const shard = row.dtensor ? ` (local shard, rank ${row.dtensor.rank ?? "?"})` : "";
  if (row.preview != null) lines.push(element("div", { "data-role": "tensor-values" }, `${row.name}${shard} = ${formatValues(row.preview, row.dtype)}`));
  if (row.grad != null) lines.push(element("div", { "data-role": "grad-values" }, `${row.name}.grad = ${formatGradFull(row.grad)}`));
  const cell = element("td", { colSpan: columns }, ...lines);
  return element("tr", { className: "ti-values", "data-role": "values", "data-values-for": row.name }, cell);
}

/** Whether any of the values is `kind`: "nan", or "inf" (either sign), as the kernel sends them. */
function hasNonFinite(values, kind) {
  if (Array.isArray(values)) return values.some((value) => hasNonFinite(value, kind));
  return typeof values === "string" && (values === kind || values === `-${kind}`);
}

function nameExtras(row) {
  const extras = [];
  if (row.status !== "error") {
    // A small CPU tensor's values are at hand: mark NaN/Inf without asking.
    const badge = nonFiniteBadge({ nan: hasNonFinite(row.preview, "nan"), inf: hasNonFinite(row.preview, "inf") });
    if (badge) extras.push(" ", badge);
  }
  if (row.status === "new" || row.status === "changed" || row.status === "error") {
    extras.push(" ", element("span", { className: `ti-badge ti-${row.status}` }, row.status));
  }
  if (row.aliases?.length) extras.push(element("span", { className: "ti-aliases", "data-role": "aliases" }, ` (also ${row.aliases.join(", ")})`));
  return extras;
}
