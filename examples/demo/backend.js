// Demo backend: a small JSON API. portmate passes its port as --port (see portmate.yaml) and in $PORT.
import { createServer } from "node:http";
import { parseArgs } from "node:util";

// Loopback unless told otherwise: in a container (`portmate export`) HOST is 0.0.0.0, so the others reach it.
const host = process.env.HOST ?? "127.0.0.1";

const { values } = parseArgs({ options: { port: { type: "string" } } });
const port = Number(values.port ?? process.env.PORT);
const startedAt = new Date().toISOString();
const items = [
  { id: 1, name: "Allocate every port in one scan" },
  { id: 2, name: "Tell the UI where the API went" },
  { id: 3, name: "Leave nothing running on Ctrl-C" },
];

const routes = {
  "/health": () => ({ status: "ok" }),
  "/api/items": () => items,
  "/api/info": () => ({
    service: "backend",
    port,
    instance: process.env.PORTMATE_INSTANCE,
    project: process.env.PORTMATE_PROJECT,
    database: process.env.DATABASE_URL,
    startedAt,
  }),
};

createServer((req, res) => {
  const route = routes[new URL(req.url ?? "/", "http://x").pathname];
  // The UI page is served from another port, so the browser needs CORS to call this API.
  res.setHeader("access-control-allow-origin", "*");
  res.setHeader("content-type", "application/json");
  res.statusCode = route ? 200 : 404;
  res.end(JSON.stringify(route ? route() : { error: "not found" }));
}).listen(port, host, () => console.log(`backend listening on http://127.0.0.1:${port}`));
