// One line of text: a command's reply to this view, or a notice to every view.
import { element } from "../dom.js";

export class MessageLine {
  constructor() {
    this.el = element("div", { "data-role": "message", hidden: true });
  }

  /** @param {string} [text] @param {string} [level] "info", "warning" or "error" */
  show(text, level = "info") {
    this.el.textContent = text ?? "";
    this.el.dataset.level = level;
    this.el.hidden = !text;
  }
}
