import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join } from "node:path";
import type { StateLayout } from "../state/paths.js";
import { RecordWatch } from "../state/record-watch.js";
import { packageInfo } from "../util/package-root.js";
import { dashboardToken, hasToken, knownHost, sameOrigin } from "./access.js";
import { describeError, envOf, parseAction, runAction } from "./actions.js";
import { EventStream } from "./event-stream.js";
import { LogFeed } from "./log-feed.js";
import { stacksView, type StackView } from "./stacks-view.js";

/** The page's files, shipped built in the package: no build step at install, nothing fetched from elsewhere. */
const ASSETS: Record<string, string> = {
  "/": "index.html",
  "/assets/dashboard.js": "dashboard.js",
  "/assets/dashboard.css": "dashboard.css",
  "/assets/ansi_up.js": "ansi_up.js",
  "/assets/icon.svg": "icon.svg",
};
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};
/** The page may load only its own files (style attributes carry the logs' colours), and may be framed by no one. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};
/** The largest action request taken. */
const MAX_BODY = 16 * 1024;

export interface DashboardServerOptions {
  layout: StateLayout;
  /** 0: any free port. */
  port: number;
  /** Where the page's files are (default: `dist/dashboard-page` of the package). */
  assets?: string;
}

/**
 * The dashboard (README, "Dashboard"): one page for every stack of the user, on loopback. It reads what every
 * stack records (its records and logs), so no supervisor does anything more while a page is open; its buttons
 * call the functions the CLI commands call. Reading needs nothing; actions and environment values need the
 * user's token, and a request from another site or by another host name is refused.
 */
export class DashboardServer {
  private readonly http: Server;
  private readonly events: EventStream;
  private readonly logs: LogFeed;
  private readonly watch: RecordWatch;
  private readonly token: string;
  private readonly assets: string;
  private stacks: StackView[] = [];
  private stacksJson = "";
  /** When a request last came (the daemon ends after a while without one, and without a page). */
  lastActivity = Date.now();
  /** When a stack last ran (the daemon ends sooner when none does). */
  lastStack = Date.now();

  private constructor(private readonly options: DashboardServerOptions) {
    this.token = dashboardToken(options.layout);
    this.assets = options.assets ?? join(packageInfo().root, "dist", "dashboard-page");
    this.events = new EventStream((count) => this.logs.running(count > 0));
    this.logs = new LogFeed(options.layout, (entries) => this.events.send("logs", entries));
    this.refresh();
    this.watch = new RecordWatch(options.layout, () => this.refresh());
    this.http = createServer((req, res) => void this.request(req, res));
    this.http.on("clientError", (_error, socket) => socket.destroy());
    this.http.requestTimeout = 0;
  }

  static async start(options: DashboardServerOptions): Promise<DashboardServer> {
    const server = new DashboardServer(options);
    await new Promise<void>((resolve, reject) => {
      server.http.once("error", reject);
      server.http.listen({ host: "127.0.0.1", port: options.port, exclusive: true }, () => {
        server.http.off("error", reject);
        resolve();
      });
    }).catch((error: unknown) => {
      server.close();
      throw error;
    });
    return server;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** How many stacks run. */
  get stackCount(): number {
    return this.stacks.length;
  }

  /** How many pages are connected. */
  get pages(): number {
    return this.events.size;
  }

  close(): void {
    this.watch.close();
    this.logs.close();
    this.events.close();
    this.http.closeAllConnections();
    this.http.close();
  }

  /** Reads the records again; tells the pages when something changed. */
  private refresh(): void {
    const stacks = stacksView(this.options.layout);
    if (stacks.length > 0) this.lastStack = Date.now();
    const json = JSON.stringify(stacks);
    if (json === this.stacksJson) return;
    this.stacks = stacks;
    this.stacksJson = json;
    // The last lines of the files followed until now go out before a stack that stopped is no longer followed.
    this.logs.poll();
    this.logs.follow(stacks);
    this.events.send("stacks", stacks);
  }

  private async request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.lastActivity = Date.now();
    if (!knownHost(req)) return reply(res, 403, { error: "this host name is not the dashboard's (open it by `portmate dashboard`)" });
    const url = new URL(req.url ?? "/", "http://dashboard");
    const route = `${req.method} ${url.pathname}`;
    try {
      if (req.method === "GET" && ASSETS[url.pathname]) return this.asset(res, ASSETS[url.pathname] as string);
      switch (route) {
        case "GET /api/stacks":
          return reply(res, 200, this.stacks);
        case "GET /api/events":
          this.logs.poll();
          return this.events.add(res, [
            ["stacks", this.stacks],
            ["backlog", this.logs.backlog()],
          ]);
        case "GET /api/session":
          return reply(res, 200, { authorized: hasToken(req, this.token) });
        case "GET /api/env":
          if (!this.allowed(req, res)) return;
          return reply(
            res,
            200,
            envOf(url.searchParams.get("project") ?? "", Number(url.searchParams.get("instance") ?? 1), url.searchParams.get("service") ?? undefined),
          );
        case "POST /api/actions":
          return await this.action(req, res);
        default:
          return reply(res, 404, { error: `no ${route}` });
      }
    } catch (error) {
      reply(res, 409, describeError(error));
    }
  }

  /** Whether a request may act or see secrets: from the page itself, with the token. Answers it when not. */
  private allowed(req: IncomingMessage, res: ServerResponse): boolean {
    if (!sameOrigin(req)) {
      reply(res, 403, { error: "refused: the request comes from another site" });
      return false;
    }
    if (!hasToken(req, this.token)) {
      reply(res, 401, { error: "refused: no valid token", details: ["hint: open the page with `portmate dashboard`, whose URL carries it"] });
      return false;
    }
    return true;
  }

  private async action(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.allowed(req, res)) return;
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) return reply(res, 415, { error: "the body must be application/json" });
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (error) {
      return reply(res, 400, { error: `not JSON: ${(error as Error).message}` });
    }
    const request = parseAction(body);
    if (typeof request === "string") return reply(res, 400, { error: request });
    reply(res, 200, { ok: true, result: await runAction(request) });
  }

  private asset(res: ServerResponse, file: string): void {
    let content: Buffer;
    try {
      content = readFileSync(join(this.assets, file));
    } catch {
      return reply(res, 500, { error: `the dashboard's ${file} is missing: is portmate built?` });
    }
    res.writeHead(200, { ...SECURITY_HEADERS, "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(content);
  }
}

function reply(res: ServerResponse, status: number, data: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(data));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error("the body is too large"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
