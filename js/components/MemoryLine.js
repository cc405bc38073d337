// Memory held without a name, on request: what IPython's output history, a failed cell's
// traceback or a kept autograd graph holds, and one-click releases.
import { button, element } from "../dom.js";
import { formatBytes, formatDtype, formatNumber, formatShape } from "../format.js";

export class MemoryLine {
  /** @param {{onScan: () => void, onRelease: (kind: string) => void}} handlers */
  constructor({ onScan, onRelease }) {
    this.onRelease = onRelease;
    this.summary = element("span", {}, "");
    this.list = element("ul", { className: "ti-unnamed-list", hidden: true });
    const scan = button("unnamed", "held without a name?", { title: "Find the tensors no name reaches, and what holds them", onclick: onScan });
    this.el = element("div", { className: "ti-memory", "data-role": "unnamed" }, scan, " ", this.summary, this.list);
  }

  /** @param {{unnamed: object[], count: number, totals: Record<string, number>}} reply */
  show(reply) {
    const totals = Object.entries(reply.totals ?? {});
    this.summary.textContent = totals.length
      ? `held without a name: ${totals.map(([device, bytes]) => `${formatBytes(bytes)} on ${device}`).join(", ")} (${formatNumber(reply.count)} tensor${reply.count === 1 ? "" : "s"})`
      : "held without a name: nothing";
    const items = (reply.unnamed ?? []).slice(0, 10).map((entry) =>
      element("li", {}, `${formatShape(entry.shape)} ${formatDtype(entry.dtype)} on ${entry.device}, ${formatBytes(entry.nbytes)}: ${[].concat(entry.held_by ?? []).join("; ")}`),
    );
    const releases = [
      ["output history", "release output history"],
      ["last error", "release last error"],
    ].map(([kind, label]) => button("release", label, { "data-kind": kind, onclick: () => this.onRelease(kind) }));
    this.list.replaceChildren(...items, element("li", {}, ...releases));
    this.list.hidden = false;
  }
}
