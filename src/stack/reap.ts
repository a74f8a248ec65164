import { ORPHANED_STOP_MS, stopStacks } from "./stop.js";
import { serviceId } from "../plan/names.js";
import { recordedStacks } from "../state/recorded-stacks.js";
import { stateLayout } from "../state/paths.js";
import { PortLocks } from "../state/port-locks.js";
import { markedProcesses, serviceQuery } from "../process/process-marker.js";
import { isGone, sameProcess } from "../process/process-tree.js";
import { terminateTree } from "../process/terminate.js";
import type { ReapOrder } from "../supervise/watchdog.js";

/** What the reaper found and stopped. */
export interface ReapResult {
  /** The owner was still alive: nothing was done. */
  ownerAlive: boolean;
  /** Stack instances whose records were cleaned up, as `project@instance`. */
  stacks: string[];
  /** Services that still had processes, found by their mark (not by a record). */
  unrecorded: string[];
}

/**
 * Stops what a dead portmate process left running (what its watchdog runs, see supervise/watchdog.ts): first
 * its recorded stacks, as `portmate down` stops a stale stack (stop signal, stop timeout, SIGKILL; ports
 * released; records removed), then any process still carrying the mark of one of its services (a service
 * spawned in the instant before it could be recorded, or a stack started through the library, which keeps no
 * records), then the port reservations it still held.
 */
export async function reap(order: ReapOrder): Promise<ReapResult> {
  if (!isGone(order.owner.pid, order.owner.startTime)) return { ownerAlive: true, stacks: [], unrecorded: [] };
  const layout = stateLayout(order.stateDir);
  const owned = recordedStacks(layout).filter(({ record, alive }) => !alive && sameProcess(record.supervisor, order.owner));
  if (owned.length > 0) await stopStacks(layout, owned);
  const unrecorded: string[] = [];
  const services = order.services.flatMap((service) =>
    Array.from({ length: order.instances }, (_, index) => ({ ...service, id: serviceId(service.name, index + 1) })),
  );
  await Promise.all(
    services.map(async (service) => {
      const mark = serviceQuery(order.owner, service.id);
      const [root] = markedProcesses(mark);
      if (!root) return;
      unrecorded.push(service.id);
      await terminateTree(root, { signal: service.signal, timeoutMs: Math.min(service.timeoutMs, ORPHANED_STOP_MS), mark });
    }),
  );
  new PortLocks(layout.ports, { ...order.owner, project: "" }).releaseAllHeld();
  return { ownerAlive: false, stacks: owned.map(({ record }) => `${record.project}@${record.instance}`), unrecorded };
}
