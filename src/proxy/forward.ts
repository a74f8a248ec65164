import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { createProxyServer } from "http-proxy-3";
import { Agent } from "undici";

/** Why a request could not be passed on: the service does not listen (on that address), or something else went wrong. */
export type ForwardError = Error & { code?: string };

/** Headers that belong to one connection, not to the request or the response: never passed on. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "expect", "http2-settings"]);

/**
 * Passes requests and WebSocket upgrades on to a service's port on loopback, unchanged but for the
 * `X-Forwarded-*` headers. Requests go through undici's dispatcher: streamed both ways with back-pressure (so
 * server-sent events, long polls and large uploads pass as they come), over connections to each service kept
 * alive and reused. The benchmark chose it: http-proxy-3 passed half as many requests per second as a plain
 * `http.request`, undici's dispatcher a third more than that (bench/results.md, "Proxy"). WebSocket upgrades,
 * which undici does not pass on, go through http-proxy-3.
 */
export class Forwarder {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, pipelining: 1 });
  private readonly sockets = createProxyServer({ xfwd: true, ws: true });
  /** Ports whose service listens on `::1` alone (Vite on `localhost` does on some machines). */
  private readonly ipv6Only = new Set<number>();

  constructor() {
    this.sockets.on("error", () => undefined); // every call passes its own callback
  }

  /** Passes the request on to `port`; `failed` is called instead of any answer when the service cannot be reached. */
  web(req: IncomingMessage, res: ServerResponse, port: number, failed: (error: ForwardError) => void): void {
    const body = hasBody(req);
    const host = this.ipv6Only.has(port) ? "[::1]" : "127.0.0.1";
    let abort: ((error?: Error) => void) | undefined;
    let answered = false;
    const onClose = () => {
      if (!res.writableFinished) abort?.();
    };
    res.once("close", onClose);
    this.agent.dispatch(
      { origin: `http://${host}:${port}`, path: req.url ?? "/", method: req.method as "GET", headers: forwardedHeaders(req), body: body ? req : null },
      {
        onConnect: (cancel) => {
          abort = cancel;
        },
        onHeaders: (status, raw, resume) => {
          if (status < 200) return true; // 1xx: the final answer follows
          answered = true;
          res.writeHead(status, responseHeaders(raw));
          res.on("drain", resume);
          return true;
        },
        onData: (chunk) => res.write(chunk),
        onComplete: () => {
          res.off("close", onClose);
          res.end();
        },
        onError: (error: ForwardError) => {
          res.off("close", onClose);
          if (answered || res.headersSent) return void res.destroy();
          const code = error.code === "UND_ERR_SOCKET" ? "ECONNRESET" : error.code;
          if (code === "ECONNREFUSED" && !body && !this.ipv6Only.has(port)) {
            // Not on 127.0.0.1: tried once on ::1, and remembered.
            this.ipv6Only.add(port);
            return this.web(req, res, port, failed);
          }
          if (code === "ECONNREFUSED") this.ipv6Only.delete(port);
          failed(Object.assign(error, { code }));
        },
      },
    );
  }

  /** Passes a WebSocket upgrade on to `port`; `failed` is called when the service cannot be reached. */
  ws(req: IncomingMessage, socket: Socket, head: Buffer, port: number, failed: (error: ForwardError) => void): void {
    const target = { host: this.ipv6Only.has(port) ? "::1" : "127.0.0.1", port };
    this.sockets.ws(req, socket, head, { target }, (error) => failed(error as ForwardError));
  }

  close(): void {
    void this.agent.destroy().catch(() => undefined);
  }
}

/** The request's headers as the service gets them: its own, without the connection's, with `X-Forwarded-*`. */
function forwardedHeaders(req: IncomingMessage): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(":") || HOP_BY_HOP.has(name)) continue;
    headers[name] = value;
  }
  // An HTTP/2 request names its host in `:authority`; the service gets it as `Host`.
  const host = (req.headers[":authority"] as string | undefined) ?? req.headers.host ?? "";
  headers.host = host;
  const encrypted = (req.socket as Socket & { encrypted?: boolean }).encrypted === true;
  const client = req.socket.remoteAddress ?? "";
  const before = req.headers["x-forwarded-for"];
  headers["x-forwarded-for"] = before ? `${String(before)}, ${client}` : client;
  headers["x-forwarded-host"] ??= host;
  headers["x-forwarded-proto"] ??= encrypted ? "https" : "http";
  headers["x-forwarded-port"] ??= String(req.socket.localPort ?? "");
  return headers;
}

/** The service's answer's headers, without the connection's (the proxy frames its own answer). */
function responseHeaders(raw: Buffer[]): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString("latin1").toLowerCase();
    if (HOP_BY_HOP.has(name)) continue;
    const value = (raw[i + 1] as Buffer).toString("latin1");
    const before = headers[name];
    headers[name] = before === undefined ? value : [...(Array.isArray(before) ? before : [String(before)]), value];
  }
  return headers;
}

/** Whether the request carries a body, which cannot be sent a second time once read. */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers["content-length"] !== undefined ? req.headers["content-length"] !== "0" : req.headers["transfer-encoding"] !== undefined;
}
