// Render entry of the tensor-inspector panel (anywidget). Knows rows and messages, not torch.
import "./style.css";
import { formatDevices } from "./format.js";
import { createTable, TensorTable } from "./table.js";

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "tensor-inspector";

  const devices = document.createElement("div");
  devices.dataset.role = "devices";
  const message = document.createElement("div");
  message.dataset.role = "message";
  const tableElement = createTable();
  const table = new TensorTable(tableElement);
  const empty = document.createElement("div");
  empty.className = "ti-empty";
  empty.textContent = "No tensors yet: create one and it shows up here.";
  const truncated = document.createElement("div");
  truncated.dataset.role = "truncated";

  root.append(devices, message, tableElement, empty, truncated);
  el.appendChild(root);

  const showDevices = () => {
    devices.textContent = formatDevices(model.get("devices"));
  };
  const showMessage = () => {
    const current = model.get("message") || {};
    message.textContent = current.text || "";
    message.dataset.level = current.level || "info";
    message.hidden = !current.text;
  };
  const showTruncated = () => {
    const entries = Object.entries(model.get("truncated") || {});
    truncated.textContent = entries.map(([path, more]) => `${path}: +${more} more`).join(" · ");
    truncated.hidden = entries.length === 0;
  };
  const showEmpty = () => {
    empty.hidden = table.size > 0;
  };

  const onCustom = (msg) => {
    if (msg.kind === "snapshot") table.replaceAll(msg.rows);
    else if (msg.kind === "changes") {
      table.remove(msg.remove);
      table.upsert(msg.upsert);
    }
    showEmpty();
  };

  model.on("change:devices", showDevices);
  model.on("change:message", showMessage);
  model.on("change:truncated", showTruncated);
  model.on("msg:custom", onCustom);
  showDevices();
  showMessage();
  showTruncated();
  showEmpty();
  model.send({ action: "snapshot" });

  return () => {
    model.off("change:devices", showDevices);
    model.off("change:message", showMessage);
    model.off("change:truncated", showTruncated);
    model.off("msg:custom", onCustom);
  };
}

export default { render };
