import { describeHolders, whoHolds } from "../ports/port-holders.js";
import { type PortLookup } from "../ports/port-lookup.js";
import { recordedStacks } from "../state/recorded-stacks.js";
import { stateLayout, type StateLayout } from "../state/paths.js";
import { PortLocks, type LockOwner } from "../state/port-locks.js";
import { markOf, serviceMark } from "../process/process-marker.js";

/** A portmate stack's service that has the port. */
export interface StackUse {
  project: string;
  instance: number;
  service: string;
  /** `backend`, `backend#2`. */
  id: string;
  /** False when the stack's supervisor died (`stale`). */
  alive: boolean;
  /** A process of the service listens on the port, which is not one of the service's own ports. */
  notItsPort?: true;
}

/** Everything known about who has a port: the processes listening on it, and what portmate says of it. */
export interface PortOwnership {
  port: number;
  /** What the OS tells. */
  lookup: PortLookup;
  /** Services of stacks on this machine that have the port. */
  stacks: StackUse[];
  /** The portmate run that reserved the port, whether or not something listens on it yet. */
  reservedBy?: LockOwner;
}

/** Where `whoIs` looks for portmate's stacks and reservations. */
export interface WhoIsOptions {
  /** The state folder, as for `up()` (default: `PORTMATE_STATE_DIR`, else the user's). */
  stateDir?: string;
}

/** Who has `port` (`portmate who`): the OS's answer, with the portmate stack it belongs to, if any. */
export async function whoIs(port: number, options: WhoIsOptions = {}): Promise<PortOwnership> {
  return portOwnership(port, stateLayout(options.stateDir));
}

/** whoIs, in the state folder `layout`. */
export async function portOwnership(port: number, layout: StateLayout): Promise<PortOwnership> {
  const lookup = await whoHolds(port);
  const recorded = recordedStacks(layout);
  const stacks: StackUse[] = recorded.flatMap(({ record, alive }) =>
    record.services
      .filter((service) => Object.values(service.ports).includes(port))
      .map((service) => ({ project: record.project, instance: record.instance, service: service.name, id: service.id, alive })),
  );
  // A process of a stack's service that listens elsewhere than on its ports (it ignores the port it was given),
  // found by the mark it inherited.
  const marks = new Set(lookup.holders.map((holder) => markOf(holder.pid)).filter((mark): mark is string => mark !== undefined));
  for (const { record, alive } of recorded) {
    for (const service of record.services) {
      if (!marks.has(serviceMark(record.supervisor, service.id)) || stacks.some((use) => use.project === record.project && use.id === service.id)) continue;
      stacks.push({ project: record.project, instance: record.instance, service: service.name, id: service.id, alive, notItsPort: true });
    }
  }
  const ownership: PortOwnership = { port, lookup, stacks };
  const reservedBy = new PortLocks(layout.ports, { pid: 0, startTime: 0, project: "" }).holder(port);
  if (reservedBy) ownership.reservedBy = reservedBy;
  return ownership;
}

/**
 * Who has `port`, in a few words for a warning (`pid 42 (python3 -m http.server)`, `backend of portmate
 * project shop (pid 42 …)`), or undefined when nobody visibly does.
 */
export async function describePortHolder(port: number, layout: StateLayout): Promise<string | undefined> {
  return describeOwnership(await portOwnership(port, layout));
}

export function describeOwnership(ownership: PortOwnership): string | undefined {
  const processes = describeHolders(ownership.lookup);
  const use = ownership.stacks.find((stack) => stack.alive) ?? ownership.stacks[0];
  if (use) return `${use.id} of portmate project ${use.project}${use.instance === 1 ? "" : ` (instance ${use.instance})`}${processes ? `, ${processes}` : ""}`;
  if (ownership.reservedBy)
    return `portmate project ${ownership.reservedBy.project} (reserved by pid ${ownership.reservedBy.pid})${processes ? `, ${processes}` : ""}`;
  return processes;
}
