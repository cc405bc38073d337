// Pure formatting of row fields for display. No DOM here.

export function formatShape(shape) {
  if (shape == null) return "?";
  return `[${shape.map((size) => (size == null ? "?" : size)).join(", ")}]`;
}

export function formatBytes(bytes) {
  if (bytes == null) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatValues(values) {
  if (values == null) return "";
  if (Array.isArray(values)) return `[${values.map(formatValues).join(", ")}]`;
  if (typeof values === "number") return Number.isInteger(values) ? `${values}.` : `${+values.toPrecision(4)}`;
  return String(values);
}

export function formatGrad(grad) {
  if (grad == null) return "None";
  if (grad.preview != null) return formatValues(grad.preview);
  return `${formatShape(grad.shape)} on ${grad.device}`;
}

export function formatDevices(devices) {
  if (!devices || !devices.available) return "No accelerator: tensors live on the cpu";
  const count = devices.count;
  const listed = devices.devices
    .map((d) => {
      const name = d.name ? ` ${d.name}` : "";
      const memory = d.memory_allocated == null ? "" : `, ${formatBytes(d.memory_allocated)} allocated`;
      return `${d.device}${name}${memory}`;
    })
    .join("; ");
  return `${devices.type} available: ${count} device${count === 1 ? "" : "s"} (${listed})`;
}
