import { acceptsConnections } from "./probe.js";
import { whoHolds } from "./port-holders.js";
import { readProcess, type ProcessInfo } from "../process/process-tree.js";

/**
 * The processes a service that daemonized itself left listening on its ports: each holder of one of `ports`
 * that started at or after `since` (the service's start, in kernel clock ticks) and whose parent is init, as a
 * double-forked daemon's is. Found by the kernel's socket tables, so also when the daemon rewrote its process
 * title over its environment (redis-server does), which hides the mark it inherited. A program started from a
 * shell that took the port meanwhile has a live parent and is not taken for one. Only ports that accept
 * connections are looked up. None where start times are unknown.
 */
export async function leftDaemons(ports: readonly number[], since: number): Promise<ProcessInfo[]> {
  if (since === 0 || ports.length === 0) return [];
  const found = new Map<number, ProcessInfo>();
  // A connection attempt is cheap; looking up a port's holder reads every process's descriptors.
  const listening = await Promise.all(ports.map((port) => acceptsConnections(port)));
  for (const port of ports.filter((_port, index) => listening[index])) {
    const { holders } = await whoHolds(port);
    for (const holder of holders) {
      const info = holder.pid === process.pid ? undefined : readProcess(holder.pid);
      if (info && info.startTime >= since && info.ppid === 1 && info.state !== "Z") found.set(info.pid, info);
    }
  }
  return [...found.values()];
}
