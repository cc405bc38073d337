// Which rows the table shows: filtered by name, sorted, grouped by device, one page at a time.
// Pure functions over plain rows, so 10,000 tensors cost a sort, not 10,000 DOM rows.

export const PAGE_SIZE = 200;

export function memoryOf(row) {
  // A view shares its base's storage: count the storage once, at the base.
  if (row.is_view) return 0;
  const bytes = row.storage_nbytes ?? row.nbytes;
  return typeof bytes === "number" && Number.isFinite(bytes) ? bytes : 0; // sums stay numbers
}

const COMPARE = {
  name: (a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }),
  memory: (a, b) => memoryOf(b) - memoryOf(a) || COMPARE.name(a, b),
  device: (a, b) => (a.device ?? "").localeCompare(b.device ?? "") || COMPARE.name(a, b),
};

export function matches(row, filter) {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  return row.name.toLowerCase().includes(needle) || (row.aliases ?? []).some((alias) => alias.toLowerCase().includes(needle));
}

// -> {items: [{group}|{row}], total, shown, page, pages}
export function buildView(rows, { filter = "", sort = "", group = false, page = 0 } = {}) {
  let selected = rows.filter((row) => matches(row, filter));
  if (sort && COMPARE[sort]) selected = [...selected].sort(COMPARE[sort]);
  if (group) selected = [...selected].sort((a, b) => (a.device ?? "").localeCompare(b.device ?? ""));
  const pages = Math.max(1, Math.ceil(selected.length / PAGE_SIZE));
  const current = Math.min(Math.max(0, page), pages - 1);
  const slice = selected.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);
  const items = [];
  if (group) {
    const totals = deviceTotals(selected);
    let device = null;
    for (const row of slice) {
      if (row.device !== device) {
        device = row.device;
        items.push({ group: { device, ...totals.get(device) } });
      }
      items.push({ row });
    }
  } else {
    for (const row of slice) items.push({ row });
  }
  return { items, total: rows.length, shown: selected.length, page: current, pages };
}

export function deviceTotals(rows) {
  const totals = new Map();
  for (const row of rows) {
    const entry = totals.get(row.device) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += memoryOf(row);
    totals.set(row.device, entry);
  }
  return totals;
}
