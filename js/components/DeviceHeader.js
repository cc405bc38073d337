// The header: which accelerator the kernel has, where "move" sends tensors, and the one
// button that clears every grad.
import { button, element } from "../dom.js";
import { formatBytes, formatDevices } from "../format.js";

export class DeviceHeader {
  /** @param {{onTarget: () => void, onZeroAll: () => void}} handlers */
  constructor({ onTarget, onZeroAll }) {
    this.devices = element("div", { "data-role": "devices" });
    this.select = element("select", { name: "device", onchange: onTarget });
    this.label = element("label", { className: "ti-target" }, "move to ", this.select);
    const zeroAll = button("zero-grad", "zero all grads", {
      "data-scope": "all",
      title: "Set .grad = None on every tensor that has one",
      onclick: onZeroAll,
    });
    this.lastCell = element("span", { "data-role": "last-cell", className: "ti-last-cell" });
    this.el = element("div", { className: "ti-header" }, this.devices, this.lastCell, this.label, zeroAll);
  }

  /** What the last cell added or freed, per device (tracked tensors; allocator on devices). */
  showMemory(memory) {
    this.lastCell.textContent = formatLastCell(memory);
  }

  /** @returns {string} the device chosen in the menu */
  get target() {
    return this.select.value;
  }

  /** @param {import("../types.js").Devices} info */
  update(info) {
    this.devices.textContent = formatDevices(info);
    const chosen = this.select.value;
    const targets = info?.targets ?? ["cpu"];
    this.select.replaceChildren(...targets.map((name) => element("option", { value: name }, name)));
    if (chosen && targets.includes(chosen)) this.select.value = chosen;
    // Without an accelerator there is nowhere to move to: the devices line says so.
    this.label.hidden = !info?.available;
  }
}

/**
 * Where a move goes: null without an accelerator (the header says so, and no move is offered).
 * @returns {import("../types.js").MoveContext}
 */
export function moveContext(devices, selected) {
  if (!devices || !devices.available) return { target: null };
  return { target: selected || devices.targets?.[0] || null };
}

function signed(bytes) {
  return `${bytes < 0 ? "-" : "+"}${formatBytes(Math.abs(bytes))}`;
}

/** "last cell: +3.9 KB on cpu, +4.0 MB on cuda:0 (allocator +4.0 MB, 8.0 MB reserved)" */
export function formatLastCell(memory) {
  const changes = Object.entries(memory?.last_cell ?? {});
  const allocator = Object.entries(memory?.allocator ?? {}).filter(([, stats]) => stats.allocated_change);
  if (!changes.length && !allocator.length) return "";
  const parts = changes.map(([device, change]) => `${signed(change)} on ${device}`);
  for (const [device, stats] of allocator) {
    const reserved = stats.reserved == null ? "" : `, ${formatBytes(stats.reserved)} reserved`;
    parts.push(`${device} allocator ${signed(stats.allocated_change)}${reserved}`);
  }
  return `last cell: ${parts.join(", ")}`;
}
