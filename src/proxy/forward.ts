import { Agent, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { createProxyServer } from "http-proxy-3";

/** Why a request could not be passed on: the service does not listen (on that address), or something else went wrong. */
export type ForwardError = Error & { code?: string };

/**
 * Passes requests and WebSocket upgrades on to a service's port on loopback, unchanged but for the
 * `X-Forwarded-*` headers (http-proxy-3: streamed both ways, so server-sent events, long polls and large uploads
 * pass as they come). Connections to the services are kept alive and reused.
 */
export class Forwarder {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, scheduling: "lifo" });
  private readonly proxy = createProxyServer({ xfwd: true, ws: true, agent: this.agent, preserveHeaderKeyCase: true });
  /** Ports whose service listens on `::1` alone (Vite on `localhost` does on some machines). */
  private readonly ipv6Only = new Set<number>();

  constructor() {
    this.proxy.on("error", () => undefined); // every call passes its own callback
  }

  /** Passes the request on to `port`; `failed` is called instead of any answer when the service cannot be reached. */
  web(req: IncomingMessage, res: ServerResponse, port: number, failed: (error: ForwardError) => void): void {
    this.proxy.web(req, res, { target: this.target(port) }, (error) =>
      this.onError(error as ForwardError, port, failed, () => this.web(req, res, port, failed), !hasBody(req)),
    );
  }

  /** Passes a WebSocket upgrade on to `port`; `failed` is called when the service cannot be reached. */
  ws(req: IncomingMessage, socket: Socket, head: Buffer, port: number, failed: (error: ForwardError) => void): void {
    this.proxy.ws(req, socket, head, { target: this.target(port) }, (error) =>
      this.onError(error as ForwardError, port, failed, () => this.ws(req, socket, head, port, failed), true),
    );
  }

  close(): void {
    this.agent.destroy();
  }

  private target(port: number): { host: string; port: number } {
    return { host: this.ipv6Only.has(port) ? "::1" : "127.0.0.1", port };
  }

  /** A refused connection on 127.0.0.1 is tried once on ::1 (when the request can be sent again), and remembered. */
  private onError(error: ForwardError, port: number, failed: (error: ForwardError) => void, again: () => void, repeatable: boolean): void {
    if (error.code === "ECONNREFUSED" && repeatable && !this.ipv6Only.has(port)) {
      this.ipv6Only.add(port);
      again();
      return;
    }
    if (error.code === "ECONNREFUSED") this.ipv6Only.delete(port);
    failed(error);
  }
}

/** Whether the request carries a body, which cannot be sent a second time once read. */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers["content-length"] !== undefined ? req.headers["content-length"] !== "0" : req.headers["transfer-encoding"] !== undefined;
}
