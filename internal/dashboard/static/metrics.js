// metrics.js reads the Prometheus text format that /metrics serves, enough
// for the dashboard's gateway panel: samples with labels, sums by a label,
// and quantiles from histogram buckets.

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function number(s) {
  if (s === "+Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  return Number(s);
}

// parseMetrics returns name → [{labels, value}] for every sample whose
// metric name starts with prefix.
export function parseMetrics(text, prefix = "ethfleet_") {
  const out = new Map();
  for (const line of text.split("\n")) {
    if (!line.startsWith(prefix)) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels = {};
    for (const l of (m[2] || "").matchAll(LABEL)) {
      labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
    }
    if (!out.has(m[1])) out.set(m[1], []);
    out.get(m[1]).push({ labels, value: number(m[3]) });
  }
  return out;
}

// value is the first sample of name, or NaN.
export function value(metrics, name) {
  const s = metrics.get(name);
  return s && s.length ? s[0].value : NaN;
}

// sumBy adds up name's samples by one label's value.
export function sumBy(metrics, name, label) {
  const out = {};
  for (const s of metrics.get(name) || []) {
    const k = s.labels[label] || "";
    out[k] = (out[k] || 0) + s.value;
  }
  return out;
}

// buckets returns a histogram's cumulative buckets as [[le, count], ...],
// by increasing le.
export function buckets(metrics, name) {
  return (metrics.get(name + "_bucket") || [])
    .map((s) => [number(s.labels.le), s.value])
    .sort((a, b) => a[0] - b[0]);
}

// quantile estimates the q-quantile from cumulative buckets the way
// Prometheus's histogram_quantile does: linearly within the bucket that
// holds the rank. NaN when the buckets are empty.
export function quantile(q, bs) {
  if (bs.length === 0) return NaN;
  const total = bs[bs.length - 1][1];
  if (!(total > 0)) return NaN;
  const rank = q * total;
  for (let i = 0; i < bs.length; i++) {
    const [le, count] = bs[i];
    if (count < rank) continue;
    const [lowLe, lowCount] = i === 0 ? [0, 0] : bs[i - 1];
    if (le === Infinity) return lowLe;
    if (count === lowCount) return le;
    return lowLe + ((le - lowLe) * (rank - lowCount)) / (count - lowCount);
  }
  return bs[bs.length - 1][0];
}
