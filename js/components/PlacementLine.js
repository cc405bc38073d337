// Where the panel is. A panel docked in the right sidebar leaves its cell a one-line note (with
// "show here"), and a panel that cannot dock says why, in one line, and stays in the cell.
import { button, element } from "../dom.js";

/**
 * The line a view shows for the panel's placement (pure).
 * @param {import("../types.js").Placement} placement
 * @param {{docked: boolean, folded: boolean}} view
 */
export function placementText(placement, { docked, folded }) {
  if (docked) return "";
  switch (placement?.state) {
    case "side":
      return folded ? "The tensor panel is docked in the right sidebar." : "";
    case "docking":
      return "Docking in the right sidebar… If no Tensors tab appears, reload the page: ipylab's extension loads with it.";
    case "closed":
    case "unsupported":
      return placement.note ?? "";
    default:
      return "";
  }
}

/** Whether this view is the one in the sidebar of JupyterLab or Notebook 7. */
export function isDocked(el) {
  return !!el.closest("#jp-right-stack, .jp-SideAreaWidget");
}

/** Whether this view is in a notebook page that has a right sidebar to dock in. */
export function canDockFrom(el) {
  return !!el.closest(".jp-Notebook") && !!document.getElementById("jp-right-stack");
}

/** Every open view of a panel in this page, whichever copy of this bundle rendered it: a
 * docked panel closes the stale tab its notebook's last kernel left behind. */
export const VIEWS = (globalThis[Symbol.for("tensor-inspector.views")] ??= new Set());

/**
 * Closes the sidebar tab a view whose kernel is gone sits in. Closing the box's widget model
 * takes its tab out in JupyterLab and Notebook 7 alike (Notebook 7's side panel has no tab to
 * click); without the box's id, a middle click on the tab does it in JupyterLab.
 * @param {{el: HTMLElement, manager: any, box: () => string | undefined}} view
 */
export async function closeStaleTab(view) {
  const id = view.box();
  if (id && view.manager?.get_model) {
    try {
      const box = await view.manager.get_model(id);
      await box.close(true); // its comm died with the kernel: nothing to tell the kernel
      return;
    } catch {
      // the manager no longer knows the box: the tab, if any, is closed by its click below
    }
  }
  closeSidebarTab(view.el);
}

/** Closes the sidebar tab that holds `el`, as a middle click on the tab does in JupyterLab. */
export function closeSidebarTab(el) {
  const area = el.closest(".jp-SideAreaWidget");
  const tab = area?.id && document.querySelector(`.lm-TabBar-tab[data-id="${CSS.escape(area.id)}"]`);
  if (!tab) return false;
  const box = tab.getBoundingClientRect();
  const at = { bubbles: true, cancelable: true, button: 1, buttons: 4, clientX: box.x + box.width / 2, clientY: box.y + box.height / 2 };
  tab.dispatchEvent(new PointerEvent("pointerdown", at));
  tab.dispatchEvent(new PointerEvent("pointerup", { ...at, buttons: 0 }));
  return true;
}

/** Calls `then` once `el` is in the document (a view is rendered before it is attached). */
export function whenAttached(el, then, tries = 400) {
  if (el.isConnected) then();
  else if (tries > 0) setTimeout(() => whenAttached(el, then, tries - 1), 50);
}

export class PlacementLine {
  /** @param {{onShowHere: () => void}} handlers */
  constructor({ onShowHere }) {
    this.text = element("span");
    this.showHere = button("show-here", "show here", { title: "Show the panel in this cell too", onclick: onShowHere });
    this.el = element("div", { "data-role": "placement", hidden: true }, this.text, " ", this.showHere);
  }

  update(placement, view) {
    const text = placementText(placement, view);
    this.text.textContent = text;
    this.showHere.hidden = !view.folded;
    this.el.hidden = !text;
  }
}
