// Demo UI: serves a page that fetches from the backend at the URL portmate injected as API_URL.
import { createServer } from "node:http";

// Loopback unless told otherwise: in a container (`portmate export`) HOST is 0.0.0.0, so the others reach it.
const host = process.env.HOST ?? "127.0.0.1";

const port = Number(process.env.PORT);
const apiUrl = process.env.API_URL;
if (!apiUrl) {
  console.error("API_URL is not set: run me with portmate");
  process.exit(1);
}

const page = `<!doctype html>
<meta charset="utf-8">
<title>portmate demo · UI</title>
<style>body{font:16px system-ui;margin:2rem auto;max-width:40rem}code{background:#eee;padding:0 .2em}</style>
<h1>Demo UI</h1>
<p>The backend is at <code id="api"></code>, a port portmate chose and told me through <code>API_URL</code>.</p>
<ul id="items"><li>loading…</li></ul>
<script>
  const api = ${JSON.stringify(apiUrl)};
  document.getElementById("api").textContent = api;
  fetch(api + "/api/items")
    .then((res) => res.json())
    .then((items) => {
      document.getElementById("items").innerHTML = items.map((item) => "<li>" + item.name + "</li>").join("");
    })
    .catch((error) => {
      document.getElementById("items").innerHTML = "<li>cannot reach the backend: " + error + "</li>";
    });
</script>`;

createServer((req, res) => {
  if (req.url === "/config.json") {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ apiUrl }));
    return;
  }
  res.setHeader("content-type", "text/html; charset=utf-8");
  res.end(page);
}).listen(port, host, () => console.log(`ui listening on http://127.0.0.1:${port} (API at ${apiUrl})`));
