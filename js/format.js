// Pure formatting of row fields for display. No DOM here.

const NON_FINITE = { nan: "nan", inf: "inf", "-inf": "-inf" };

/**
 * The one way a number from the kernel is written. The kernel sends strict JSON, so nan and
 * ±inf arrive as the strings "nan", "inf" and "-inf"; a missing value (null) reads "–". Any
 * other value is written as text rather than thrown on: a view never stops at a number.
 * @param {unknown} value
 * @param {number} [digits] significant digits
 * @returns {string}
 */
export function formatNumber(value, digits = 4) {
  if (value == null) return "–";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "nan";
    if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
    if (Number.isInteger(value) && Math.abs(value) < 1e15) return `${value}`;
    const precision = Math.min(100, Math.max(1, Math.trunc(digits) || 4));
    const written = value.toPrecision(precision);
    // "+" drops trailing zeros, but would round 1.798e+308 up to Infinity.
    return Number.isFinite(+written) ? `${+written}` : written;
  }
  if (typeof value === "string") return NON_FINITE[value] ?? value;
  if (typeof value === "bigint") return `${value}`;
  if (typeof value === "boolean") return value ? "True" : "False";
  try {
    return String(value);
  } catch {
    return "?"; // an object without a usable text (Object.create(null))
  }
}

/** A number from the kernel as a JS number: the strings "nan", "inf", "-inf" read as such;
 * anything else that is not a number reads as undefined. */
export function numberOf(value) {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  return { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, "-inf": Number.NEGATIVE_INFINITY }[value];
}

export function formatShape(shape) {
  if (!Array.isArray(shape)) return "?";
  return `[${shape.map((size) => (size == null ? "?" : formatNumber(size))).join(", ")}]`;
}

export function formatDtype(dtype) {
  return String(dtype ?? "").replace(/^torch\./, "");
}

/** "[3], float32, on cpu": the one way a tensor's shape, dtype and device are written. */
export function formatShapeDtype(tensor) {
  return `${formatShape(tensor.shape)}, ${formatDtype(tensor.dtype)}, on ${tensor.device}`;
}

export function formatBytes(bytes) {
  if (bytes == null) return "";
  if (typeof bytes !== "number" || !Number.isFinite(bytes)) return formatNumber(bytes);
  if (bytes < 0) return `-${formatBytes(-bytes)}`;
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
  if (typeof values === "number" && Number.isInteger(values)) {
    if (!floating) return `${values}`;
    if (Math.abs(values) < 1e15) return `${values}.`;
  }
  return formatNumber(values);
}

// Beyond this many characters a value list is summarised in its cell: a cell never outgrows
// its column, and the full values are a click away.
export const SHORT_VALUES = 24;

function flatten(values) {
  return Array.isArray(values) ? values.flatMap(flatten) : [values];
}

function rounded(value, floating) {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return floating ? `${value}.` : `${value}`;
  return formatNumber(value, 2);
}

/**
 * Values short enough for a table cell, as lovely-tensors writes them: "[2., 4., 6.]" when that
 * fits, else "x∈[-0.16, 0.09] n=64", with "NaN!" and "Inf!" when any value is not finite.
 * @param {unknown} values nested lists, as the kernel sends a preview
 * @param {string | null} [dtype]
 */
export function summarizeValues(values, dtype = null) {
  const full = formatValues(values, dtype);
  if (full.length <= SHORT_VALUES || !Array.isArray(values)) return full;
  const numbers = flatten(values).map(numberOf);
  if (numbers.some((value) => value === undefined)) return `n=${numbers.length}`; // complex
  const finite = numbers.filter(Number.isFinite);
  const floating = dtype == null || FLOATING.test(dtype);
  const parts = [];
  if (finite.length) {
    const low = finite.reduce((a, b) => Math.min(a, b));
    const high = finite.reduce((a, b) => Math.max(a, b));
    parts.push(`x∈[${rounded(low, floating)}, ${rounded(high, floating)}]`);
  }
  parts.push(`n=${numbers.length}`);
  if (numbers.some(Number.isNaN)) parts.push("NaN!");
  if (numbers.some((value) => value === Number.POSITIVE_INFINITY || value === Number.NEGATIVE_INFINITY)) parts.push("Inf!");
  return parts.join(" ");
}

/** A grad for its table cell: its values when the kernel has them, summarised; else shape and device. */
export function formatGrad(grad) {
  if (grad == null) return "None";
  if (grad.preview != null) return summarizeValues(grad.preview, grad.dtype);
  return `${formatShape(grad.shape)} on ${grad.device}`;
}

/** A grad in full, for its values line. */
export function formatGradFull(grad) {
  if (grad == null) return "None";
  if (grad.preview != null) return formatValues(grad.preview, grad.dtype);
  return `${formatShape(grad.shape)} on ${grad.device}: values not read yet (stats or backward reads them)`;
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

/** "Shard(dim=0)" -> "Shard(0)": placements as PyTorch writes them, shortened for a cell. */
export function formatPlacement(placement) {
  return String(placement ?? "?").replace(/^Shard\(dim=(-?\d+)\)$/, "Shard($1)");
}

/**
 * A DTensor's shape cell: "[8, 4] · Shard(0) on cpu[2] · local [4, 4]": its global shape,
 * how it is placed on which mesh, and this rank's shard.
 * @param {number[] | null} shape the global shape
 * @param {{placements: string[], mesh: {device_type: string, shape: number[], dim_names: string[] | null}, local_shape: number[]}} dtensor
 */
export function formatDTensor(shape, dtensor) {
  const placements = (dtensor?.placements ?? []).map(formatPlacement).join(", ");
  const mesh = dtensor?.mesh ?? {};
  const sizes = (mesh.shape ?? []).map((size) => formatNumber(size)).join(", ");
  return `${formatShape(shape)} · ${placements} on ${mesh.device_type ?? "?"}[${sizes}] · local ${formatShape(dtensor?.local_shape)}`;
}
