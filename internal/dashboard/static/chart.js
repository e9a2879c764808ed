// chart.js draws time-series line charts into an <svg> by hand: a grid,
// axis labels and one <path> per series. No library, no canvas: the result
// is plain DOM that tests and screen readers can inspect.

const SVG = "http://www.w3.org/2000/svg";

// The fleet's own head is always the first colour; references and gateway
// results take the others in order.
const PALETTE = ["#3b5bdb", "#e8590c", "#0c8599", "#ae3ec9", "#2f9e44", "#f59f00", "#c2255c"];

export function colorAt(i) {
  return PALETTE[i % PALETTE.length];
}

function el(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// niceStep is the 1, 2 or 5 × 10^k step that cuts span into about n parts.
function niceStep(span, n) {
  const raw = span / n;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) {
    if (raw <= m * mag) return m * mag;
  }
  return 10 * mag;
}

const TIME_STEPS = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);

function clock(t, seconds) {
  const d = new Date(t);
  const pad = (n) => String(n).padStart(2, "0");
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return seconds ? `${hm}:${pad(d.getSeconds())}` : hm;
}

// highest merges consecutive points with the same bucket into one at the
// first one's time, with their highest value.
function highest(points, bucket) {
  const out = [];
  let last = null;
  for (const [t, v] of points) {
    const b = bucket(t);
    if (last !== null && b === last) {
      const p = out[out.length - 1];
      p[1] = Math.max(p[1], v);
    } else {
      out.push([t, v]);
      last = b;
    }
  }
  return out;
}

// drawChart replaces svg's content with a chart of opts.series, each
// {name, color, points: [[t (Unix ms), value], ...]} sorted by time, over
// [opts.x0, opts.x1]. opts.step draws steps (a value holds until the next
// sample), opts.integer keeps y ticks whole, opts.minSpan is the least y
// range shown, opts.gap (ms) breaks a line where samples are missing, and
// opts.format labels the y axis. With opts.bucketPx, samples closer than
// that many pixels are drawn as one, their highest (the worst lag, say),
// so that a long window stays readable. It sets data-points on svg to the
// number of samples in the window.
export function drawChart(svg, opts) {
  const box = svg.getBoundingClientRect();
  const width = Math.max(160, Math.round(box.width));
  const height = Math.max(80, Math.round(box.height));
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.replaceChildren();
  const m = { l: 44, r: 24, t: 8, b: 20 };
  const pw = width - m.l - m.r;
  const ph = height - m.t - m.b;
  const { x0, x1 } = opts;
  const format = opts.format || ((v) => String(v));

  const visible = opts.series.map((s) => ({ ...s, points: s.points.filter((p) => p[0] >= x0 && p[0] <= x1) }));
  let lo = 0;
  let hi = opts.minSpan || 1;
  let total = 0;
  for (const s of visible) {
    for (const [, v] of s.points) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    total += s.points.length;
  }
  let step = niceStep(hi - lo, 4);
  if (opts.integer) step = Math.max(1, Math.round(step));
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const x = (t) => m.l + ((t - x0) / (x1 - x0)) * pw;
  const y = (v) => m.t + ((hi - v) / (hi - lo)) * ph;
  const r = (n) => Math.round(n * 10) / 10;

  for (let v = lo; v <= hi + step / 2; v += step) {
    svg.append(el("line", { class: "grid", x1: m.l, x2: width - m.r, y1: r(y(v)), y2: r(y(v)) }));
    svg.append(el("text", { class: "axis", x: m.l - 6, y: r(y(v)) + 3, "text-anchor": "end" }, format(v)));
  }
  const tstep = TIME_STEPS.find((s) => (x1 - x0) / s <= 6) || TIME_STEPS[TIME_STEPS.length - 1];
  for (let t = Math.ceil(x0 / tstep) * tstep; t <= x1; t += tstep) {
    svg.append(el("line", { class: "grid", x1: r(x(t)), x2: r(x(t)), y1: m.t, y2: height - m.b }));
    svg.append(el("text", { class: "axis", x: r(x(t)), y: height - 5, "text-anchor": "middle" }, clock(t, tstep < 60000)));
  }

  for (const s of visible) {
    if (s.points.length === 0) continue;
    const points = opts.bucketPx ? highest(s.points, (t) => Math.floor(x(t) / opts.bucketPx)) : s.points;
    // Merged samples stand further apart: a gap is only a gap beyond two buckets.
    const gap = opts.gap && Math.max(opts.gap, opts.bucketPx ? (2.5 * opts.bucketPx * (x1 - x0)) / pw : 0);
    let d = "";
    let prev = null;
    for (const [t, v] of points) {
      if (prev === null || (gap && t - prev[0] > gap)) {
        d += `M${r(x(t))} ${r(y(v))}`;
      } else if (opts.step) {
        d += `H${r(x(t))}V${r(y(v))}`;
      } else {
        d += `L${r(x(t))} ${r(y(v))}`;
      }
      prev = [t, v];
    }
    if (points.length === 1) d += "h1"; // a lone sample is still a mark
    const path = el("path", { class: "line", d, stroke: s.color, "data-series": s.name, "data-points": s.points.length });
    path.append(el("title", {}, s.name));
    svg.append(path);
  }
  if (total === 0) {
    svg.append(el("text", { class: "empty", x: m.l + pw / 2, y: m.t + ph / 2, "text-anchor": "middle" }, opts.empty || "no samples yet"));
  }
  svg.dataset.points = String(total);
}
