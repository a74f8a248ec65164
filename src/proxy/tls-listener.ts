import { createSecureServer } from "node:http2";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { StateLayout } from "../state/paths.js";
import type { TlsHandlers, TlsListener } from "./proxy-server.js";
import { loadLocalTls } from "./tls/index.js";

/**
 * The proxy's TLS side, for `https://` names: HTTP/2 (and HTTP/1.1 for clients that want it, and for WebSocket
 * upgrades), with a certificate per name signed by the user's local CA (created on the first TLS connection).
 * Requests go to the same handlers as plain ones.
 */
export async function tlsListener(layout: StateLayout, handlers: TlsHandlers): Promise<TlsListener> {
  const local = await loadLocalTls(layout);
  // Certificates only for names of running stacks: any other name (anyone on the machine may ask for one) gets
  // the default certificate, and nothing is written for it.
  const SNICallback: typeof local.SNICallback = (servername, cb) => (handlers.knows(servername) ? local.SNICallback(servername, cb) : cb(null, undefined));
  const server = createSecureServer({ allowHTTP1: true, SNICallback, ...local.defaultContext });
  // (The compatibility API: HTTP/2 requests look like HTTP/1 ones, which the handlers and http-proxy-3 take.)
  server.on("request", (req, res) => {
    req.stream?.on("error", () => undefined);
    handlers.request(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  });
  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => handlers.upgrade(req, socket, head));
  server.on("sessionError", () => undefined);
  server.on("tlsClientError", () => undefined);
  return {
    emit: (event, socket) => server.emit(event, socket),
    close: () => server.close(),
  };
}
