import { isPortFree } from "../ports/probe.js";
import { describeHolders, whoHolds } from "../ports/port-holders.js";
import { heldByOthers } from "../ports/proc-sockets.js";
import { listProcesses, readProcess, treeMembers } from "../process/process-tree.js";
import type { ServiceRunner } from "./service-runner.js";

/**
 * What a service that could not bind its port prints: the system's words (Node, Python, Go, Java, Ruby…) and
 * those of servers that say it their own way (Streamlit `Port 8501 is not available`, Vite `Port 5173 is already
 * in use`, Django `That port is already in use.`, Gradio `Cannot find empty port in range`, Werkzeug and Next.js
 * `Port 3000 is in use`).
 */
export const ADDRESS_IN_USE =
  /EADDRINUSE|address already in use|address in use|bind\(\) failed|Errno 98|Errno 48|port \d+ is not available|port \d+ is (?:already )?in use|port is already in use|cannot find empty port/i;

/** A port of a service that another process took. */
export interface StolenPort {
  name: string;
  port: number;
  /** Who holds it now, where the OS tells. */
  holder?: string;
}

/**
 * The ports of a service that exited while the stack was starting and that another process took (spec §3):
 * each held by a process outside the service's own tree, whatever the service printed, but a daemon the service
 * left behind (see left-daemons.ts). When none is, but the service said the address was in use, the ports not
 * free now (or, if all are, its primary port: whoever held it let go meanwhile).
 */
export async function stolenPorts(runner: ServiceRunner): Promise<StolenPort[]> {
  const stolen = await foreignHeld(runner, { exited: true });
  if (stolen.length || !runner.linesOfThisRun().some((line) => ADDRESS_IN_USE.test(line))) return stolen;
  for (const [name, port] of Object.entries(runner.service.ports)) if (!(await isPortFree(port))) stolen.push({ name, port });
  const [primary] = Object.entries(runner.service.ports);
  if (stolen.length === 0 && primary) stolen.push({ name: primary[0], port: primary[1] });
  return stolen;
}

/**
 * The ports of a service that a process outside its tree listens on, a process that started before the service:
 * one started after a running service most likely listens on its behalf (docker's port proxy for `docker run
 * -p`, a server that daemonized itself). With `exited`, also one started after it that is not an orphan. Another
 * user's socket cannot be told apart, so it does not count either. Cheap when the service holds its ports, as it
 * should.
 */
export async function foreignHeld(runner: ServiceRunner, { exited = false } = {}): Promise<StolenPort[]> {
  const ports = Object.entries(runner.service.ports);
  // Most services listen in their main process: then its file descriptors alone tell.
  const main = runner.pid === undefined ? [] : [runner.pid];
  const suspect = await heldByOthers(
    ports.map(([, port]) => port),
    main,
  );
  if (suspect.length === 0) return [];
  const own = runner.root ? treeMembers(runner.root, listProcesses()).map((info) => info.pid) : [];
  const stolen: StolenPort[] = [];
  for (const port of await heldByOthers(suspect, own)) {
    const lookup = await whoHolds(port);
    // A process started after a running service may listen on its behalf (a port proxy); once the service
    // exited, only one it left behind (an orphan, a child of init) can be that.
    const holders = lookup.holders.filter(
      (holder) => !own.includes(holder.pid) && (startedBefore(holder.pid, runner) || (exited && readProcess(holder.pid)?.ppid !== 1)),
    );
    const name = ports.find(([, number]) => number === port)?.[0] ?? "default";
    if (holders.length) stolen.push({ name, port, holder: describeHolders({ ...lookup, holders, hidden: [] }) });
  }
  return stolen;
}

/** Whether process `pid` started before the service's current run (by the kernel's start times, where known). */
function startedBefore(pid: number, runner: ServiceRunner): boolean {
  const started = readProcess(pid)?.startTime ?? 0;
  const service = runner.root?.startTime ?? 0;
  if (started === 0 || service === 0) return true; // nothing known against it
  return started < service;
}
