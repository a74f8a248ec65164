// Demo admin: a page that shows the backend and the UI side by side, and a metrics port of its own.
// It finds the others through the variables portmate injects: BACKEND_URL and UI_URL.
import { createServer } from "node:http";

// Loopback unless told otherwise: in a container (`portmate export`) HOST is 0.0.0.0, so the others reach it.
const host = process.env.HOST ?? "127.0.0.1";

const httpPort = Number(process.env.PORT);
const metricsPort = Number(process.env.METRICS_PORT);
const backendUrl = process.env.BACKEND_URL;
const uiUrl = process.env.UI_URL;
let requests = 0;

async function probe(url) {
  const started = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    const body = res.headers.get("content-type")?.includes("json") ? await res.json() : `${(await res.text()).length} bytes of HTML`;
    return { url, status: res.status, ms: Math.round(performance.now() - started), body };
  } catch (error) {
    return { url, status: "down", error: String(error) };
  }
}

createServer(async (req, res) => {
  requests++;
  const [backend, ui] = await Promise.all([probe(`${backendUrl}/api/info`), probe(uiUrl)]);
  if (req.url === "/status.json") {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ backend, ui }));
    return;
  }
  const row = (name, result) =>
    `<tr><td>${name}</td><td><a href="${result.url}">${result.url}</a></td><td>${result.status}</td><td><pre>${JSON.stringify(result.body ?? result.error, null, 2)}</pre></td></tr>`;
  res.setHeader("content-type", "text/html; charset=utf-8");
  res.end(`<!doctype html><meta charset="utf-8"><title>portmate demo · admin</title>
<style>body{font:16px system-ui;margin:2rem}td{border-top:1px solid #ccc;padding:.3em;vertical-align:top}</style>
<h1>Demo admin</h1>
<table><tr><th>service</th><th>url</th><th>status</th><th>answer</th></tr>${row("backend", backend)}${row("ui", ui)}</table>
<p>Metrics: <a href="http://127.0.0.1:${metricsPort}/metrics">http://127.0.0.1:${metricsPort}/metrics</a></p>`);
}).listen(httpPort, host, () => console.log(`admin listening on http://127.0.0.1:${httpPort}`));

createServer((req, res) => {
  res.setHeader("content-type", "text/plain");
  res.end(`admin_requests_total ${requests}\n`);
}).listen(metricsPort, host, () => console.log(`admin metrics on http://127.0.0.1:${metricsPort}/metrics`));
