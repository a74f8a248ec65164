import type { Allocation, AllocationOptions, PortRequest } from "./allocate.js";
import { claimAll, releaseAll } from "./reservation.js";

/**
 * The ports a running stack holds: those allocated before it started, and those it takes later (a port that was
 * stolen, `restart --new-port`, a port a service announced). Releasing is idempotent.
 */
export class PortBook {
  private readonly allocations: Allocation[];
  private readonly adopted = new Set<number>();

  constructor(
    first: Allocation,
    private readonly options: AllocationOptions,
  ) {
    this.allocations = [first];
  }

  /** A new free port of the range, reserved like the first ones; never one of `avoid`. */
  async allocate(label: string, avoid: Iterable<number>): Promise<number> {
    // Loaded when needed: a detached supervisor, which holds this in memory all along, seldom needs it.
    const { allocatePorts } = await import("./allocate.js");
    const allocation = await allocatePorts([{ key: label, label }], { ...this.options, avoid });
    this.allocations.push(allocation);
    return allocation.ports.get(label) as number;
  }

  /** New ports for `requests` (each with its preference), in one scan, reserved like the first ones; never one of `avoid`. */
  async allocateAll(requests: readonly PortRequest[], avoid: Iterable<number>): Promise<ReadonlyMap<string, number>> {
    if (requests.length === 0) return new Map();
    const { allocatePorts } = await import("./allocate.js");
    const allocation = await allocatePorts(requests, { ...this.options, avoid });
    this.allocations.push(allocation);
    return allocation.ports;
  }

  /**
   * Reserves a port a service bound by itself (an announced one) against other portmate runs. False when
   * another run holds it already: nothing is reserved then.
   */
  async adopt(port: number): Promise<boolean> {
    if (!(await claimAll(this.options.reservations ?? [], port))) return false;
    this.adopted.add(port);
    return true;
  }

  /** Gives back `ports` (default: every port held). */
  async release(ports?: Iterable<number>): Promise<void> {
    const which = ports === undefined ? undefined : [...ports];
    for (const allocation of this.allocations) await allocation.release(which);
    for (const port of which ?? [...this.adopted]) {
      if (!this.adopted.delete(port)) continue;
      await releaseAll(this.options.reservations ?? [], port);
    }
  }
}
