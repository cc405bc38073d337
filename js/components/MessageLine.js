// One line of text: a command's reply to this view, or a notice to every view. A message
// belongs to one action: the next action clears it, and the next cell dims it.
import { element } from "../dom.js";

export class MessageLine {
  constructor() {
    this.el = element("div", { "data-role": "message", role: "status", hidden: true });
  }

  /** @param {string} [text] @param {string} [level] "info", "warning" or "error" */
  show(text, level = "info") {
    this.el.textContent = text ?? "";
    this.el.dataset.level = level;
    delete this.el.dataset.stale;
    this.el.hidden = !text;
  }

  clear() {
    this.show("");
  }

  /** A cell ran since: the message stays readable, marked as from before. */
  dim() {
    if (!this.el.hidden) this.el.dataset.stale = "true";
  }
}
