// Filter, sort, group by device, and the pager: which rows the table shows.
import { button, element } from "../dom.js";
import { PAGE_SIZE } from "../view.js";

const SORTS = [
  ["", "as created"],
  ["name", "name"],
  ["memory", "memory"],
  ["device", "device"],
];

export class ViewControls {
  /** @param {{onChange: (options: object) => void, onPage: (step: number) => void}} handlers */
  constructor({ onChange, onPage }) {
    const filter = element("input", { name: "filter", type: "search", placeholder: "filter by name" });
    filter.addEventListener("input", () => onChange({ filter: filter.value, page: 0 }));
    const sort = element("select", { name: "sort" }, ...SORTS.map(([value, label]) => element("option", { value }, label)));
    sort.addEventListener("change", () => onChange({ sort: sort.value, page: 0 }));
    const group = element("input", { name: "group", type: "checkbox" });
    group.addEventListener("change", () => onChange({ group: group.checked, page: 0 }));
    this.previous = button("previous", "‹", { "data-page": "previous", onclick: () => onPage(-1) });
    this.next = button("next", "›", { "data-page": "next", onclick: () => onPage(1) });
    this.pageText = element("span");
    const pager = element("span", { "data-role": "pager" }, this.previous, this.pageText, this.next);
    this.el = element(
      "div",
      { className: "ti-controls", hidden: true },
      filter,
      element("label", {}, "sort ", sort),
      element("label", {}, group, " group by device"),
      pager,
    );
  }

  /** @param {{shown: number, total: number, page: number, pages: number}} view */
  update(view) {
    const first = view.shown === 0 ? 0 : view.page * PAGE_SIZE + 1;
    const last = Math.min(view.shown, (view.page + 1) * PAGE_SIZE);
    const filtered = view.shown === view.total ? "" : ` (${view.total.toLocaleString()} in all)`;
    this.pageText.textContent = ` ${first.toLocaleString()}–${last.toLocaleString()} of ${view.shown.toLocaleString()}${filtered} `;
    this.previous.disabled = view.page === 0;
    this.next.disabled = view.page >= view.pages - 1;
    this.el.hidden = view.total === 0;
  }
}
