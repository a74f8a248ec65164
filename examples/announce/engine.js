// A service that chooses its own port, as desktop back ends and notebook servers do: it listens on a port the
// OS picks, then tells whoever started it, as one JSON line on stdout.
import { createServer } from "node:http";

const server = createServer((request, response) => {
  response.setHeader("content-type", "application/json");
  response.end(JSON.stringify({ engine: "ready", path: request.url }));
});

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  console.log(JSON.stringify({ type: "port_info", port, url: `http://127.0.0.1:${port}` }));
});

process.on("SIGTERM", () => server.close(() => process.exit(0)));
