// app.js polls the ops server every REFRESH_MS and redraws the page: the
// nodes table from /api/nodes and /status, one lag chart per node from
// /api/history (asking only for samples newer than those it has), and the
// gateway's traffic from /metrics.

import { colorAt, drawChart } from "./chart.js";
import { buckets, parseMetrics, quantile, sumBy, value } from "./metrics.js";

const REFRESH_MS = 2000;
const KEEP_MS = 3600 * 1000; // the ops server keeps an hour of lag samples
const LATENCY_WINDOW_MS = 30 * 1000;
const TRAFFIC_WINDOW_MS = 5 * 60 * 1000;
const RESULT_ORDER = ["ok", "error", "invalid", "unavailable"];

const state = {
  nodes: [], // /api/nodes
  status: null, // /status
  history: {}, // node → series → [[t, blocks], ...]
  newest: 0, // the newest lag sample's time (server clock, Unix ms)
  windowMs: 900 * 1000,
  skew: 0, // the server's clock minus ours, ms (whole seconds)
  snaps: [], // /metrics readings: {t, calls: {result: n}, buckets}
  rates: {}, // result → [[t, calls per second], ...]
  ws: NaN,
  subs: NaN,
};

const $ = (id) => document.getElementById(id);

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c !== undefined && c !== null) e.append(c);
  }
  return e;
}

async function get(path, as) {
  const resp = await fetch(path, { cache: "no-store" });
  if (!resp.ok) throw new Error(`${path}: HTTP ${resp.status}`);
  // The Date header has whole seconds: follow the server's clock only when
  // it is off by more than that, so that times shown do not jitter.
  const date = Date.parse(resp.headers.get("Date") || "");
  if (!Number.isNaN(date) && Math.abs(date - Date.now() - state.skew) > 2000) state.skew = date - Date.now();
  return as === "text" ? resp.text() : resp.json();
}

// --- formatting -----------------------------------------------------------

function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const hrs = Math.floor(m / 60);
  if (hrs < 48) return `${hrs}h ${m % 60}m`;
  return `${Math.floor(hrs / 24)}d ${hrs % 24}h`;
}

function bytes(n) {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(n < 10 && i > 0 ? 1 : 0)} ${units[i]}`;
}

function seconds(s) {
  if (Number.isNaN(s)) return "–";
  if (s < 0.001) return `${(s * 1000).toFixed(2)} ms`;
  if (s < 1) return `${(s * 1000).toFixed(s < 0.01 ? 1 : 0)} ms`;
  return `${s.toFixed(2)} s`;
}

function perSecond(r) {
  if (Number.isNaN(r)) return "–";
  return r >= 100 ? r.toFixed(0) : r.toFixed(1);
}

// shortClient turns "Geth/node-1/v1.17.8-stable-1a2b3c4d/linux-amd64/go1.26"
// into "Geth v1.17.8".
function shortClient(v) {
  if (!v) return "–";
  const parts = v.split("/");
  const ver = parts.find((p) => /^v\d/.test(p));
  return ver ? `${parts[0]} ${ver.split(/[-+]/)[0]}` : parts[0];
}

function now() {
  return Date.now() + state.skew;
}

// --- nodes table ----------------------------------------------------------

// references lists the reference names the nodes report, in order.
function references() {
  const names = [];
  for (const n of state.nodes) {
    for (const l of n.lags || []) {
      if (!names.includes(l.reference)) names.push(l.reference);
    }
  }
  return names;
}

function lagCell(blocks, extra) {
  const cls = blocks > 2 ? "lag-far" : blocks > 0 ? "lag-behind" : "";
  const text = blocks < 0 ? `${-blocks} ahead` : String(blocks);
  return h("td", { class: `num ${cls}`.trim() }, text, extra);
}

function renderTable() {
  const refs = references();
  const head = $("nodes-head");
  const cols = ["Node", "Client", "Head", "Lag · fleet", ...refs.map((r) => `Lag · ${r}`), "Peers", "Disk free", "Gateway", "Ready", "Last change"];
  const numeric = new Set(["Head", "Lag · fleet", ...refs.map((r) => `Lag · ${r}`), "Peers", "Disk free"]);
  head.replaceChildren(...cols.map((c) => h("th", { class: numeric.has(c) ? "num" : null }, c)));

  const upstreams = new Map(((state.status && state.status.nodes) || []).map((u) => [u.name, u]));
  const t = now();
  const rows = state.nodes.map((n) => {
    const cells = [];
    cells.push(h("td", { class: "name" }, n.name));
    cells.push(h("td", { title: n.client || "" }, shortClient(n.client)));
    const age = n.headTime ? h("span", { class: "sub" }, `${duration(t - n.headTime)} old`) : null;
    cells.push(h("td", { class: "num" }, String(n.head), age));
    cells.push(lagCell(n.fleetLag));
    for (const ref of refs) {
      const l = (n.lags || []).find((x) => x.reference === ref);
      if (!l || !l.reachable) {
        cells.push(h("td", { class: "num muted", title: (l && l.error) || "not measured" }, "—"));
      } else {
        const secs = l.seconds > 0 ? h("span", { class: "sub" }, `${l.seconds.toFixed(0)}s behind`) : null;
        cells.push(lagCell(l.blocks, secs));
      }
    }
    cells.push(h("td", { class: "num" }, String(n.peers)));
    if (n.disk && n.disk.sizeBytes > 0) {
      const pct = (100 * n.disk.freeBytes) / n.disk.sizeBytes;
      cells.push(h("td", { class: pct < 10 ? "num low" : "num" }, `${pct.toFixed(0)}%`, h("span", { class: "sub" }, bytes(n.disk.freeBytes))));
    } else {
      cells.push(h("td", { class: "num muted" }, "—"));
    }
    const u = upstreams.get(n.name);
    if (!u) cells.push(h("td", { class: "muted" }, "—"));
    else if (u.fit) cells.push(h("td", {}, "serving"));
    else cells.push(h("td", { class: "low", title: u.reason || "" }, "out", h("span", { class: "sub" }, u.reason || "")));
    const ready = h("td", {}, h("span", { class: n.ready ? "badge ready" : "badge not-ready" }, n.ready ? "ready" : "not ready"));
    if (!n.ready && n.reasons && n.reasons.length) {
      ready.append(h("ul", { class: "reasons" }, ...n.reasons.map((r) => h("li", {}, r))));
    }
    cells.push(ready);
    cells.push(h("td", { title: n.since ? new Date(n.since).toLocaleString() : "" }, n.since ? `${duration(t - n.since)} ago` : "—"));
    return h("tr", { "data-node": n.name, "data-ready": String(!!n.ready) }, ...cells);
  });
  $("nodes-body").replaceChildren(...rows);

  const ready = state.nodes.filter((n) => n.ready).length;
  $("fleet-ready").textContent = `${ready} / ${state.nodes.length}`;
  $("fleet-ready").className = ready < state.nodes.length ? "low" : "";
  if (state.status) {
    $("fleet-head").textContent = String(state.status.head);
    $("fleet-finalized").textContent = state.status.finalized ? String(state.status.finalized) : "–";
    const total = (state.status.nodes || []).length;
    $("fleet-fit").textContent = `${state.status.fit} / ${total}`;
    $("fleet-fit").className = state.status.fit < total ? "low" : "";
  }
}

// --- lag charts -----------------------------------------------------------

function mergeHistory(h) {
  for (const [node, series] of Object.entries(h || {})) {
    const mine = (state.history[node] ||= {});
    for (const [name, samples] of Object.entries(series)) {
      const pts = (mine[name] ||= []);
      const last = pts.length ? pts[pts.length - 1][0] : 0;
      for (const s of samples) {
        if (s.t > last) pts.push([s.t, s.blocks]);
        if (s.t > state.newest) state.newest = s.t;
      }
    }
  }
  const cutoff = state.newest - KEEP_MS;
  for (const series of Object.values(state.history)) {
    for (const [name, pts] of Object.entries(series)) {
      const i = pts.findIndex((p) => p[0] >= cutoff);
      series[name] = i < 0 ? [] : pts.slice(i);
    }
  }
}

// seriesNames: the fleet first, then every reference.
function seriesNames() {
  const names = ["fleet"];
  for (const series of Object.values(state.history)) {
    for (const name of Object.keys(series)) {
      if (!names.includes(name)) names.push(name);
    }
  }
  for (const r of references()) {
    if (!names.includes(r)) names.push(r);
  }
  return names;
}

function legend(target, names, colors) {
  target.replaceChildren(
    ...names.map((n, i) => {
      const swatch = h("i");
      swatch.style.background = colors[i];
      return h("span", {}, swatch, n);
    }),
  );
}

function renderCharts() {
  const names = seriesNames();
  const colors = names.map((_, i) => colorAt(i));
  legend($("lag-legend"), names.map((n) => (n === "fleet" ? "the fleet's head" : n)), colors);

  const box = $("lag-charts");
  const wanted = state.nodes.map((n) => n.name);
  for (const child of [...box.children]) {
    if (!wanted.includes(child.dataset.node)) child.remove();
  }
  // A young fleet's samples fill the chart rather than its right edge.
  const x1 = state.newest || now();
  let x0 = x1 - state.windowMs;
  const oldest = Math.min(...Object.values(state.history).flatMap((s) => Object.values(s).map((pts) => (pts[0] || [x1])[0])));
  if (oldest > x0) x0 = Math.min(oldest, x1 - 60 * 1000);
  for (const node of wanted) {
    let card = box.querySelector(`.chart-box[data-node="${CSS.escape(node)}"]`);
    if (!card) {
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("class", "chart lag-chart");
      svg.setAttribute("data-node", node);
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", `lag of ${node} in blocks over time`);
      card = h("div", { class: "chart-box", "data-node": node }, h("div", { class: "chart-title" }, h("b", {}, node), h("span", { class: "muted now" })), svg);
      box.append(card);
    }
    box.append(card); // keep the table's order
    const series = state.history[node] || {};
    const report = state.nodes.find((n) => n.name === node);
    const nowText = [`fleet ${report ? report.fleetLag : "–"}`];
    for (const l of (report && report.lags) || []) nowText.push(`${l.reference} ${l.reachable ? l.blocks : "—"}`);
    card.querySelector(".now").textContent = `now: ${nowText.join(" · ")}`;
    drawChart(card.querySelector("svg"), {
      x0,
      x1,
      step: true,
      integer: true,
      minSpan: 2,
      gap: 10 * 1000,
      bucketPx: 3,
      series: names.map((name, i) => ({ name, color: colors[i], points: series[name] || [] })),
    });
  }
}

// --- gateway --------------------------------------------------------------

// readMetrics takes one reading of /metrics. Rates are per second of this
// browser's clock, which is all they are compared with.
function readMetrics(text) {
  const m = parseMetrics(text);
  const t = Date.now();
  const snap = { t, calls: sumBy(m, "ethfleet_gateway_calls_total", "result"), buckets: buckets(m, "ethfleet_gateway_request_duration_seconds") };
  const prev = state.snaps[state.snaps.length - 1];
  if (prev && t > prev.t) {
    const dt = (t - prev.t) / 1000;
    const results = new Set(["ok", ...Object.keys(snap.calls), ...Object.keys(state.rates)]);
    for (const r of results) {
      const cur = snap.calls[r] || 0;
      const before = prev.calls[r] || 0;
      const rate = (cur >= before ? cur - before : cur) / dt; // a restart resets counters
      (state.rates[r] ||= []).push([t, rate]);
    }
  }
  state.snaps.push(snap);
  while (state.snaps.length > 2 && state.snaps[1].t < t - LATENCY_WINDOW_MS) state.snaps.shift();
  for (const [r, pts] of Object.entries(state.rates)) {
    state.rates[r] = pts.filter((p) => p[0] >= t - TRAFFIC_WINDOW_MS);
  }
  state.ws = value(m, "ethfleet_gateway_ws_connections");
  state.subs = value(m, "ethfleet_gateway_ws_subscriptions");
}

function renderGateway() {
  const results = Object.keys(state.rates).sort((a, b) => {
    const ia = RESULT_ORDER.indexOf(a);
    const ib = RESULT_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  const colorOf = { ok: "#2f9e44", error: "#f59f00", invalid: "#ae3ec9", unavailable: "#e03131" };
  const colors = results.map((r, i) => colorOf[r] || colorAt(i + 1));

  let total = 0;
  for (const r of results) {
    const pts = state.rates[r];
    if (pts.length) total += pts[pts.length - 1][1];
  }
  $("calls-rate").textContent = results.length ? perSecond(total) : "–";

  // Errors and latency over the last LATENCY_WINDOW_MS.
  const first = state.snaps[0];
  const last = state.snaps[state.snaps.length - 1];
  if (first && last && first !== last) {
    let calls = 0;
    let failed = 0;
    for (const [r, n] of Object.entries(last.calls)) {
      const d = Math.max(0, n - (first.calls[r] || 0));
      calls += d;
      if (r !== "ok") failed += d;
    }
    $("calls-errors").textContent = calls ? `${((100 * failed) / calls).toFixed(1)}%` : "–";
    $("calls-errors").className = failed > 0.05 * calls ? "low" : failed ? "lag-behind" : "";
    const delta = last.buckets.map(([le, n], i) => [le, Math.max(0, n - ((first.buckets[i] && first.buckets[i][1]) || 0))]);
    $("latency-p50").textContent = seconds(quantile(0.5, delta));
    $("latency-p99").textContent = seconds(quantile(0.99, delta));
  }
  $("ws-conns").textContent = Number.isNaN(state.ws) ? "–" : String(state.ws);
  $("ws-subs").textContent = Number.isNaN(state.subs) ? "–" : String(state.subs);

  legend($("traffic-legend"), results, colors);
  const x1 = Date.now();
  let x0 = x1 - TRAFFIC_WINDOW_MS;
  const oldest = Math.min(...results.map((r) => (state.rates[r][0] || [x1])[0]));
  if (oldest > x0) x0 = Math.min(oldest, x1 - 60 * 1000);
  drawChart($("traffic-chart"), {
    x0,
    x1,
    minSpan: 1,
    gap: 3 * REFRESH_MS,
    format: (v) => perSecond(v),
    empty: "collecting: rates appear after two readings",
    series: results.map((r, i) => ({ name: r, color: colors[i], points: state.rates[r] })),
  });
}

// --- the loop -------------------------------------------------------------

async function refresh() {
  const since = state.newest;
  const [nodes, status, history, metrics] = await Promise.allSettled([
    get("api/nodes"),
    get("status"),
    get(`api/history?since=${since}`),
    get("metrics", "text"),
  ]);
  const failed = [nodes, status, history, metrics].find((r) => r.status === "rejected");
  if (nodes.status === "fulfilled") state.nodes = nodes.value || [];
  if (status.status === "fulfilled") state.status = status.value;
  if (history.status === "fulfilled") mergeHistory(history.value);
  if (metrics.status === "fulfilled") readMetrics(metrics.value);

  renderTable();
  renderCharts();
  renderGateway();

  const clock = new Date().toLocaleTimeString();
  if (failed) {
    document.body.dataset.state = "offline";
    $("conn-text").textContent = `cannot reach the ops server (${failed.reason.message}) · last try ${clock}`;
  } else {
    document.body.dataset.state = "live";
    $("conn-text").textContent = `live · ${clock}`;
  }
}

async function loop() {
  try {
    await refresh();
  } catch (err) {
    document.body.dataset.state = "offline";
    $("conn-text").textContent = `error: ${err.message}`;
  }
  setTimeout(loop, REFRESH_MS);
}

for (const b of document.querySelectorAll(".window button")) {
  b.addEventListener("click", () => {
    state.windowMs = Number(b.dataset.window) * 1000;
    for (const o of document.querySelectorAll(".window button")) o.classList.toggle("on", o === b);
    renderCharts();
  });
}
let resizeTimer;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    renderCharts();
    renderGateway();
  }, 150);
});
loop();
