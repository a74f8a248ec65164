import { startDaemon } from "../process/start-daemon.js";
import { daemonLogPath, runningDaemon } from "../state/daemon-record.js";
import { ensurePrivateDir, type StateLayout } from "../state/paths.js";

/**
 * The port of the user's dashboard, started first when none runs (detached; it ends after a while with no page
 * open). Here, beside the proxy, because the proxy starts it when `portmate.localhost` is asked for, as
 * `portmate dashboard` does; the dashboard itself (src/dashboard) stands on every other part of portmate.
 */
export async function ensureDashboard(layout: StateLayout): Promise<{ port: number; started: boolean }> {
  const running = runningDaemon(layout, "dashboard");
  if (running) return { port: running.port, started: false };
  ensurePrivateDir(layout.logs);
  const port = await startDaemon({
    name: "dashboard",
    module: "dashboard/dashboard-main.js",
    args: [],
    log: daemonLogPath(layout, "dashboard"),
    env: { ...process.env, PORTMATE_STATE_DIR: layout.root },
  });
  return { port, started: true };
}
