import { ExitCode, PortmateError } from "../errors.js";
import { ensurePrivateDir, type StateLayout } from "../state/paths.js";
import { DaemonRefusal, startDaemon } from "../process/start-daemon.js";
import { DEFAULT_PROXY_PORT, proxyLogPath, runningProxy } from "./proxy-record.js";

/** The proxy's port, as the user set it (`PORTMATE_PROXY_PORT`), else the default. */
export function wantedProxyPort(env: Readonly<Record<string, string | undefined>> = process.env): { port: number; given: boolean } {
  const text = env.PORTMATE_PROXY_PORT;
  if (text === undefined || text === "") return { port: DEFAULT_PROXY_PORT, given: false };
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new PortmateError(`PORTMATE_PROXY_PORT must be a port number (1-65535), got ${JSON.stringify(text)}`, ExitCode.usage);
  }
  return { port, given: true };
}

/**
 * The port of the user's proxy, started first when none runs (detached: it outlives the command that started
 * it and ends once no stack needs it). The port is the one the user set (`PORTMATE_PROXY_PORT`; taken by
 * another program: an error), else 1356, else, when another program holds 1356, the one it had last or any
 * free one. `exact` asks for exactly that port (a stack whose names already carry it, starting the proxy again
 * after it died).
 */
export async function ensureProxy(layout: StateLayout, options: { exact?: number } = {}): Promise<{ port: number; started: boolean }> {
  const running = runningProxy(layout);
  if (running) return { port: running.port, started: false };
  const wanted = options.exact !== undefined ? { port: options.exact, given: true } : wantedProxyPort();
  const port = await startProxy(layout, wanted.port, !wanted.given);
  return { port, started: true };
}

async function startProxy(layout: StateLayout, port: number, fallback: boolean): Promise<number> {
  ensurePrivateDir(layout.logs);
  const args = ["--port", String(port), ...(fallback ? ["--fallback"] : [])];
  try {
    return await startDaemon({
      name: "proxy",
      module: "daemon/proxy-main.js",
      args,
      log: proxyLogPath(layout),
      env: { ...process.env, PORTMATE_STATE_DIR: layout.root },
    });
  } catch (error) {
    if (!(error instanceof DaemonRefusal)) throw error;
    throw new PortmateError(`the local proxy cannot start: ${error.message}`, ExitCode.noPorts, [
      port < 1024
        ? "hint: allow ports below 1024 with `sudo sysctl net.ipv4.ip_unprivileged_port_start=80`, or set PORTMATE_PROXY_PORT to a port above 1023"
        : "hint: set PORTMATE_PROXY_PORT to a free port, or remove `proxy:` from the config",
    ]);
  }
}
