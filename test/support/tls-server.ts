import { createSecureServer, type ServerHttp2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import type { LocalTls } from "../../src/proxy/tls/local-tls.js";
import { onCleanup } from "./helpers.js";

/**
 * An HTTPS server on 127.0.0.1 (a free port) with the local TLS's leaves, HTTP/2 and HTTP/1.1, answering with
 * the host asked for and the HTTP version; closed after the test.
 */
export async function localTlsServer(local: LocalTls): Promise<number> {
  const server = createSecureServer({ allowHTTP1: true, ...local.defaultContext, SNICallback: local.SNICallback }, (request, response) => {
    response.setHeader("content-type", "text/html");
    response.end(`<title>${request.headers[":authority"] ?? request.headers.host} over HTTP/${request.httpVersion}</title>`);
  });
  const sessions = new Set<ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A browser keeps its HTTP/2 sessions open: end them, or close would wait for it.
        for (const session of sessions) session.destroy();
      }),
  );
  return (server.address() as AddressInfo).port;
}
