import { describeHolders, whoHolds, type PortLookup } from "./ports/who.js";
import { recordedStacks } from "./stacks.js";
import type { StateLayout } from "./state/paths.js";
import { PortLocks, type LockOwner } from "./state/port-locks.js";

/** A portmate stack's service that has the port. */
export interface StackUse {
  project: string;
  instance: number;
  service: string;
  /** `backend`, `backend#2`. */
  id: string;
  /** False when the stack's supervisor died (`stale`). */
  alive: boolean;
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

/** Who has `port` (`portmate who`): the OS's answer, with the portmate stack it belongs to, if any. */
export async function whoIs(port: number, layout: StateLayout): Promise<PortOwnership> {
  const lookup = await whoHolds(port);
  const stacks: StackUse[] = recordedStacks(layout).flatMap(({ record, alive }) =>
    record.services
      .filter((service) => Object.values(service.ports).includes(port))
      .map((service) => ({ project: record.project, instance: record.instance, service: service.name, id: service.id, alive })),
  );
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
  return describeOwnership(await whoIs(port, layout));
}

export function describeOwnership(ownership: PortOwnership): string | undefined {
  const processes = describeHolders(ownership.lookup);
  const use = ownership.stacks.find((stack) => stack.alive) ?? ownership.stacks[0];
  if (use) return `${use.id} of portmate project ${use.project}${use.instance === 1 ? "" : ` (instance ${use.instance})`}${processes ? `, ${processes}` : ""}`;
  if (ownership.reservedBy)
    return `portmate project ${ownership.reservedBy.project} (reserved by pid ${ownership.reservedBy.pid})${processes ? `, ${processes}` : ""}`;
  return processes;
}
