import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { createInterface } from "node:readline";
import { ExitCode, PortmateError } from "../errors.js";
import { packageInfo } from "../util/package-root.js";

/** How long a new daemon may take to say it listens. */
const START_TIMEOUT_MS = 10_000;

export interface DaemonStart {
  /** Its bundle in dist/cjs (`proxy`: `dist/cjs/proxy.cjs`). */
  name: string;
  /** Its module in dist, for a build without bundles (`daemon/proxy-main.js`). */
  module: string;
  args: readonly string[];
  /** Where its stderr goes (opened for appending, 0600). */
  log: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Starts a per-user daemon of portmate (the proxy, the dashboard), detached: it outlives the command that
 * started it. Its first line on stdout says `ready PORT` once it listens, or `error MESSAGE`: resolves with the
 * port, or rejects with the message as an Error whose `daemonMessage` holds it, so that the caller can say what
 * to do about it.
 */
export function startDaemon(start: DaemonStart): Promise<number> {
  const root = packageInfo().root;
  const script = [join(root, "dist", "cjs", `${start.name}.cjs`), join(root, "dist", start.module)].find((file) => existsSync(file));
  if (!script) throw new PortmateError(`portmate's ${start.name} is not built`, ExitCode.internal, ["hint: run `npm run build` in portmate's folder"]);
  const log = openSync(start.log, "a", 0o600);
  const child = spawn(process.execPath, [script, ...start.args], { detached: true, stdio: ["ignore", "pipe", log], env: start.env });
  closeSync(log);
  child.unref();
  const stdout = child.stdout as Readable;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`the ${start.name} did not start within ${START_TIMEOUT_MS / 1000} s (see ${start.log})`)), START_TIMEOUT_MS);
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
    child.once("exit", (code) => done(new Error(`the ${start.name} exited (code ${code}) before it listened (see ${start.log})`)));
    lines.once("line", (line) => {
      const ready = /^ready (\d+)$/.exec(line);
      if (ready) return done(undefined, Number(ready[1]));
      done(new DaemonRefusal(line.replace(/^error /, "")));
    });
  });
}

/** What a daemon said instead of `ready`: why it cannot listen. */
export class DaemonRefusal extends Error {}
