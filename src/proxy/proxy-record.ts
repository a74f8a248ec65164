import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { isGone } from "../process/process-tree.js";
import { writeFileAtomic } from "../state/files.js";
import { ensurePrivateDir, type StateLayout } from "../state/paths.js";

/** The port the proxy takes when nothing else is asked: beside portless's 1355, not on it. */
export const DEFAULT_PROXY_PORT = 1356;

/** The running proxy of the user, as it recorded itself. */
export interface ProxyRecord {
  version: 1;
  pid: number;
  /** Kernel start time of `pid`, so a reused pid is never taken for the proxy. */
  startTime: number;
  port: number;
  /** Its control socket: `status`, and `hold` from every stack that needs it. */
  control: string;
  startedAt: string;
}

export function proxyRecordPath(layout: StateLayout): string {
  return join(layout.root, "proxy.json");
}

export function proxyControlPath(layout: StateLayout): string {
  return join(layout.run, "proxy.sock");
}

/** Its log: what it could not do (a port it could not have, a service it could not reach). */
export function proxyLogPath(layout: StateLayout): string {
  return join(layout.logs, "proxy.log");
}

/** The port the proxy had last: where it goes again when its usual port is taken, so that names stay put. */
export function lastProxyPortPath(layout: StateLayout): string {
  return join(layout.root, "proxy-port");
}

export function readLastProxyPort(layout: StateLayout): number | undefined {
  try {
    const port = Number(readFileSync(lastProxyPortPath(layout), "utf8").trim());
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  } catch {
    return undefined;
  }
}

export function writeProxyRecord(layout: StateLayout, record: ProxyRecord): void {
  ensurePrivateDir(layout.root);
  writeFileAtomic(proxyRecordPath(layout), `${JSON.stringify(record, null, 2)}\n`);
  writeFileAtomic(lastProxyPortPath(layout), `${record.port}\n`);
}

/** Removes the record, if it is this process's (a proxy started after it may have written its own). */
export function removeProxyRecord(layout: StateLayout, pid: number): void {
  if (readProxyRecord(layout)?.pid === pid) rmSync(proxyRecordPath(layout), { force: true });
}

/** The record of the proxy, if there is one and that proxy still runs. */
export function runningProxy(layout: StateLayout): ProxyRecord | undefined {
  const record = readProxyRecord(layout);
  return record && !isGone(record.pid, record.startTime) ? record : undefined;
}

function readProxyRecord(layout: StateLayout): ProxyRecord | undefined {
  try {
    const data = JSON.parse(readFileSync(proxyRecordPath(layout), "utf8")) as Partial<ProxyRecord>;
    return data.version === 1 && typeof data.pid === "number" && typeof data.port === "number" ? (data as ProxyRecord) : undefined;
  } catch {
    return undefined;
  }
}
