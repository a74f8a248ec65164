import getPort from "get-port";
import { PortAllocationError } from "../errors.js";
import { isPortFree } from "./probe.js";
import { claimAll, processReservation, releaseAll, type PortReservation } from "./reservation.js";

/** One port wanted by one service of one instance. */
export interface PortRequest {
  /** Unique key the caller uses to find the result, such as `2/backend/default`. */
  key: string;
  /** Who asks, for messages: `backend`, `admin#2 (metrics)`. */
  label: string;
  /** Port to use when it is free. */
  preferred?: number;
  /** The preferred port must be had: when it is taken, allocation fails. */
  strict?: boolean;
  /** The port this request got last time: tried (when inside the range) if there is no preferred port or it is taken. */
  sticky?: number;
}

/** Why a request did not get what it asked for, or got a port from outside the range. */
export interface AllocationNote {
  key: string;
  label: string;
  port: number;
  /**
   * `sticky-busy`: last run's port is taken now; `sticky-kept`: last run's port was given though the scan
   * would have started lower (at `from`). Both only worth an info line.
   */
  reason: "preferred-busy" | "sticky-busy" | "sticky-kept" | "os-assigned";
  /** The preferred (or last run's) port that was busy. */
  wanted?: number;
  /** With `preferred-busy`: last run's port, which was taken too. */
  stickyBusy?: number;
  /** With `sticky-kept`: where the scan of the range starts without last run's ports (`--fresh-ports`). */
  from?: number;
  /** Who holds `wanted`, as `explainBusy` told. */
  holder?: string;
}

export interface AllocationOptions {
  range: { from: number; to: number };
  /** Checks a port is bindable (default: both IPv4 and IPv6 wildcards). */
  probe?: (port: number) => Promise<boolean>;
  /**
   * Reservations shared with other processes, such as port lock files (asked in order). They are asked before
   * a port is probed: binding a port another run has reserved, even for an instant, could make that run's
   * service fail to bind it.
   */
  reservations?: PortReservation[];
  /** Ports never to hand out (the one a service just lost, say). */
  avoid?: Iterable<number>;
  /** Says who holds a busy preferred port, for the warning or the error (default: nobody is named). */
  explainBusy?: (port: number) => Promise<string | undefined>;
}

/** The ports chosen, and how to give them back. */
export interface Allocation {
  ports: Map<string, number>;
  notes: AllocationNote[];
  /** How many ports were probed, for benchmarks and tests of the one-scan promise. */
  probes: number;
  /** Releases the reservations of `ports` (default: all of them); idempotent. */
  release(ports?: Iterable<number>): Promise<void>;
}

const OS_FALLBACK_ATTEMPTS = 20;

/**
 * Chooses distinct free ports for every request in one pass over the range: preferred ports first (each probed
 * once; a strict request whose port is taken fails the whole allocation), then last run's ports, then the rest
 * from the bottom of the range upwards, lowest first, never probing a port twice. When the range runs out, the
 * OS assigns ports (get-port binding port 0), each verified like the others.
 *
 * Candidates are probed in batches as large as the number of ports still wanted, all at once: a batch never
 * finds more free ports than are wanted, so exactly the ports a one-by-one scan would probe are probed, with
 * fewer round trips through the event loop.
 */
export async function allocatePorts(requests: readonly PortRequest[], options: AllocationOptions): Promise<Allocation> {
  const claims = new Claims(options.probe ?? isPortFree, options.reservations ?? []);
  for (const port of options.avoid ?? []) claims.seen.add(port);
  const ports = new Map<string, number>();
  const notes: AllocationNote[] = [];
  const explain = async (port: number) => (await options.explainBusy?.(port)) ?? undefined;
  try {
    for (const request of requests) {
      if (request.preferred !== undefined && (await claims.take(request.preferred))) ports.set(request.key, request.preferred);
    }
    const refused = requests.filter((request) => request.strict && request.preferred !== undefined && !ports.has(request.key));
    if (refused.length) throw await strictError(refused, explain);
    for (const request of requests) {
      const { sticky } = request;
      if (ports.has(request.key) || sticky === undefined || sticky === request.preferred || sticky < options.range.from || sticky > options.range.to) continue;
      if (await claims.take(sticky)) ports.set(request.key, sticky);
      else notes.push({ key: request.key, label: request.label, port: 0, reason: "sticky-busy", wanted: sticky });
    }

    const waiting = requests.filter((request) => !ports.has(request.key));
    let cursor = options.range.from;
    while (waiting.length && cursor <= options.range.to) {
      const batch: number[] = [];
      for (; batch.length < waiting.length && cursor <= options.range.to; cursor++) if (!claims.seen.has(cursor)) batch.push(cursor);
      const free = await Promise.all(batch.map((port) => claims.take(port)));
      for (const [index, port] of batch.entries()) if (free[index]) ports.set((waiting.shift() as PortRequest).key, port);
    }

    for (const request of requests.filter((request) => !ports.has(request.key))) {
      const port = await osAssigned(claims);
      if (port === undefined) {
        throw new PortAllocationError(
          `no free port for ${request.label}: the range ${options.range.from}-${options.range.to} is full and the OS assigned none`,
          ["hint: widen `ports.range` in portmate.yaml, or stop what holds the ports"],
        );
      }
      ports.set(request.key, port);
      notes.push({ key: request.key, label: request.label, port, reason: "os-assigned" });
    }
    for (const note of notes) if (note.reason === "sticky-busy") note.port = ports.get(note.key) ?? 0;
    notes.push(...stickyKept(requests, ports, claims, options.range));
    for (const request of requests) {
      const port = ports.get(request.key);
      if (request.preferred !== undefined && port !== request.preferred) {
        const note: AllocationNote = { key: request.key, label: request.label, port: port ?? 0, reason: "preferred-busy", wanted: request.preferred };
        const holder = await explain(request.preferred);
        if (holder) note.holder = holder;
        // One line per port decision: a last port that was taken too is said in the same line.
        const sticky = notes.findIndex((other) => other.key === request.key && other.reason === "sticky-busy");
        if (sticky >= 0) {
          note.stickyBusy = notes[sticky]?.wanted;
          notes.splice(sticky, 1);
        }
        notes.push(note);
      }
    }
  } catch (error) {
    await claims.release();
    throw error;
  }
  return { ports, notes, probes: claims.probes, release: (which) => claims.release(which) };
}

/**
 * Notes for the requests that got last run's port where a fresh scan would have started lower: the lowest port
 * of the range this allocation has not looked at (nothing is probed for this, so the scan stays one scan).
 */
function stickyKept(requests: readonly PortRequest[], ports: Map<string, number>, claims: Claims, range: { from: number; to: number }): AllocationNote[] {
  let from = range.from;
  while (from <= range.to && claims.seen.has(from)) from++;
  const notes: AllocationNote[] = [];
  for (const request of requests) {
    const port = ports.get(request.key);
    if (port === undefined || port !== request.sticky || port === request.preferred || port < from) continue;
    notes.push({ key: request.key, label: request.label, port, reason: "sticky-kept", from });
  }
  return notes;
}

/** The error for strict requests whose preferred port is taken (`--strict-ports`, `strict: true`). */
async function strictError(refused: PortRequest[], explain: (port: number) => Promise<string | undefined>): Promise<PortAllocationError> {
  const lines = await Promise.all(
    refused.map(async (request) => {
      const holder = await explain(request.preferred ?? 0);
      return `${request.label}: port ${request.preferred} is taken${holder ? ` by ${holder}` : ""}`;
    }),
  );
  const [first = "", ...rest] = lines;
  return new PortAllocationError(`${first}${rest.length ? ` (and ${rest.length} more)` : ""}; strict ports: nothing was started`, [
    ...rest,
    "hint: stop what holds it (`portmate who PORT` tells more), choose another port, or drop --strict-ports / `strict: true` to let portmate pick a free one",
  ]);
}

/** The ports this allocation holds, and every port it has already looked at. */
class Claims {
  readonly held = new Set<number>();
  /** Ports already looked at, taken or not: none is probed twice. */
  readonly seen = new Set<number>();
  probes = 0;

  constructor(
    private readonly probe: (port: number) => Promise<boolean>,
    private readonly shared: PortReservation[],
  ) {}

  /**
   * Takes `port` in this process (synchronously, so concurrent allocations here cannot both probe it) and in
   * every shared reservation, then checks it is bindable; keeps it held, or gives back what it took.
   */
  async take(port: number): Promise<boolean> {
    if (this.seen.has(port)) return false;
    this.seen.add(port);
    if (!processReservation.claim(port)) return false;
    if (!(await claimAll(this.shared, port))) {
      processReservation.release(port);
      return false;
    }
    this.probes++;
    if (await this.probe(port)) {
      this.held.add(port);
      return true;
    }
    await releaseAll(this.shared, port);
    processReservation.release(port);
    return false;
  }

  async release(which: Iterable<number> = this.held): Promise<void> {
    for (const port of [...which]) {
      if (!this.held.delete(port)) continue;
      await releaseAll(this.shared, port);
      processReservation.release(port);
    }
  }
}

/** A port chosen by the OS (outside the range), verified like any other. */
async function osAssigned(claims: Claims): Promise<number | undefined> {
  for (let attempt = 0; attempt < OS_FALLBACK_ATTEMPTS; attempt++) {
    const port = await getPort();
    if (await claims.take(port)) return port;
  }
  return undefined;
}
