// The flag of an operation that mixes devices, with a button that runs its fix.
import { button, element } from "../dom.js";

export class FlagBar {
  /** @param {{onFix: (name: string, device: string) => void}} handlers */
  constructor({ onFix }) {
    this.onFix = onFix;
    this.el = element("div", { "data-role": "flag", hidden: true });
  }

  /** @param {import("../types.js").Flag} flag */
  update(flag) {
    this.el.replaceChildren();
    this.el.hidden = !flag?.text;
    delete this.el.dataset.tensor;
    if (!flag?.text) return;
    this.el.append(element("div", { className: "ti-flag-text" }, flag.text));
    if (flag.name && flag.device) {
      this.el.dataset.tensor = flag.name;
      const { name, device } = flag;
      // It does what the fix says: name = name.to(device), or the module's move.
      this.el.append(button("move", `move ${name} to ${device}`, { "data-device": device, onclick: () => this.onFix(name, device) }));
    }
  }
}
