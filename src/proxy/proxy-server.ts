import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import type { StateLayout } from "../state/paths.js";
import { Forwarder, hasBody, type ForwardError } from "./forward.js";
import { RouteBook } from "./route-book.js";
import { routeState, type Route } from "./routes.js";
import { statusAnswer } from "./status-page.js";
import { DASHBOARD_HOSTNAME } from "../plan/hostnames.js";

/** How long a request for a service that is starting, restarting or moving waits for it before it is answered 503. */
export const DEFAULT_WAIT_MS = 30_000;

/** How long a new connection may stay silent before it is closed. */
const IDLE_CONNECTION_MS = 60_000;

/** How long a request waits for a service seen exited to start again (a restart), before it is answered 502. */
const EXITED_GRACE_MS = 3000;

/** How a connection to a service that just stopped (a restart, a move) fails: refused, or cut while in use. */
const GONE = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ECONNABORTED"]);

/** What the TLS side hands its requests to, and which names it may make certificates for. */
export interface TlsHandlers {
  request: (req: IncomingMessage, res: ServerResponse) => void;
  upgrade: (req: IncomingMessage, socket: Socket, head: Buffer) => void;
  /** Whether a running stack has this name (a certificate is made for no other: it gets the default one). */
  knows: (hostname: string) => boolean;
}

/** A server that takes TLS connections handed to it (`emit("connection", socket)`): see proxy/tls. */
export interface TlsListener {
  emit(event: "connection", socket: Socket): boolean;
  close(): void;
}

export interface ProxyServerOptions {
  layout: StateLayout;
  /** 0: any free port. */
  port: number;
  /** How long a request waits for a service that is on its way (default DEFAULT_WAIT_MS). */
  waitMs?: number;
  /**
   * Makes the server for TLS connections, given the handlers of plain ones, on the first TLS connection; without
   * it TLS connections are closed.
   */
  tls?: (handlers: TlsHandlers) => Promise<TlsListener>;
  /** The port of portmate's dashboard, started when it does not run: where `portmate.localhost` leads. */
  dashboard?: () => Promise<number>;
}

/**
 * The local proxy (README, "Names"): one port on loopback (127.0.0.1 and ::1) where `SERVICE.PROJECT.localhost`
 * leads to that service's port, as the records of the running stacks say. Plain HTTP and TLS share the port: the
 * first byte of a connection tells them apart. A request for a service that is not ready waits for it; one for a
 * name nobody has gets a plain 404 that names nothing else.
 */
export class ProxyServer {
  readonly routes: RouteBook;
  private readonly forwarder = new Forwarder();
  private readonly http: Server;
  private readonly listeners: NetServer[] = [];
  private tlsListener: Promise<TlsListener> | undefined;
  private readonly waitMs: number;
  private port = 0;

  private constructor(private readonly options: ProxyServerOptions) {
    this.routes = new RouteBook(options.layout);
    this.waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
    this.http = createHttpServer((req, res) => this.request(req, res));
    this.http.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(req, socket, head));
    this.http.on("clientError", (_error, socket) => socket.destroy());
    // Streams (server-sent events, long polls) stay open as long as both ends want.
    this.http.requestTimeout = 0;
    this.http.keepAliveTimeout = 65_000;
  }

  /** Starts listening; rejects (EADDRINUSE, EACCES) when the port cannot be had on 127.0.0.1. */
  static async start(options: ProxyServerOptions): Promise<ProxyServer> {
    const server = new ProxyServer(options);
    try {
      server.port = await server.listen("127.0.0.1", options.port);
      // ::1 too, where there is one: browsers may try it first for a `.localhost` name.
      await server.listen("::1", server.port).catch(() => undefined);
    } catch (error) {
      server.close();
      throw error;
    }
    return server;
  }

  get address(): { port: number } {
    return { port: this.port };
  }

  close(): void {
    for (const listener of this.listeners) listener.close();
    this.http.closeAllConnections();
    this.http.close();
    void this.tlsListener?.then((tls) => tls.close()).catch(() => undefined);
    this.routes.close();
    this.forwarder.close();
  }

  private listen(host: string, port: number): Promise<number> {
    const listener = createNetServer({ pauseOnConnect: false }, (socket) => this.sniff(socket));
    this.listeners.push(listener);
    return new Promise((resolve, reject) => {
      listener.once("error", reject);
      listener.listen({ host, port, exclusive: true }, () => {
        listener.off("error", reject);
        resolve((listener.address() as AddressInfo).port);
      });
    });
  }

  /** Hands a new connection to the HTTP server, or to the TLS one when its first byte starts a TLS handshake. */
  private sniff(socket: Socket): void {
    socket.on("error", () => socket.destroy());
    // A connection opened ahead of need (browsers do) that never says anything is closed after a while.
    socket.setTimeout(IDLE_CONNECTION_MS, () => socket.destroy());
    socket.once("readable", () => {
      socket.setTimeout(0);
      const first = socket.read(1) as Buffer | null;
      if (!first) return void socket.destroy();
      socket.unshift(first);
      if (first[0] !== 0x16) return void this.http.emit("connection", socket);
      if (!this.options.tls) return void socket.destroy();
      this.tlsListener ??= this.options.tls({
        request: (req, res) => this.request(req, res),
        upgrade: (req, s, head) => this.upgrade(req, s, head),
        knows: (hostname) => this.routes.get(hostname.toLowerCase()) !== undefined,
      });
      this.tlsListener.then(
        (tls) => tls.emit("connection", socket),
        () => socket.destroy(),
      );
    });
  }

  private request(req: IncomingMessage, res: ServerResponse): void {
    const hostname = requestHostname(req);
    if (hostname === DASHBOARD_HOSTNAME && this.options.dashboard) return void this.toDashboard(req, res, this.options.dashboard);
    const ready = (route: Route | undefined): route is Route & { port: number } => route !== undefined && routeState(route) === "ready" && route.port !== null;
    let route = this.routes.get(hostname);
    // Not there or not ready: perhaps only since the last reading of the records (a `portmate start` just returned).
    if (!ready(route)) route = this.routes.current(hostname);
    if (!route) return answer(res, statusAnswer(hostname, undefined, "unknown", false));
    if (ready(route)) return this.pass(req, res, route, route.port);
    void this.whenReady(req, res, hostname, route);
  }

  /** Passes a request for `portmate.localhost` to the dashboard, started first when it does not run. */
  private async toDashboard(req: IncomingMessage, res: ServerResponse, dashboard: () => Promise<number>): Promise<void> {
    let port: number;
    try {
      port = await dashboard();
    } catch (error) {
      res.writeHead(503, { "content-type": "text/plain; charset=utf-8" });
      return void res.end(`portmate's dashboard could not start: ${(error as Error).message}\n`);
    }
    this.forwarder.web(req, res, port, (error: ForwardError) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { "content-type": "text/plain; charset=utf-8" });
      res.end(`portmate's dashboard does not answer (${error.code ?? error.message}); \`portmate dashboard\` starts it again\n`);
    });
  }

  /**
   * Passes the request on. When the service just went away (the connection is refused or cut), a request that
   * can be sent again waits once for the service to be back, or to move, as its record will soon say.
   */
  private pass(req: IncomingMessage, res: ServerResponse, route: Route, port: number, retried = false): void {
    this.forwarder.web(req, res, port, (error: ForwardError) => {
      if (res.headersSent) return void res.destroy();
      if (!retried && GONE.has(error.code ?? "") && !hasBody(req)) {
        void this.routes
          .until(route.hostname, (now) => now === undefined || now.port !== port || routeState(now) !== "ready", Math.min(this.waitMs, 5000), closedSignal(res))
          .then((now) => {
            if (now && routeState(now) === "ready" && now.port !== null) return this.pass(req, res, now, now.port, true);
            return this.whenReady(req, res, route.hostname, now ?? route);
          });
        return;
      }
      answer(res, statusAnswer(route.hostname, route, "down", wantsHtml(req)));
    });
  }

  /**
   * A request for a service that is not ready. A browser asking for a page gets at once a page that refreshes
   * itself; any other request (an API call, an asset, a script) waits for the service, up to the bound.
   */
  private async whenReady(req: IncomingMessage, res: ServerResponse, hostname: string, route: Route): Promise<void> {
    const html = wantsHtml(req);
    let found: Route | undefined = route;
    // A service seen exited may be in the middle of a restart (it exits, then starts again): a moment's grace.
    if (routeState(route) === "down" && !html) {
      found = await this.routes.until(hostname, (now) => !now || routeState(now) !== "down", Math.min(this.waitMs, EXITED_GRACE_MS), closedSignal(res));
    }
    if (found && routeState(found) === "coming" && !html) {
      found = await this.routes.until(hostname, (now) => !now || routeState(now) !== "coming", this.waitMs, closedSignal(res));
    }
    if (res.destroyed) return;
    // Its stack stopped while the request waited: the name leads nowhere now.
    if (!found) return answer(res, statusAnswer(hostname, undefined, "unknown", false));
    route = found;
    if (routeState(route) === "ready" && route.port !== null && !html) return this.pass(req, res, route, route.port, true);
    const state = routeState(route);
    answer(res, statusAnswer(hostname, route, state === "ready" ? "coming" : state, html));
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on("error", () => socket.destroy());
    const hostname = requestHostname(req);
    const go = (route: Route | undefined) => {
      if (route && routeState(route) === "ready" && route.port !== null) {
        this.forwarder.ws(req, socket, head, route.port, () => socket.destroy());
      } else {
        socket.end(`HTTP/1.1 ${route ? 503 : 404} ${route ? "Service Unavailable" : "Not Found"}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      }
    };
    const route = this.routes.get(hostname);
    if (route && routeState(route) === "coming") {
      const abort = new AbortController();
      socket.once("close", () => abort.abort());
      void this.routes.until(hostname, (found) => !found || routeState(found) !== "coming", this.waitMs, abort.signal).then(go);
    } else go(route);
  }
}

/** The name asked for: the Host header (`:authority` in HTTP/2) without its port, lower case. */
export function requestHostname(req: IncomingMessage): string {
  const host = (req.headers[":authority"] as string | undefined) ?? req.headers.host ?? "";
  return host.replace(/:\d+$/, "").replace(/\.$/, "").toLowerCase();
}

/** A browser navigating to a page (not a script's fetch, an image or an event stream). */
function wantsHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? "";
  return req.method === "GET" && accept.includes("text/html") && req.headers["sec-fetch-dest"] !== "empty";
}

function answer(res: ServerResponse, { status, headers, body }: { status: number; headers: Record<string, string>; body: string }): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { ...headers, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** Aborts when the client goes away before it was answered. */
function closedSignal(res: ServerResponse): AbortSignal {
  const abort = new AbortController();
  res.once("close", () => abort.abort());
  return abort.signal;
}
