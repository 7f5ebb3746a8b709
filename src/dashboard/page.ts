/**
 * The dashboard's one page. It loads vega and vega-lite from this server (never a CDN: the machine may be offline),
 * opens the server-sent event stream and redraws what changed. Charts arrive as finished vega-lite specifications
 * (the ones report.md's PNGs are drawn from), so the page holds no chart logic of its own. `query` ("?token=…" or "")
 * is appended to the asset URLs, since a script tag cannot send a header.
 */
export function dashboardPage(query: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mixmask dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #222; }
  header { background: #1f2933; color: #fff; padding: 12px 20px; display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0; }
  header .where { color: #9aa5b1; font-size: 13px; }
  #connection { margin-left: auto; font-size: 13px; }
  main { padding: 14px 20px; }
  .run { background: #fff; border-radius: 6px; padding: 10px 14px; margin-bottom: 12px; box-shadow: 0 1px 2px #0002; }
  .status { display: inline-block; padding: 2px 8px; border-radius: 10px; font-size: 12px; font-weight: bold; color: #fff; }
  .status.training, .status.resumed { background: #0072B2; } .status.finished { background: #009E73; }
  .status.crashed, .status.stopped { background: #D55E00; } .status.starting { background: #777; }
  .numbers { display: flex; flex-wrap: wrap; gap: 4px 18px; margin-top: 6px; font-size: 14px; }
  .numbers b { font-variant-numeric: tabular-nums; }
  .health { border-left: 4px solid #D55E00; background: #fff4ec; padding: 6px 10px; margin-top: 8px; font-size: 14px; }
  .health .fix { color: #555; }
  #charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(640px, 1fr)); gap: 12px; }
  .chart { background: #fff; border-radius: 6px; padding: 6px; box-shadow: 0 1px 2px #0002; min-height: 120px; }
  .chart .empty { color: #888; font-size: 13px; padding: 8px; }
  .side { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 12px; margin-top: 12px; }
  .panel { background: #fff; border-radius: 6px; padding: 10px 14px; box-shadow: 0 1px 2px #0002; font-size: 13px; overflow: auto; }
  .panel h2 { font-size: 15px; margin: 0 0 6px; }
  table { border-collapse: collapse; } td, th { padding: 2px 8px 2px 0; text-align: left; vertical-align: top; }
  pre { margin: 0; max-height: 420px; overflow: auto; font-size: 12px; }
  #preview img { max-width: 100%; image-rendering: pixelated; }
  .missing { color: #888; }
</style>
</head>
<body>
<header><h1 id="title">mixmask dashboard</h1><span class="where" id="where"></span><span id="connection">connecting…</span></header>
<main>
  <div id="runs"></div>
  <div id="charts"></div>
  <div class="side">
    <div class="panel" id="preview"><h2>Batch the worker trains on</h2><div class="body">no preview yet</div></div>
    <div class="panel" id="evaluations"><h2>Evaluations</h2><div class="body">none yet (written when the run ends)</div></div>
    <div class="panel" id="facts"><h2>Versions and device</h2><div class="body"></div></div>
    <div class="panel" id="config"><h2>Resolved config</h2><pre class="body"></pre></div>
  </div>
</main>
<script src="assets/vega.min.js${query}"></script>
<script src="assets/vega-lite.min.js${query}"></script>
<script>
const token = new URLSearchParams(location.search).get("token");
const q = token ? "?token=" + encodeURIComponent(token) : "";
const views = {};
const drawn = {};
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const fmt = (v, d) => (typeof v === "number" && isFinite(v) ? v.toFixed(d) : "—");
const duration = (s) => (typeof s === "number" && isFinite(s) ? (s >= 3600 ? Math.floor(s / 3600) + " h " : "") + Math.floor((s % 3600) / 60) + " min " + Math.round(s % 60) + " s" : "—");
window.dashboard = { states: 0, charts: {} };

function runBlock(run, one) {
  const p = run.progress;
  const numbers = [
    ["step", p.step + (p.totalSteps ? " / " + p.totalSteps : "")],
    ["epoch", p.epoch !== undefined ? p.epoch + 1 + (p.epochs ? " / " + p.epochs : "") : "—"],
    ["loss", fmt(p.loss, 3)], ["lr", fmt(p.lr, 5)], ["λ", fmt(p.lambda, 3)],
    ...(p.unmixLambda !== undefined ? [["λ_u", fmt(p.unmixLambda, 3)]] : []),
    ["positive top-1", fmt(p.positiveTop1, 3)], ["spread", fmt(p.spread, 3)],
    ["steps/s", fmt(p.stepsPerSecond, 2)], ["ETA", p.etaSeconds !== undefined ? duration(p.etaSeconds) : "—"],
  ];
  const health = run.health.map((h) => '<div class="health" data-check="' + esc(h.check) + '"><b>' + esc(h.check) + "</b> at step " + esc(h.step) + ": " + esc(h.message) + (h.fix ? ' <span class="fix">fix: ' + esc(h.fix) + "</span>" : "") + "</div>").join("");
  const missing = run.missing.length ? '<div class="missing">not in this run directory: ' + run.missing.map(esc).join(", ") + "</div>" : "";
  return '<div class="run" data-run="' + run.id + '" data-phase="' + run.status.phase + '">' +
    (one ? "" : "<b>" + esc(run.name) + "</b> ") + '<span class="status ' + run.status.phase + '">' + run.status.phase + "</span> " + esc(run.status.text) +
    '<div class="numbers">' + numbers.map(([k, v]) => k + " <b>" + esc(v) + "</b>").join("") + "</div>" + health + missing + "</div>";
}

async function drawChart(name, chart) {
  let el = document.getElementById("chart-" + name);
  if (!el) {
    el = document.createElement("div");
    el.className = "chart";
    el.id = "chart-" + name;
    document.getElementById("charts").appendChild(el);
  }
  const key = JSON.stringify(chart.spec);
  if (drawn[name] === key) return;
  drawn[name] = key;
  el.dataset.rows = String(chart.rows);
  window.dashboard.charts[name] = chart.rows;
  if (chart.rows === 0) {
    if (views[name]) views[name].finalize();
    delete views[name];
    el.innerHTML = '<div class="empty">' + esc(typeof chart.spec.title === "object" ? chart.spec.title.text : chart.spec.title) + ": no data yet</div>";
    return;
  }
  const compiled = vegaLite.compile(chart.spec).spec;
  // Drawn into a new holder and swapped in when ready, so the old chart stays up until the new one is complete.
  const holder = document.createElement("div");
  el.appendChild(holder);
  const view = new vega.View(vega.parse(compiled), { renderer: "svg", container: holder, hover: true });
  await view.runAsync();
  if (views[name]) views[name].finalize();
  views[name] = view;
  [...el.children].forEach((c) => { if (c !== holder) c.remove(); });
}

function render(state) {
  window.dashboard.states += 1;
  window.dashboard.last = state;
  document.getElementById("title").textContent = state.kind === "folder" ? "Runs: " + state.title : state.title;
  document.getElementById("where").textContent = state.runs.length === 1 ? state.runs[0].dir : state.runs.length + " runs";
  document.getElementById("runs").innerHTML = state.runs.map((r) => runBlock(r, state.kind === "run")).join("");
  for (const name of state.order) drawChart(name, state.charts[name]).catch((e) => console.error(name, e));
  const run = state.runs[0];
  if (!run) return;
  const preview = document.querySelector("#preview .body");
  if (run.previewVersion) {
    const src = "preview/" + run.id + ".png?v=" + run.previewVersion + (token ? "&token=" + encodeURIComponent(token) : "");
    const about = run.preview ? "step " + run.preview.step + ", epoch " + run.preview.epoch + ": " + (run.preview.columns || []).join(", ") + (run.preview.lambda && run.preview.lambda.length ? "; λ = " + run.preview.lambda.map((l) => l.toFixed(3)).join(", ") : "") : "";
    if (preview.dataset.src !== src) {
      preview.dataset.src = src;
      preview.innerHTML = '<img id="preview-image" alt="the batch the worker trains on" src="' + esc(src) + '"><div>' + esc(about) + "</div>";
    }
  } else preview.textContent = run.missing.includes("config.json") ? "no preview (the run has not started)" : "no preview.png in this run directory (written once per epoch while training)";
  const ev = document.querySelector("#evaluations .body");
  ev.innerHTML = run.evaluations.length
    ? "<table><tr><th>protocol</th><th>untrained</th><th>trained</th><th>how</th></tr>" + run.evaluations.map((r) => "<tr><td>" + esc(r.protocol) + "</td><td>" + esc(r.untrained) + "</td><td>" + esc(r.trained) + "</td><td>" + esc(r.how) + "</td></tr>").join("") + "</table>"
    : "none yet (summary.json is written when the run ends)";
  document.querySelector("#facts .body").innerHTML = "<table>" + run.facts.map(([k, v]) => "<tr><td>" + esc(k) + "</td><td>" + esc(v) + "</td></tr>").join("") + "</table>";
  document.querySelector("#config .body").textContent = run.config ? JSON.stringify(run.config, null, 1) : "config.json not found";
}

const connection = document.getElementById("connection");
const events = new EventSource("events" + q);
events.addEventListener("state", (e) => { connection.textContent = "live"; render(JSON.parse(e.data)); });
events.onerror = () => { connection.textContent = "connection lost, retrying…"; };
</script>
</body>
</html>
`;
}
