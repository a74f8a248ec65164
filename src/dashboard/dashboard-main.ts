// The dashboard's process (README, "Dashboard"): started by `portmate dashboard`, or by the local proxy when
// `portmate.localhost` is asked for (see proxy/ensure-dashboard.ts), detached from every terminal, one per user
// (per state folder). Stdout says `ready PORT` once it listens, or `error MESSAGE`; nothing else is written there.
import { DashboardServer } from "./dashboard-server.js";
import { identify } from "../process/process-tree.js";
import { daemonLogger, racedDaemonPort, readLastDaemonPort, removeDaemonRecord, runningDaemon, writeDaemonRecord } from "../state/daemon-record.js";
import { ensurePrivateDir, stateLayout } from "../state/paths.js";

/** How long the dashboard stays with no page open and no request before it ends. */
const IDLE_MS = Number(process.env.PORTMATE_DASHBOARD_IDLE_MS ?? 30 * 60_000);
/** …and when no stack runs either: nothing is left to show. */
const EMPTY_IDLE_MS = Math.min(IDLE_MS, 60_000);

const layout = stateLayout();
const log = daemonLogger(layout, "dashboard");
const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  ensurePrivateDir(layout.logs);
  const other = runningDaemon(layout, "dashboard");
  if (other && other.pid !== process.pid) return say(`ready ${other.port}`);

  // On the port it had last, so that a page left open, or a bookmark, finds it again; else on any free one.
  const last = readLastDaemonPort(layout, "dashboard");
  let server: DashboardServer;
  try {
    server = await DashboardServer.start({ layout, port: last ?? 0 });
  } catch {
    // Another dashboard of this user, started at the same moment, may have got it first: it is the one.
    const winner = await racedDaemonPort(layout, "dashboard");
    if (winner) return say(`ready ${winner}`);
    server = await DashboardServer.start({ layout, port: 0 });
  }
  const self = identify(process.pid);
  writeDaemonRecord(layout, "dashboard", { version: 1, pid: process.pid, startTime: self.startTime, port: server.port, startedAt: new Date().toISOString() });
  log(`listening on 127.0.0.1:${server.port}`);
  say(`ready ${server.port}`);

  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    log(`stopping: ${why}`);
    removeDaemonRecord(layout, "dashboard", process.pid);
    server.close();
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.on("SIGTERM", () => stop("asked to (SIGTERM)"));
  process.on("SIGINT", () => stop("asked to (SIGINT)"));
  process.on("SIGHUP", () => undefined);
  const idle = setInterval(
    () => {
      if (server.pages > 0) return;
      const quiet = Date.now() - server.lastActivity;
      if (server.stackCount > 0 ? quiet >= IDLE_MS : Math.min(quiet, Date.now() - server.lastStack) >= EMPTY_IDLE_MS) stop("no page open");
    },
    Math.min(5000, EMPTY_IDLE_MS),
  );
  idle.unref();
}

main().catch((error: unknown) => {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  say(`error ${(error as Error).message}`);
  process.exit(1);
});
