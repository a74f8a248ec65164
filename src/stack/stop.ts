import { rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { requestStop, RequestRefusedError } from "../control/client.js";
import { ExitCode, PortmateError } from "../errors.js";
import { leftDaemons } from "../ports/left-daemons.js";
import { acceptsConnections } from "../ports/probe.js";
import { recordedStacks, type RecordedStack } from "../state/recorded-stacks.js";
import type { StateLayout } from "../state/paths.js";
import { PortLocks } from "../state/port-locks.js";
import { readRecords, removeRecord, type StackRecord } from "../state/registry.js";
import { markedProcesses, serviceQuery } from "../process/process-marker.js";
import { isGone, sameProcess } from "../process/process-tree.js";
import { terminateTree } from "../process/terminate.js";
import { stopProcess } from "../process/stop-process.js";

export interface StopStacksOptions {
  /** Stop only these instances of each stack; default: all. */
  instances?: readonly number[];
  /** Overrides the services' stop_timeout, in ms. */
  timeoutMs?: number;
  /** Told about anything worth saying on the way: an unreachable supervisor, a stale stack cleaned up. */
  warn?: (message: string) => void;
}

/** What `down` did to each stack instance. */
export interface DownResult {
  stopped: Array<{ project: string; instance: number; stale: boolean }>;
  /** Processes that could not be made to go away (not ours to kill, say): reported, never hidden. */
  survivors: number[];
  /** Ports still listening afterwards. */
  listening: number[];
}

/** How long to wait for processes to disappear and ports to close, beyond the stop timeouts. */
const SETTLE_MS = 10_000;
const SUPERVISOR_EXIT_MS = 5_000;

/**
 * Stops recorded stacks and returns once every process they recorded is gone and every port they held is
 * closed. A live supervisor is asked over its control socket (it stops its services in reverse dependency order
 * and removes its records). A stack whose supervisor died (`stale`) is stopped here: each recorded service's
 * process group and tree gets its stop signal then SIGKILL, its port reservations are released, its record
 * removed.
 */
export async function stopStacks(layout: StateLayout, stacks: readonly RecordedStack[], options: StopStacksOptions = {}): Promise<DownResult> {
  const warn = options.warn ?? (() => {});
  const targets = stacks.filter(({ record }) => options.instances === undefined || options.instances.includes(record.instance));
  const bySupervisor = new Map<string, RecordedStack[]>();
  for (const stack of targets) {
    const key = `${stack.record.supervisor.pid}/${stack.record.supervisor.startTime}`;
    bySupervisor.set(key, [...(bySupervisor.get(key) ?? []), stack]);
  }

  const stale: StackRecord[] = [];
  await Promise.all(
    [...bySupervisor.values()].map(async (group) => {
      const first = group[0] as RecordedStack;
      if (!first.alive) {
        stale.push(...group.map(({ record }) => record));
        return;
      }
      const instances = group.map(({ record }) => record.instance);
      try {
        await requestStop(
          first.record.supervisor.control,
          { instances, timeoutMs: options.timeoutMs ?? null, force: false },
          answerTimeout(group, options.timeoutMs),
        );
      } catch (error) {
        if (error instanceof RequestRefusedError) throw new PortmateError(`cannot stop ${first.record.project}: ${error.message}`, ExitCode.serviceFailed);
        warn(
          `the supervisor of ${first.record.project} (pid ${first.record.supervisor.pid}) cannot be asked to stop: ${(error as Error).message}; stopping it`,
        );
        // SIGTERM to a supervisor that does not answer on its socket, SIGKILL if it does not exit.
        await stopProcess(first.record.supervisor, SUPERVISOR_EXIT_MS);
      }
      // Whatever a supervisor could not clean up (it died meanwhile) is cleaned up here.
      const left = recordedStacks(layout, { project: first.record.project }).filter(
        ({ record, alive }) => !alive && instances.includes(record.instance) && sameProcess(record.supervisor, first.record.supervisor),
      );
      stale.push(...left.map(({ record }) => record));
    }),
  );
  await Promise.all(
    stale.map((record) => {
      warn(
        `cleaning up ${record.project}${record.instance === 1 ? "" : ` instance ${record.instance}`}: its supervisor (pid ${record.supervisor.pid}) is gone`,
      );
      return stopUnsupervised(layout, record, options.timeoutMs);
    }),
  );

  const { survivors, listening } = await settle(
    layout,
    targets.map(({ record }) => record),
  );
  const staleKeys = new Set(stale.map((record) => `${record.project}@${record.instance}`));
  return {
    stopped: targets.map(({ record }) => ({
      project: record.project,
      instance: record.instance,
      stale: staleKeys.has(`${record.project}@${record.instance}`),
    })),
    survivors,
    listening,
  };
}

/**
 * How long a supervisor may take to answer a stop: every service of it stopping one after the other, each
 * using all of its stop timeout, and some time to spare.
 */
function answerTimeout(group: readonly RecordedStack[], timeoutMs: number | undefined): number {
  const services = group.flatMap(({ record }) => record.services);
  return services.reduce((total, service) => total + (timeoutMs ?? service.stopTimeoutMs), 0) + 5_000;
}

/**
 * How long a service whose supervisor died gets to stop gracefully (unless `down -t` says otherwise): its output
 * has no reader any more, and a server that logs while it shuts down can wedge on that (a Python logger on a
 * broken pipe) until its whole stop_timeout passes.
 */
export const ORPHANED_STOP_MS = 1500;

/** Stops the services of a stack whose supervisor is gone, releases its ports and removes its record. */
async function stopUnsupervised(layout: StateLayout, record: StackRecord, timeoutMs: number | undefined): Promise<void> {
  await Promise.all(
    record.services.map((service) => {
      // The mark also finds a service spawned in the instant before its pid was recorded, and daemons that
      // detached themselves from its group and tree.
      const mark = serviceQuery(record.supervisor, service.id);
      const root = service.pid === null ? markedProcesses(mark)[0] : { pid: service.pid, startTime: service.startTime };
      const ports = Object.values(service.ports);
      const grace = timeoutMs ?? Math.min(service.stopTimeoutMs, ORPHANED_STOP_MS);
      return root && terminateTree(root, { signal: service.stopSignal, timeoutMs: grace, mark, leftBehind: (tree) => leftDaemons(ports, tree.startTime) });
    }),
  );
  const locks = new PortLocks(layout.ports, { ...record.supervisor, project: record.project });
  for (const service of record.services) for (const port of Object.values(service.ports)) locks.release(port);
  // Another `up` may have replaced the record meanwhile: only this stack's record goes.
  const current = readRecords(layout).find((other) => other.project === record.project && other.instance === record.instance);
  if (current && sameProcess(current.supervisor, record.supervisor)) removeRecord(layout, record.project, record.instance);
  rmSync(record.supervisor.control, { force: true });
}

/**
 * Waits until every recorded process is gone and every recorded port closed; returns what is left. A port that
 * another portmate run has reserved since (a new `up` of the project, say) is not this stack's any more.
 */
async function settle(layout: StateLayout, records: readonly StackRecord[]): Promise<{ survivors: number[]; listening: number[] }> {
  const services = records.flatMap((record) => record.services);
  const locks = new PortLocks(layout.ports, { pid: 0, startTime: 0, project: "" });
  const owners = new Map(
    records.flatMap((record) => record.services.flatMap((service) => Object.values(service.ports).map((port) => [port, record.supervisor] as const))),
  );
  const ports = [...owners]
    .filter(([port, owner]) => {
      const holder = locks.holder(port);
      return !holder || sameProcess(holder, owner);
    })
    .map(([port]) => port);
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const survivors = services.filter((service) => service.pid !== null && !isGone(service.pid, service.startTime)).map((service) => service.pid as number);
    const listening: number[] = [];
    for (const port of ports) if (await acceptsConnections(port)) listening.push(port);
    if ((survivors.length === 0 && listening.length === 0) || Date.now() > deadline) return { survivors, listening };
    await sleep(50);
  }
}
