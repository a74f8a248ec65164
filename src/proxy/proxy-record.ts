import { join } from "node:path";
import { daemonLogPath, readLastDaemonPort, removeDaemonRecord, runningDaemon, writeDaemonRecord, type DaemonRecord } from "../state/daemon-record.js";
import type { StateLayout } from "../state/paths.js";

/** The port the proxy takes when nothing else is asked: beside portless's 1355, not on it. */
export const DEFAULT_PROXY_PORT = 1356;

/** The running proxy of the user, as it recorded itself (`<state>/proxy.json`). */
export interface ProxyRecord extends DaemonRecord {
  /** Its control socket: `status`, and `hold` from every stack that needs it. */
  control: string;
}

export function proxyControlPath(layout: StateLayout): string {
  return join(layout.run, "proxy.sock");
}

/** Its log: what it could not do (a port it could not have, a service it could not reach). */
export function proxyLogPath(layout: StateLayout): string {
  return daemonLogPath(layout, "proxy");
}

/** The port the proxy had last: where it goes again when its usual port is taken, so that names stay put. */
export function readLastProxyPort(layout: StateLayout): number | undefined {
  return readLastDaemonPort(layout, "proxy");
}

export function writeProxyRecord(layout: StateLayout, record: ProxyRecord): void {
  writeDaemonRecord(layout, "proxy", record);
}

/** Removes the record, if it is this process's (a proxy started after it may have written its own). */
export function removeProxyRecord(layout: StateLayout, pid: number): void {
  removeDaemonRecord(layout, "proxy", pid);
}

/** The record of the proxy, if there is one and that proxy still runs. */
export function runningProxy(layout: StateLayout): ProxyRecord | undefined {
  return runningDaemon<ProxyRecord>(layout, "proxy");
}
