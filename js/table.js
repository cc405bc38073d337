// The tensor table: one <tr data-tensor=NAME> per row, updated in place.
import { formatBytes, formatGrad, formatShape, formatValues } from "./format.js";
import { buildView } from "./view.js";

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
  dtype: (row) => (row.dtype ?? "").replace(/^torch\./, ""),
  device: (row) => row.device ?? "",
  requires_grad: (row) => (row.requires_grad == null ? "" : row.requires_grad ? "True" : "False"),
  grad_fn: (row) => row.grad_fn ?? "",
  grad: (row) => formatGrad(row.grad),
  memory: (row) => formatBytes(row.storage_nbytes ?? row.nbytes),
  actions: () => "",
};

function actionButton(action, label, title) {
  const element = document.createElement("button");
  element.type = "button";
  element.dataset.action = action;
  element.textContent = label;
  element.title = title;
  return element;
}

// The buttons a row offers. `context` holds the move target, or why there is none.
function rowButtons(row, context) {
  const buttons = [];
  if (row.status === "error") return buttons;
  const move = actionButton("move", "move", "");
  if (context.target && row.device !== context.target) {
    move.textContent = `→ ${context.target}`;
    move.title = `Move ${row.name} to ${context.target}; every name that holds it follows`;
  } else {
    move.disabled = true;
    move.title = context.target ? `${row.name} is already on ${context.target}` : context.noTargetReason;
  }
  buttons.push(move);
  if (row.grad_fn) {
    buttons.push(actionButton("backward", "backward", `Call ${row.name}.backward()`));
  }
  if (row.is_leaf && row.requires_grad) {
    const zero = actionButton("zero-grad", "zero grad", `${row.name}.grad = None`);
    zero.disabled = row.grad == null;
    buttons.push(zero);
  }
  return buttons;
}

export function createTable() {
  const table = document.createElement("table");
  table.className = "ti-table";
  const head = table.createTHead().insertRow();
  for (const [, label] of COLUMNS) {
    const th = document.createElement("th");
    th.textContent = label;
    head.appendChild(th);
  }
  table.createTBody();
  return table;
}

function cellTitle(field, row) {
  if (field === "name" && row.aliases?.length) return `also: ${row.aliases.join(", ")}`;
  if (field === "dtype" && row.type) return row.type;
  if (field === "name" && row.preview != null) return formatValues(row.preview);
  return "";
}

export function renderRow(row, context) {
  const tr = document.createElement("tr");
  tr.dataset.tensor = row.name;
  tr.dataset.status = row.status ?? "";
  for (const [field] of COLUMNS) {
    const td = document.createElement("td");
    td.dataset.field = field;
    td.textContent = FIELD_TEXT[field](row);
    const title = cellTitle(field, row);
    if (title) td.title = title;
    if (field === "name") {
      if (row.status === "new" || row.status === "changed" || row.status === "error") {
        const badge = document.createElement("span");
        badge.className = `ti-badge ti-${row.status}`;
        badge.textContent = row.status;
        td.append(" ", badge);
      }
      if (row.aliases?.length) {
        const aliases = document.createElement("span");
        aliases.className = "ti-aliases";
        aliases.textContent = ` = ${row.aliases.join(" = ")}`;
        td.appendChild(aliases);
      }
    }
    if (field === "grad" && row.status === "error") td.textContent = row.preview ?? "";
    if (field === "actions") td.append(...rowButtons(row, context));
    tr.appendChild(td);
  }
  return tr;
}

// Keeps every row's data; renders only the rows of the current view.
export class TensorTable {
  constructor(table, context) {
    this.body = table.tBodies[0];
    this.context = context; // {target, noTargetReason}
    this.data = new Map(); // name -> row, in arrival order
    this.options = { filter: "", sort: "", group: false, page: 0 };
    this.view = null;
    this.pending = false;
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
    for (const row of rows) this.data.set(row.name, row);
    this.render();
  }

  remove(names) {
    for (const name of names) this.data.delete(name);
    this.render();
  }

  render() {
    this.view = buildView([...this.data.values()], this.options);
    const cells = this.view.items.map((item) => (item.group ? renderGroup(item.group) : renderRow(item.row, this.context)));
    this.body.replaceChildren(...cells);
    this.onRender?.(this.view);
  }
}

function renderGroup(group) {
  const tr = document.createElement("tr");
  tr.className = "ti-group";
  tr.dataset.device = group.device;
  const td = document.createElement("td");
  td.colSpan = COLUMNS.length;
  td.textContent = `${group.device}: ${group.count} tensor${group.count === 1 ? "" : "s"}, ${formatBytes(group.bytes)}`;
  tr.appendChild(td);
  return tr;
}
