import { listeningPortsOfEach } from "../ports/proc-sockets.js";
import type { RecordedStack } from "../state/recorded-stacks.js";
import type { ServiceRecord } from "../state/registry.js";
import { markedProcesses, serviceQuery } from "../process/process-marker.js";
import { listProcesses, treeMembers } from "../process/process-tree.js";

/**
 * The TCP ports each running service's processes listen on (its tree, and what carries its mark), from the
 * kernel's socket tables, read once for all of them; undefined for a service that does not run, or where they
 * cannot be read.
 */
export async function listeningPorts(services: ReadonlyArray<{ stack: RecordedStack; service: ServiceRecord }>): Promise<Array<number[] | undefined>> {
  const all = listProcesses();
  const members = services.map(({ stack, service }) => {
    if (!stack.alive || service.pid === null) return [];
    const marked = markedProcesses(serviceQuery(stack.record.supervisor, service.id), all);
    return treeMembers({ pid: service.pid, startTime: service.startTime }, all, marked).map((info) => info.pid);
  });
  const running = members.filter((pids) => pids.length > 0);
  const ports = running.length ? await listeningPortsOfEach(running) : [];
  return members.map((pids) => (pids.length === 0 || ports === undefined ? undefined : ports[running.indexOf(pids)]));
}
