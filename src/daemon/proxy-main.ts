// The local proxy's process (README, "Names"): started on demand by the first stack with `proxy:` (see
// proxy/ensure-proxy.ts), detached from every terminal, one per user (per state folder). It serves the names of
// every running stack from their records, and ends once no stack needs it. Stdout says `ready PORT` once it
// listens, or `error MESSAGE`; nothing else is written there.
import { identify } from "../process/process-tree.js";
import { ProxyControl } from "../proxy/proxy-control.js";
import { DEFAULT_PROXY_PORT, proxyControlPath, readLastProxyPort, removeProxyRecord, runningProxy, writeProxyRecord } from "../proxy/proxy-record.js";
import { ProxyServer, type ProxyServerOptions } from "../proxy/proxy-server.js";
import { ensurePrivateDir, stateLayout } from "../state/paths.js";
import { daemonLogger, racedDaemonPort } from "../state/daemon-record.js";
import { ensureDashboard } from "../proxy/ensure-dashboard.js";

/** How long the proxy stays without any name to serve and any stack holding it before it ends. */
const IDLE_MS = Number(process.env.PORTMATE_PROXY_IDLE_MS ?? 10_000);

const layout = stateLayout();
const log = daemonLogger(layout, "proxy");
const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const portArg = args.indexOf("--port");
  const wanted = portArg === -1 ? DEFAULT_PROXY_PORT : Number(args[portArg + 1]);
  const fallback = args.includes("--fallback");
  ensurePrivateDir(layout.logs);
  ensurePrivateDir(layout.run);

  const other = runningProxy(layout);
  if (other && other.pid !== process.pid) return say(`ready ${other.port}`);

  let server: ProxyServer;
  try {
    server = await ProxyServer.start({ layout, port: wanted, ...serverOptions() });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Another proxy of this user won the race to the port: it is the one.
    const winner = await racedDaemonPort(layout, "proxy");
    if (winner) return say(`ready ${winner}`);
    if (code === "EADDRINUSE" && fallback) server = await startElsewhere();
    else
      return say(
        `error ${code === "EADDRINUSE" ? `port ${wanted} is taken by another program` : code === "EACCES" ? `port ${wanted} needs a privilege this user does not have` : (error as Error).message}`,
      );
  }
  const { port } = server.address;
  const self = identify(process.pid);
  const startedAt = new Date().toISOString();
  const control = await ProxyControl.listen(proxyControlPath(layout), () => ({
    pid: process.pid,
    port,
    startedAt,
    routes: server.routes.all().map(({ hostname, project, service, port, status }) => ({ hostname, project, service, port, status })),
    holders: control.holderCount,
  }));
  writeProxyRecord(layout, { version: 1, pid: process.pid, startTime: self.startTime, port, control: control.path, startedAt });
  log(`listening on 127.0.0.1:${port}`);
  say(`ready ${port}`);

  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    log(`stopping: ${why}`);
    removeProxyRecord(layout, process.pid);
    control.close();
    server.close();
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.on("SIGTERM", () => stop("asked to (SIGTERM)"));
  process.on("SIGINT", () => stop("asked to (SIGINT)"));
  process.on("SIGHUP", () => undefined);
  // Ends once nothing needs it: no name to serve, no stack holding it.
  let idleSince = Date.now();
  const idle = setInterval(
    () => {
      if (server.routes.size > 0 || control.holderCount > 0) idleSince = Date.now();
      else if (Date.now() - idleSince >= IDLE_MS) stop("no stack needs it");
    },
    Math.min(1000, IDLE_MS),
  );
  idle.unref();
  // Held open by the servers; the interval must not be what keeps it alive.
}

/** Where its port is taken: on the port it had last, so that names stay put, else on any free one. */
async function startElsewhere(): Promise<ProxyServer> {
  const last = readLastProxyPort(layout);
  if (last !== undefined) {
    try {
      return await ProxyServer.start({ layout, port: last, ...serverOptions() });
    } catch {
      // taken too
    }
  }
  return ProxyServer.start({ layout, port: 0, ...serverOptions() });
}

/** TLS for `https://` names, made on the first TLS connection (see proxy/tls-listener.ts), and the dashboard. */
function serverOptions(): Pick<ProxyServerOptions, "tls" | "dashboard"> {
  return {
    tls: async (handlers) => (await import("../proxy/tls-listener.js")).tlsListener(layout, handlers),
    // `portmate.localhost` is the dashboard, started when it is first asked for.
    dashboard: async () => (await ensureDashboard(layout)).port,
  };
}

main().catch((error: unknown) => {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  say(`error ${(error as Error).message}`);
  process.exit(1);
});
