// The tensor table: one <tr data-tensor=NAME> per row of the current view, with its actions.
import { button, element } from "../dom.js";
import { formatBytes, formatDtype, formatGrad, formatShape, formatValues } from "../format.js";
import { buildView } from "../view.js";
import { statsRow } from "./StatsLine.js";

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
  shape: (row) => formatShape(row.shape),
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
 */

export class TensorTable {
  /** @param {RowActions} actions */
  constructor(actions) {
    this.actions = actions;
    const head = element("tr", {}, ...COLUMNS.map(([, label]) => element("th", {}, label)));
    this.body = element("tbody");
    this.el = element("table", { className: "ti-table" }, element("thead", {}, head), this.body);
    /** @type {import("../types.js").MoveContext} */
    this.context = { target: null, noTargetReason: "" };
    /** @type {Map<string, import("../types.js").Row>} name -> row, in arrival order */
    this.data = new Map();
    this.options = { filter: "", sort: "", group: false, page: 0 };
    this.view = buildView([], this.options);
    this.onRender = null;
    /** @type {Map<string, object>} name -> statistics shown under its row */
    this.stats = new Map();
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
      const stats = this.stats.get(item.row.name);
      const row = this.renderRow(item.row);
      return stats ? [row, statsRow(item.row.name, stats, COLUMNS.length)] : [row];
    });
    this.body.replaceChildren(...rows);
    this.onRender?.(this.view);
  }

  renderRow(row) {
    const cells = COLUMNS.map(([field]) => {
      const td = element("td", { "data-field": field }, FIELD_TEXT[field](row));
      const title = cellTitle(field, row);
      if (title) td.title = title;
      if (field === "name") td.append(...nameExtras(row));
      if (field === "actions") td.append(...this.buttons(row));
      return td;
    });
    return element("tr", { "data-tensor": row.name, "data-status": row.status ?? "" }, ...cells);
  }

  renderGroup(group) {
    const text = `${group.device}: ${group.count} tensor${group.count === 1 ? "" : "s"}, ${formatBytes(group.bytes)}`;
    return element("tr", { className: "ti-group", "data-device": group.device }, element("td", { colSpan: COLUMNS.length }, text));
  }

  /** The buttons a row offers: move (or why not), backward, zero grad. */
  buttons(row) {
    if (row.status === "error") return [];
    const { target, noTargetReason } = this.context;
    const canMove = target && row.device !== target;
    const move = button("move", canMove ? `→ ${target}` : "move", {
      title: canMove ? `Move ${row.name} to ${target}; every name that holds it follows` : target ? `${row.name} is already on ${target}` : noTargetReason,
      onclick: () => this.actions.move(row.name),
    });
    move.disabled = !canMove;
    const buttons = [move];
    if (row.grad_fn) {
      buttons.push(button("backward", "backward", { title: `Call ${row.name}.backward()`, onclick: () => this.actions.backward(row.name) }));
    }
    if (row.grad_fn || (row.is_leaf && row.requires_grad)) {
      buttons.push(button("graph", "graph", { title: `Show the autograd graph behind ${row.name}`, onclick: () => this.actions.graph(row.name) }));
    }
    const open = this.stats.has(row.name);
    buttons.push(button("stats", open ? "hide stats" : "stats", { title: `min, max, mean, std, NaN and Inf counts and a histogram of ${row.name}'s values`, onclick: () => this.actions.stats(row.name) }));
    if (row.is_leaf && row.requires_grad) {
      const zero = button("zero-grad", "zero grad", { title: `${row.name}.grad = None`, onclick: () => this.actions.zeroGrad(row.name) });
      zero.disabled = row.grad == null;
      buttons.push(zero);
    }
    return buttons;
  }
}

function cellTitle(field, row) {
  if (field === "name" && row.aliases?.length) return `also: ${row.aliases.join(", ")}`;
  if (field === "dtype" && row.type) return row.type;
  if (field === "name" && row.preview != null && row.status !== "error") return formatValues(row.preview, row.dtype);
  return "";
}

const NOT_FINITE = new Set(["nan", "inf", "-inf"]);

function hasNonFinite(values) {
  if (Array.isArray(values)) return values.some(hasNonFinite);
  return typeof values === "string" && NOT_FINITE.has(values);
}

function nameExtras(row) {
  const extras = [];
  if (row.status !== "error" && hasNonFinite(row.preview)) {
    // A small CPU tensor's values are at hand: mark NaN/Inf without asking.
    extras.push(" ", element("span", { className: "ti-badge ti-error", "data-role": "non-finite" }, "NaN/Inf"));
  }
  if (row.status === "new" || row.status === "changed" || row.status === "error") {
    extras.push(" ", element("span", { className: `ti-badge ti-${row.status}` }, row.status));
  }
  if (row.aliases?.length) extras.push(element("span", { className: "ti-aliases" }, ` = ${row.aliases.join(" = ")}`));
  return extras;
}
