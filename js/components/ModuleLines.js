// One line per top-level nn.Module above the table: its devices, and a button that moves it
// whole (its optimizer state follows).
import { button, element } from "../dom.js";

export class ModuleLines {
  /** @param {{onMove: (name: string, device: string) => void}} handlers */
  constructor({ onMove }) {
    this.onMove = onMove;
    this.el = element("div", { "data-role": "modules", hidden: true });
  }

  /**
   * @param {import("../types.js").ModuleLine[]} modules
   * @param {import("../types.js").MoveContext} context
   */
  update(modules, context) {
    const lines = (modules ?? []).map((module) => {
      const where = module.devices.join(", ") || "no device";
      const label = context.target ? `→ ${context.target}` : "move";
      const move = button("move", label, {
        title: context.target ? `Move all of ${module.name} (optimizer state follows)` : context.noTargetReason,
        onclick: () => this.onMove(module.name, context.target),
      });
      move.disabled = !context.target || (module.devices.length === 1 && module.devices[0] === context.target);
      const text = element("span", {}, `${module.name}: ${module.type}, ${module.tensors} tensors on ${where} `);
      return element("div", { className: "ti-module", "data-module": module.name }, text, move);
    });
    this.el.replaceChildren(...lines);
    this.el.hidden = lines.length === 0;
  }
}
