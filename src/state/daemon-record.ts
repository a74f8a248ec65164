import { appendFileSync, readFileSync, rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { isGone } from "../process/process-tree.js";
import { writeFileAtomic } from "./files.js";
import { ensurePrivateDir, type StateLayout } from "./paths.js";

/** What a per-user daemon of portmate (the proxy, the dashboard) records of itself while it runs. */
export interface DaemonRecord {
  version: 1;
  pid: number;
  /** Kernel start time of `pid`, so a reused pid is never taken for the daemon. */
  startTime: number;
  port: number;
  startedAt: string;
}

/** The per-user daemons: each has `<state>/NAME.json` while it runs and `<state>/NAME-port` for the port it had last. */
export type DaemonName = "proxy" | "dashboard";

export function daemonRecordPath(layout: StateLayout, name: DaemonName): string {
  return join(layout.root, `${name}.json`);
}

/** Its log: what it could not do. */
export function daemonLogPath(layout: StateLayout, name: DaemonName): string {
  return join(layout.logs, `${name}.log`);
}

/** The port the daemon had last: where it goes again when it starts anew, so that its URLs stay put. */
export function readLastDaemonPort(layout: StateLayout, name: DaemonName): number | undefined {
  try {
    const port = Number(readFileSync(join(layout.root, `${name}-port`), "utf8").trim());
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  } catch {
    return undefined;
  }
}

export function writeDaemonRecord<R extends DaemonRecord>(layout: StateLayout, name: DaemonName, record: R): void {
  ensurePrivateDir(layout.root);
  writeFileAtomic(daemonRecordPath(layout, name), `${JSON.stringify(record, null, 2)}\n`);
  writeFileAtomic(join(layout.root, `${name}-port`), `${record.port}\n`);
}

/** Removes the record, if it is this process's (a daemon started after it may have written its own). */
export function removeDaemonRecord(layout: StateLayout, name: DaemonName, pid: number): void {
  if (readDaemonRecord(layout, name)?.pid === pid) rmSync(daemonRecordPath(layout, name), { force: true });
}

/** The record of the daemon, if there is one and that daemon still runs. */
export function runningDaemon<R extends DaemonRecord>(layout: StateLayout, name: DaemonName): R | undefined {
  const record = readDaemonRecord<R>(layout, name);
  return record && !isGone(record.pid, record.startTime) ? record : undefined;
}

function readDaemonRecord<R extends DaemonRecord>(layout: StateLayout, name: DaemonName): R | undefined {
  try {
    const data = JSON.parse(readFileSync(daemonRecordPath(layout, name), "utf8")) as Partial<R>;
    return data.version === 1 && typeof data.pid === "number" && typeof data.port === "number" ? (data as R) : undefined;
  } catch {
    return undefined;
  }
}

/** A daemon's own log lines (`<state>/logs/NAME.log`, timestamped): what it could not do. A log that cannot be written is passed over. */
export function daemonLogger(layout: StateLayout, name: DaemonName): (line: string) => void {
  return (line) => {
    try {
      appendFileSync(daemonLogPath(layout, name), `${new Date().toISOString()} ${line}\n`, { mode: 0o600 });
    } catch {
      // no log: nothing to do about it
    }
  };
}

/**
 * The port of another daemon of that name that started at the same moment as this process and got its port
 * first, once it has recorded itself (within a second); undefined when none did.
 */
export async function racedDaemonPort(layout: StateLayout, name: DaemonName): Promise<number | undefined> {
  for (let i = 0; i < 20; i++) {
    const record = runningDaemon(layout, name);
    if (record && record.pid !== process.pid) return record.port;
    await sleep(50);
  }
  return undefined;
}
