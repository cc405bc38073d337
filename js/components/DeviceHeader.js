// The header: which accelerator the kernel has, where "move" sends tensors, and the one
// button that clears every grad.
import { button, element } from "../dom.js";
import { formatDevices } from "../format.js";

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
    this.el = element("div", { className: "ti-header" }, this.devices, this.label, zeroAll);
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
    this.select.disabled = !info?.available;
    this.label.title = info?.available ? "" : "No accelerator in this kernel";
  }
}

/**
 * Where a move goes, or why there is nowhere to go.
 * @returns {import("../types.js").MoveContext}
 */
export function moveContext(devices, selected) {
  if (!devices || !devices.available) {
    return { target: null, noTargetReason: "No accelerator in this kernel: there is nowhere to move tensors to" };
  }
  return { target: selected || devices.targets?.[0] || null, noTargetReason: "" };
}
