import { listeningPortsOf } from "../ports/proc-sockets.js";
import type { RecordedStack } from "../state/recorded-stacks.js";
import type { ServiceRecord } from "../state/registry.js";
import { markedProcesses, serviceQuery } from "../process/process-marker.js";
import { listProcesses, treeMembers } from "../process/process-tree.js";

/**
 * The TCP ports a running service's processes listen on (its tree, and what carries its mark), from the kernel's
 * socket tables; undefined for a service that does not run, or where they cannot be read.
 */
export async function listeningPorts(stack: RecordedStack, service: ServiceRecord): Promise<number[] | undefined> {
  if (!stack.alive || service.pid === null) return undefined;
  const all = listProcesses();
  const marked = markedProcesses(serviceQuery(stack.record.supervisor, service.id), all);
  const members = treeMembers({ pid: service.pid, startTime: service.startTime }, all, marked);
  if (members.length === 0) return undefined;
  return listeningPortsOf(members.map((info) => info.pid));
}
