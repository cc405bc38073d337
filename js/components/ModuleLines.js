// One line per top-level nn.Module above the table: its devices, and a button that moves it
// whole (its optimizer state follows).
import { button, element } from "../dom.js";

export class ModuleLines {
  /** @param {{onMove: (name: string, device: string) => void, onStats: (name: string) => void}} handlers */
  constructor({ onMove, onStats }) {
    this.onMove = onMove;
    this.onStats = onStats;
    /** @type {Map<string, object>} module name -> its parameters' statistics, when shown */
    this.stats = new Map();
    this.el = element("div", { "data-role": "modules", hidden: true });
  }

  showStats(name, stats, modules, context) {
    if (stats == null) this.stats.delete(name);
    else this.stats.set(name, stats);
    this.update(modules, context);
  }

  /**
   * @param {import("../types.js").ModuleLine[]} modules
   * @param {import("../types.js").MoveContext} context
   */
  update(modules, context) {
    const lines = (modules ?? []).map((module) => {
      const where = module.devices.join(", ") || "no device";
      const text = element("span", {}, `${module.name}: ${module.type}, ${module.tensors} tensors on ${where} `);
      const shown = this.stats.get(module.name);
      const stats = button("stats", shown ? "hide stats" : "stats", {
        title: `Statistics and grad norms of ${module.name}'s parameters`,
        onclick: () => this.onStats(module.name),
      });
      const line = element("div", { className: "ti-module", "data-module": module.name }, text);
      if (context.target) {
        // Without an accelerator there is nowhere to move to: the header says why.
        const move = button("move", `→ ${context.target}`, {
          title: `Move all of ${module.name} (optimizer state follows)`,
          onclick: () => this.onMove(module.name, context.target),
        });
        move.disabled = module.devices.length === 1 && module.devices[0] === context.target;
        line.append(move, " ");
      }
      line.append(stats);
      if (shown) line.append(parameterList(shown));
      return line;
    });
    this.el.replaceChildren(...lines);
    this.el.hidden = lines.length === 0;
  }
}

/** Each parameter's grad norm, marked when it vanishes, explodes or is dead. */
function parameterList(stats) {
  const items = Object.entries(stats.parameters).map(([path, entry]) => {
    const norm = entry.grad_norm == null ? "no grad" : `grad norm ${+entry.grad_norm.toPrecision(3)}`;
    const item = element("li", { "data-parameter": path }, `${path}: ${norm}, values in [${+entry.min?.toPrecision(3)}, ${+entry.max?.toPrecision(3)}] `);
    if (entry.grad_health) item.append(element("span", { className: "ti-badge ti-error", "data-health": entry.grad_health }, entry.grad_health));
    return item;
  });
  return element("ul", { className: "ti-unnamed-list", "data-role": "module-stats" }, ...items);
}
