// The panel's dialogs: the gradient prompt of backward() and the confirmation of a move.
// One is open at a time; it closes when its command succeeds, and stays open on an error.
import { button, element } from "../dom.js";
import { formatShapeDtype } from "../format.js";

export class Dialogs {
  constructor() {
    this.el = element("div", { className: "ti-dialogs" });
  }

  close() {
    this.el.replaceChildren();
  }

  /**
   * Asks for the gradient of a non-scalar output.
   * @param {import("../types.js").Row} row
   * @param {(choice: {gradient: string, retain_graph: boolean}) => void} onConfirm
   * @param {{retain_graph?: boolean}} [options] what the box starts ticked with
   */
  askGradient(row, onConfirm, { retain_graph = false } = {}) {
    const gradient = element("input", { name: "gradient", value: "ones", spellcheck: false });
    gradient.setAttribute("aria-label", "gradient");
    const retain = element("input", { type: "checkbox", name: "retain_graph", checked: retain_graph });
    const confirm = button("confirm", "Run backward", { type: "submit" });
    const prompt = element(
      "form",
      { className: "ti-dialog", "data-role": "gradient-prompt", "data-tensor": row.name },
      element("div", {}, `backward() from ${row.name}: it has shape ${formatShapeDtype(row)}, so it needs a gradient of that shape.`),
      element("div", { className: "ti-hint" }, "ones, zeros, a number, a nested list such as [1, 1, 1], or the name of a tensor"),
      gradient,
      element("label", {}, retain, " retain_graph"),
      confirm,
      button("cancel", "Cancel", { onclick: () => this.close() }),
    );
    prompt.addEventListener("submit", (event) => {
      event.preventDefault();
      onConfirm({ gradient: gradient.value, retain_graph: retain.checked });
    });
    this.el.replaceChildren(prompt);
    gradient.select();
    gradient.focus({ preventScroll: true }); // the caller scrolls the prompt into view
  }

  /**
   * Asks before moving a computed tensor, since the move takes it out of the graph.
   * @param {import("../types.js").Row} row
   * @param {string} target
   * @param {() => void} onConfirm
   */
  confirmMove(row, target, onConfirm) {
    const text =
      `${row.name} was computed (grad_fn ${row.grad_fn}). Moving it to ${target} makes a new leaf: ` +
      "it leaves the autograd graph, and backward() through it will no longer reach its inputs.";
    this.el.replaceChildren(
      element(
        "div",
        { className: "ti-dialog", "data-role": "confirm-move", "data-tensor": row.name },
        element("div", {}, text),
        button("confirm", `Move to ${target}`, { onclick: onConfirm }),
        button("cancel", "Cancel", { onclick: () => this.close() }),
      ),
    );
  }
}
