import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { createInterface } from "node:readline";
import { ExitCode, PortmateError } from "../errors.js";
import { ensurePrivateDir, type StateLayout } from "../state/paths.js";
import { packageInfo } from "../util/package-root.js";
import { DEFAULT_PROXY_PORT, proxyLogPath, runningProxy } from "./proxy-record.js";

/** How long a new proxy may take to listen. */
const START_TIMEOUT_MS = 10_000;

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

function startProxy(layout: StateLayout, port: number, fallback: boolean): Promise<number> {
  ensurePrivateDir(layout.logs);
  const root = packageInfo().root;
  const script = [join(root, "dist", "cjs", "proxy.cjs"), join(root, "dist", "daemon", "proxy-main.js")].find((file) => existsSync(file));
  if (!script) throw new PortmateError("portmate's proxy is not built", ExitCode.internal, ["hint: run `npm run build` in portmate's folder"]);
  const log = openSync(proxyLogPath(layout), "a", 0o600);
  const child = spawn(process.execPath, [script, "--port", String(port), ...(fallback ? ["--fallback"] : [])], {
    detached: true,
    stdio: ["ignore", "pipe", log],
    env: { ...process.env, PORTMATE_STATE_DIR: layout.root },
  });
  closeSync(log);
  child.unref();
  const stdout = child.stdout as Readable;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`the proxy did not start within ${START_TIMEOUT_MS / 1000} s (see ${proxyLogPath(layout)})`)),
      START_TIMEOUT_MS,
    );
    const lines = createInterface({ input: stdout });
    let settled = false;
    const done = (error: Error | undefined, port?: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      lines.close();
      stdout.destroy();
      if (error) reject(error);
      else resolve(port as number);
    };
    child.once("error", (error) => done(error));
    child.once("exit", (code) => done(new Error(`the proxy exited (code ${code}) before it listened (see ${proxyLogPath(layout)})`)));
    lines.once("line", (line) => {
      const ready = /^ready (\d+)$/.exec(line);
      if (ready) return done(undefined, Number(ready[1]));
      const message = line.replace(/^error /, "");
      done(
        new PortmateError(`the local proxy cannot start: ${message}`, ExitCode.noPorts, [
          port < 1024
            ? "hint: allow ports below 1024 with `sudo sysctl net.ipv4.ip_unprivileged_port_start=80`, or set PORTMATE_PROXY_PORT to a port above 1023"
            : "hint: set PORTMATE_PROXY_PORT to a free port, or remove `proxy:` from the config",
        ]),
      );
    });
  });
}
