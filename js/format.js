// Pure formatting of row fields for display. No DOM here.

export function formatShape(shape) {
  if (shape == null) return "?";
  return `[${shape.map((size) => (size == null ? "?" : size)).join(", ")}]`;
}

export function formatDtype(dtype) {
  return (dtype ?? "").replace(/^torch\./, "");
}

/** "[3], float32, on cpu": the one way a tensor's shape, dtype and device are written. */
export function formatShapeDtype(tensor) {
  return `${formatShape(tensor.shape)}, ${formatDtype(tensor.dtype)}, on ${tensor.device}`;
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

const FLOATING = /float|double|half|bfloat|complex/;

/**
 * Values as PyTorch prints them: a float tensor's 2.0 is "2.", an integer tensor's 2 is "2".
 * @param {unknown} values
 * @param {string | null} [dtype] the tensor's dtype, e.g. "torch.int64"
 */
export function formatValues(values, dtype = null) {
  if (values == null) return "";
  const floating = dtype == null || FLOATING.test(dtype);
  if (Array.isArray(values)) return `[${values.map((value) => formatValues(value, dtype)).join(", ")}]`;
  if (typeof values === "number") {
    if (!Number.isFinite(values)) return Number.isNaN(values) ? "nan" : values > 0 ? "inf" : "-inf";
    if (!Number.isInteger(values)) return `${+values.toPrecision(4)}`;
    return floating ? `${values}.` : `${values}`;
  }
  if (typeof values === "boolean") return values ? "True" : "False";
  return String(values);
}

export function formatGrad(grad) {
  if (grad == null) return "None";
  if (grad.preview != null) return formatValues(grad.preview, grad.dtype);
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
