// One line per top-level nn.Module above the table: its devices, and a button that moves it
// whole (its optimizer state follows).
import { button, element } from "../dom.js";
import { formatNumber } from "../format.js";

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
      const text = element("span", {}, `${formatModule(module)} `);
      const shown = this.stats.get(module.name);
      const stats = button("stats", shown ? "hide stats" : "stats", {
        title: `Statistics and grad norms of ${module.name}'s parameters`,
        onclick: () => this.onStats(module.name),
      });
      const line = element("div", { className: "ti-module", "data-module": module.name }, text);
      // Without an accelerator there is nowhere to move to: the header says why. A model
      // split over devices is offered whole on each of them, and on the header's target.
      for (const target of moveTargets(module, context)) {
        const move = button("move", `${module.devices.length > 1 ? "all " : ""}→ ${target}`, {
          title: `Move all of ${module.name} to ${target} (optimizer state follows)`,
          "data-target": target,
          onclick: () => this.onMove(module.name, target),
        });
        move.disabled = module.devices.length === 1 && module.devices[0] === target;
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

/**
 * "model: Net, 4 tensors on sim:0", or for a model split over devices
 * "model: Net, 4 tensors split over 2 devices: 2 on sim:0, 2 on sim:1", and "sharded with
 * fully_shard" where FSDP2 sharded it.
 * @param {import("../types.js").ModuleLine} module
 */
export function formatModule(module) {
  const devices = module.devices ?? [];
  const counts = module.device_counts ?? {};
  let where = `on ${devices.join(", ") || "no device"}`;
  if (devices.length > 1) {
    where = `split over ${devices.length} devices: ${devices.map((device) => `${counts[device] ?? "?"} on ${device}`).join(", ")}`;
  }
  const sharded = module.fully_shard ? " · sharded with fully_shard" : "";
  return `${module.name}: ${module.type}, ${module.tensors} tensors ${where}${sharded}`;
}

/** Where a module's move buttons send it: the header's target, and each accelerator device
 * a split module is on. None without an accelerator. */
function moveTargets(module, context) {
  if (!context.target) return [];
  const devices = module.devices ?? [];
  if (devices.length < 2) return [context.target];
  const accelerators = devices.filter((device) => device !== "cpu" && device !== "meta");
  return [...new Set([context.target, ...accelerators])];
}

/** Each parameter's grad norm, marked when it vanishes, explodes or is dead. */
function parameterList(stats) {
  const items = Object.entries(stats?.parameters ?? {}).map(([path, entry]) => {
    const norm = entry?.grad_norm == null ? "no grad" : `grad norm ${formatNumber(entry.grad_norm, 3)}`;
    const item = element("li", { "data-parameter": path }, `${path}: ${norm}, values in [${formatNumber(entry?.min, 3)}, ${formatNumber(entry?.max, 3)}] `);
    if (entry?.grad_health) item.append(element("span", { className: "ti-badge ti-error", "data-health": String(entry.grad_health) }, String(entry.grad_health)));
    return item;
  });
  return element("ul", { className: "ti-unnamed-list", "data-role": "module-stats" }, ...items);
}
