// Render entry of the tensor-inspector panel (anywidget). Knows rows and messages, not torch.
import "./style.css";
import { formatDevices } from "./format.js";
import { gradientPrompt, moveConfirmation } from "./prompt.js";
import { createTable, TensorTable } from "./table.js";
import { PAGE_SIZE } from "./view.js";

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith("data-")) node.dataset[key.slice(5).replace(/-(\w)/g, (_, c) => c.toUpperCase())] = value;
    else node[key] = value;
  }
  if (text) node.textContent = text;
  return node;
}

function moveContext(devices, selected) {
  if (!devices || !devices.available) {
    return { target: null, noTargetReason: "No accelerator in this kernel: there is nowhere to move tensors to" };
  }
  return { target: selected || devices.targets?.[0] || null, noTargetReason: "" };
}

function render({ model, el }) {
  const root = element("div", { className: "tensor-inspector" });
  const header = element("div", { className: "ti-header" });
  const devices = element("div", { "data-role": "devices" });
  const targetLabel = element("label", { className: "ti-target" }, "move to ");
  const target = element("select", { name: "device" });
  targetLabel.appendChild(target);
  const zeroAll = element("button", { type: "button", "data-action": "zero-grad", "data-scope": "all" }, "zero all grads");
  zeroAll.title = "Set .grad = None on every tensor that has one";
  header.append(devices, targetLabel, zeroAll);

  const message = element("div", { "data-role": "message" });
  const flag = element("div", { "data-role": "flag" });
  const dialogs = element("div", { className: "ti-dialogs" });
  const modules = element("div", { "data-role": "modules" });
  const controls = element("div", { className: "ti-controls" });
  const filter = element("input", { name: "filter", type: "search", placeholder: "filter by name" });
  const sortLabel = element("label", {}, "sort ");
  const sort = element("select", { name: "sort" });
  for (const [value, label] of [["", "as created"], ["name", "name"], ["memory", "memory"], ["device", "device"]]) {
    sort.appendChild(element("option", { value }, label));
  }
  sortLabel.appendChild(sort);
  const groupLabel = element("label", {});
  const group = element("input", { name: "group", type: "checkbox" });
  groupLabel.append(group, " group by device");
  const pager = element("span", { "data-role": "pager" });
  const previous = element("button", { type: "button", "data-page": "previous" }, "‹");
  const pageText = element("span", {});
  const next = element("button", { type: "button", "data-page": "next" }, "›");
  pager.append(previous, pageText, next);
  controls.append(filter, sortLabel, groupLabel, pager);
  const tableElement = createTable();
  const table = new TensorTable(tableElement, moveContext(model.get("devices"), null));
  const empty = element("div", { className: "ti-empty" }, "No tensors yet: create one and it shows up here.");
  const truncated = element("div", { "data-role": "truncated" });
  root.append(header, flag, message, dialogs, modules, controls, tableElement, empty, truncated);
  el.appendChild(root);

  const RESTARTED = "kernel restarted: run %load_ext tensor_inspector again";
  const showLocalMessage = (text, level) => {
    message.textContent = text;
    message.dataset.level = level;
    message.hidden = false;
  };
  // After a kernel restart the comm is gone and sending throws: say so instead.
  const send = (request) => {
    try {
      model.send(request);
    } catch {
      showLocalMessage(RESTARTED, "error");
    }
  };
  let openDialog = null; // {action, name}
  const closeDialog = () => {
    dialogs.replaceChildren();
    openDialog = null;
  };

  const showDevices = () => {
    const info = model.get("devices");
    devices.textContent = formatDevices(info);
    const chosen = target.value;
    target.replaceChildren(...(info?.targets ?? ["cpu"]).map((name) => element("option", { value: name }, name)));
    if (chosen && info?.targets?.includes(chosen)) target.value = chosen;
    target.disabled = !info?.available;
    targetLabel.title = info?.available ? "" : "No accelerator in this kernel";
    table.setContext(moveContext(info, target.value));
    showModules();
  };
  const showMessage = () => {
    const current = model.get("message") || {};
    message.textContent = current.text || "";
    message.dataset.level = current.level || "info";
    message.hidden = !current.text;
    if (openDialog && current.action === openDialog.action && current.name === openDialog.name && current.level !== "error") {
      closeDialog();
    }
  };
  const showFlag = () => {
    const current = model.get("flag") || {};
    flag.replaceChildren();
    flag.hidden = !current.text;
    if (!current.text) return;
    flag.append(element("div", { className: "ti-flag-text" }, current.text));
    if (current.name && current.device) {
      flag.dataset.tensor = current.name;
      const fix = element("button", { type: "button", "data-action": "move" }, `move ${current.name} to ${current.device}`);
      fix.dataset.device = current.device;
      fix.dataset.fix = "rebind"; // does what the fix says: name = name.to(device)
      flag.appendChild(fix);
    } else {
      delete flag.dataset.tensor;
    }
  };
  const showTruncated = () => {
    const entries = Object.entries(model.get("truncated") || {});
    truncated.textContent = entries.map(([path, more]) => `${path}: +${more} more`).join(" · ");
    truncated.hidden = entries.length === 0;
  };
  const showModules = () => {
    const context = moveContext(model.get("devices"), target.value);
    const items = (model.get("modules") || []).map((module) => {
      const item = element("div", { className: "ti-module", "data-module": module.name });
      item.append(element("span", {}, `${module.name}: ${module.type}, ${module.tensors} tensors on ${module.devices.join(", ") || "no device"} `));
      const move = element("button", { type: "button", "data-action": "move" }, context.target ? `→ ${context.target}` : "move");
      const everywhere = module.devices.length === 1 && module.devices[0] === context.target;
      move.disabled = !context.target || everywhere;
      move.title = context.target ? `Move all of ${module.name} (optimizer state follows)` : context.noTargetReason;
      item.appendChild(move);
      return item;
    });
    modules.replaceChildren(...items);
    modules.hidden = items.length === 0;
  };
  const showEmpty = () => {
    empty.hidden = table.size > 0;
  };
  table.onRender = (view) => {
    const first = view.shown === 0 ? 0 : view.page * PAGE_SIZE + 1;
    const last = Math.min(view.shown, (view.page + 1) * PAGE_SIZE);
    const filtered = view.shown === view.total ? "" : ` (${view.total.toLocaleString()} in all)`;
    pageText.textContent = ` ${first.toLocaleString()}–${last.toLocaleString()} of ${view.shown.toLocaleString()}${filtered} `;
    previous.disabled = view.page === 0;
    next.disabled = view.page >= view.pages - 1;
    controls.hidden = view.total === 0;
  };
  const onFilter = () => table.setOptions({ filter: filter.value, page: 0 });
  const onSort = () => table.setOptions({ sort: sort.value, page: 0 });
  const onGroup = () => table.setOptions({ group: group.checked, page: 0 });
  const onPage = (event) => {
    const step = event.currentTarget.dataset.page === "next" ? 1 : -1;
    table.setOptions({ page: table.options.page + step });
  };

  const startMove = (name) => {
    const row = table.row(name);
    const device = target.value;
    if (row && row.grad_fn) {
      closeDialog();
      openDialog = { action: "move", name };
      dialogs.appendChild(moveConfirmation(row, device, () => send({ action: "move", name, device }), closeDialog));
    } else {
      send({ action: "move", name, device });
    }
  };
  const startBackward = (name) => {
    const row = table.row(name);
    if (!row) return;
    if (row.numel === 1) {
      send({ action: "backward", name });
      return;
    }
    closeDialog();
    openDialog = { action: "backward", name };
    const prompt = gradientPrompt(row, (choice) => send({ action: "backward", name, ...choice }), closeDialog);
    dialogs.appendChild(prompt);
    prompt.querySelector('input[name="gradient"]').select();
  };

  const onClick = (event) => {
    const clicked = event.target.closest("button[data-action]");
    if (!clicked || clicked.disabled || !root.contains(clicked)) return;
    if (dialogs.contains(clicked)) return; // dialogs wire their own buttons
    const name = clicked.closest("[data-tensor]")?.dataset.tensor ?? clicked.closest("[data-module]")?.dataset.module;
    const action = clicked.dataset.action;
    if (action === "move" && clicked.dataset.fix) send({ action: "apply_fix", name, device: clicked.dataset.device });
    else if (action === "move" && clicked.dataset.device) send({ action: "move", name, device: clicked.dataset.device });
    else if (action === "move") startMove(name);
    else if (action === "backward") startBackward(name);
    else if (action === "zero-grad" && clicked.dataset.scope === "all") send({ action: "zero_grad_all" });
    else if (action === "zero-grad") send({ action: "zero_grad", name });
  };
  const onTarget = () => {
    table.setContext(moveContext(model.get("devices"), target.value));
    showModules();
  };

  const onCustom = (msg) => {
    if (msg.kind === "snapshot") table.replaceAll(msg.rows);
    else if (msg.kind === "changes") {
      table.remove(msg.remove);
      table.upsert(msg.upsert);
    }
    showEmpty();
  };

  root.addEventListener("click", onClick);
  filter.addEventListener("input", onFilter);
  sort.addEventListener("change", onSort);
  group.addEventListener("change", onGroup);
  previous.addEventListener("click", onPage);
  next.addEventListener("click", onPage);
  target.addEventListener("change", onTarget);
  model.on("change:devices", showDevices);
  model.on("change:message", showMessage);
  model.on("change:truncated", showTruncated);
  model.on("change:modules", showModules);
  model.on("change:flag", showFlag);
  model.on("msg:custom", onCustom);
  showDevices();
  showMessage();
  showTruncated();
  showFlag();
  showEmpty();
  send({ action: "snapshot" });

  return () => {
    root.removeEventListener("click", onClick);
    model.off("change:devices", showDevices);
    model.off("change:message", showMessage);
    model.off("change:truncated", showTruncated);
    model.off("change:modules", showModules);
    model.off("change:flag", showFlag);
    model.off("msg:custom", onCustom);
  };
}

export default { render };
